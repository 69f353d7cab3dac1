"""Re-encrypt personal data with the newest data key (docs/deployment.md
"Data keys"): put the new key first in TONGBAN_DATA_KEYS, keep the old ones
after it, restart, run this, then drop the old keys. Rows already on the
newest key (and with current hashes) are left alone, so the command can be
run again or resumed after an interruption; each table's work is audited
under the system actor 数据密钥轮换."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import audit, crypto
from core.personal import LookupHashField, encrypted_fields, reseal_table

SYSTEM_ACTOR = "数据密钥轮换"


def personal_tables():
    """(model, encrypted columns, {hash column: source column}) of every model with personal data."""
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if not fields or model._meta.proxy or not model._meta.managed:
            continue
        hashes = {
            f.column: model._meta.get_field(f.source).column  # type: ignore[union-attr]
            for f in model._meta.concrete_fields
            if isinstance(f, LookupHashField)
        }
        yield model, [f.column for f in fields], hashes


def key_counts(model, columns):
    """How many stored values each key id sealed (plaintext left over counted too)."""
    counts: dict[str | None, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)}")
            for (stored,) in cursor.fetchall():
                kid = crypto.key_id_of(stored) or ("明文" if stored else None)
                if kid:
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


class Command(BaseCommand):
    help = "用最新的数据密钥重新加密个人信息（身份证号、电话、地址），并更新检索散列；可重复运行、中断后续跑"

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key", action="store_true", help="只生成一个新的 SM4 密钥（base64）并输出，不改动数据"
        )
        parser.add_argument("--check", action="store_true", help="只统计各密钥加密的数据条数，不改动数据")

    def handle(self, *args, new_key=False, check=False, **options):
        if new_key:
            self.stdout.write(crypto.new_key())
            return
        try:
            newest = crypto.current_key_id()
        except crypto.DataKeyError as exc:
            raise CommandError(str(exc)) from None
        if check:
            for model, columns, _ in personal_tables():
                counts = key_counts(model, columns)
                line = "、".join(f"{kid} {n} 条" for kid, n in sorted(counts.items())) or "无数据"
                self.stdout.write(f"{model._meta.verbose_name}（{model._meta.db_table}）：{line}")
            return
        total = 0
        with audit.acting_as_system(SYSTEM_ACTOR):
            for model, columns, hashes in personal_tables():
                try:
                    written = reseal_table(connection, model._meta.db_table, columns, hashes)
                except crypto.DataKeyError as exc:
                    raise CommandError(
                        f"{model._meta.verbose_name}：{exc}。已完成的部分保留，补上密钥后重新运行即可续跑"
                    ) from None
                total += written
                if written:
                    audit.record(
                        "rotate_data_key",
                        object_type=model._meta.label,
                        object_id=model._meta.db_table,
                        object_repr=f"{model._meta.verbose_name}：{'、'.join(columns)}",
                        after={"count": written, "key": newest},
                    )
                self.stdout.write(f"{model._meta.verbose_name}：重新加密 {written} 行")
        self.stdout.write(
            self.style.SUCCESS(f"已用密钥 {newest} 重新加密 {total} 行；之后可从 TONGBAN_DATA_KEYS 中移除旧密钥")
        )
