"""Model fields for personal data: `EncryptedCharField` keeps a value SM4
encrypted in the database (core.crypto) and plain in Python, and
`LookupHashField` keeps the keyed hash that finds it again.

An encrypted column cannot be searched by content (each write has a fresh
nonce): a lookup on it raises, so a forgotten search fails loudly instead of
finding nothing; search through the hash column with `matching(field, value)`.
"""

import json

from django.core.exceptions import FieldError, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from . import crypto, masking


class EncryptedCharField(models.CharField):
    """A CharField whose column holds SM4-GCM ciphertext (a text column:
    ciphertext is longer than the value); `max_length` still limits the value."""

    personal = True

    def __init__(self, *args, mask=masking.PHONE, **kwargs):
        self.mask = mask
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def cast_db_type(self, connection):
        return self.db_type(connection)

    @property
    def context(self):
        """What the ciphertext is bound to: this column."""
        return f"{self.model._meta.db_table}.{self.column}"

    def masked(self, value):
        return masking.mask(value, self.mask)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(value, self.context)

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value, self.context)

    def to_python(self, value):
        # A backup holds ciphertext (value_to_string); restoring reads it back.
        if crypto.is_ciphertext(value):
            try:
                return crypto.decrypt(value, self.context)
            except crypto.DataKeyError as exc:
                raise ValidationError(str(exc)) from None
        return super().to_python(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return crypto.encrypt(value, self.context) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"{self.verbose_name}（{self.name}）已加密存储，不能按内容查询；请按其检索散列列查询")


class EncryptedJSONField(models.TextField):
    """A JSON value (a form's contents: names, ID numbers, phones, addresses
    in one) kept as one SM4-GCM ciphertext; it is never searched by content."""

    personal = True

    @property
    def context(self):
        return f"{self.model._meta.db_table}.{self.column}"

    def masked(self, value):
        return "（表单内容，已加密）"

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, str) and crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder), self.context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(crypto.decrypt(value, self.context) if crypto.is_ciphertext(value) else value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(crypto.decrypt(value, self.context) if crypto.is_ciphertext(value) else value)
            except (crypto.DataKeyError, ValueError) as exc:
                raise ValidationError(f"{self.verbose_name}：{exc}") from None
        return value

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"{self.verbose_name}（{self.name}）已加密存储，不能按内容查询")


class LookupHashField(models.CharField):
    """The keyed hash (crypto.lookup_hash) of another field of the row, kept
    up to date on every save and bulk create."""

    personal_hash = True  # bookkeeping: never copied into the audit log

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


# --- whole tables: the migrations that encrypt existing rows, and key rotation ---

BATCH = 2000


def encrypted_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField | EncryptedJSONField)]


def _rewrite(connection, table, columns, hashes, change):
    """Walk `table` by id in batches; `change(column, value)` gives a column's
    new stored value (or the same one); `hashes` maps hash column → source
    column, recomputed from the plaintext. Only rows where something differs
    are written, each batch in its own transaction: a second run writes
    nothing and an interrupted one resumes where it stopped."""
    qn = connection.ops.quote_name
    targets = [*columns, *hashes]
    select = (
        f"SELECT {qn('id')}, {', '.join(qn(c) for c in targets)} FROM {qn(table)} "
        f"WHERE {qn('id')} > %s ORDER BY {qn('id')} LIMIT %s"
    )
    update = f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in targets)} WHERE {qn('id')} = %s"
    written, last = 0, 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return written
            updates = []
            for pk, *values in rows:
                stored = dict(zip(targets, values, strict=True))
                plain = {
                    c: crypto.decrypt(v, f"{table}.{c}") if crypto.is_ciphertext(v) else v
                    for c, v in stored.items()
                    if c in columns
                }
                new = [change(c, stored[c]) for c in columns] + [crypto.lookup_hash(plain[s]) for s in hashes.values()]
                if new != values:
                    updates.append([*new, pk])
            if updates:
                cursor.executemany(update, updates)
                written += len(updates)
            last = rows[-1][0]


def seal_table(connection, table, columns, hashes=None):
    """Encrypt a table's plaintext values (and fill its hash columns) in place."""

    def seal(column, value):
        if not value or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(value, f"{table}.{column}")

    return _rewrite(connection, table, columns, hashes or {}, seal)


def unseal_table(connection, table, columns):
    """Back to plaintext (a migration run backwards)."""

    def unseal(column, value):
        return crypto.decrypt(value, f"{table}.{column}") if crypto.is_ciphertext(value) else value

    return _rewrite(connection, table, columns, {}, unseal)


def reseal_table(connection, table, columns, hashes=None):
    """Re-encrypt with the newest key every value sealed with an older one
    (`manage.py rotate_data_key`); hashes are recomputed on the rows written."""
    newest = crypto.current_key_id()

    def reseal(column, value):
        if not value:
            return value
        context = f"{table}.{column}"
        if not crypto.is_ciphertext(value):
            return crypto.encrypt(value, context)
        if crypto.key_id_of(value) == newest:
            return value
        return crypto.encrypt(crypto.decrypt(value, context), context)

    return _rewrite(connection, table, columns, hashes or {}, reseal)


def sealing(table, columns, hashes=None):
    """A RunPython operation that encrypts `columns` of `table` (and back)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        seal_table(schema_editor.connection, table, columns, hashes)

    def backward(apps, schema_editor):
        unseal_table(schema_editor.connection, table, columns)

    return migrations.RunPython(forward, backward, elidable=False)


def matching(field, value):
    """The condition that finds rows whose encrypted `field` equals `value`,
    through its hash column: `Person.objects.filter(matching("resident_id", x))`."""
    from django.db.models import Q

    return Q(**{f"{field}_hash": crypto.lookup_hash(value)})
