"""The audit log: who changed what, when, from where, before and after.

Changes made while a person is acting (a web request by a signed-in user,
or code wrapped in `acting_as`) are recorded automatically by the model
signals in core.signals; services may also call `record` for actions that
are not a plain row change (a login, an export). Entries form a hash chain:
each row's hash covers its content and the previous row's hash.
"""

import contextvars
import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
# Fields never copied into the log: secrets, and bookkeeping no person changes.
SECRET_FIELDS = {"password", "key_hash"}
SECRET_MASK = "******"
SECRET_CHANGED = "******（已更改）"
NOISE_FIELDS = {"last_login", "updated_at"}

_context: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_context", default=None)  # Actor or request
_on_behalf_of: contextvars.ContextVar[str | Callable[[], str]] = contextvars.ContextVar(
    "audit_on_behalf_of", default=""
)
_reason: contextvars.ContextVar[str] = contextvars.ContextVar("audit_reason", default="")
# {model label: the name of the foreign key to the main object}: a case's
# events and files belong to the case. Filled by the apps (`belongs_to`).
SUBJECTS: dict[str, str] = {}


@dataclass(frozen=True)
class Actor:
    user: Any  # a user, or None for a system actor
    ip: str = ""
    system: str = ""  # a named system actor (a scheduled command, a task) when no person acts

    @property
    def label(self):
        if self.user is None:
            return f"系统：{self.system}" if self.system else "系统"
        name = getattr(self.user, "name", "") or ""
        return f"{name}（{self.user.get_username()}）" if name else self.user.get_username()


def hash_algorithm():
    if settings.AUDIT_HASH:
        return settings.AUDIT_HASH
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


@contextmanager
def acting_as(user, ip=""):
    """Attribute changes made inside the block to `user` (commands, tasks)."""
    token = _context.set(Actor(user, ip))
    try:
        yield
    finally:
        _context.reset(token)


def behalf_label(org):
    """How an organisation is named in the log: name and credit code."""
    if not org:
        return ""
    if isinstance(org, str):
        return org[:200]
    return f"{org.name}（{org.uscc}）"[:200]


@contextmanager
def acting_for(org):
    """Record changes made inside the block as done on behalf of `org`
    (an agent acting for an organisation), beside the person acting."""
    token = _on_behalf_of.set(behalf_label(org))
    try:
        yield
    finally:
        _on_behalf_of.reset(token)


def _behalf_now():
    value = _on_behalf_of.get()
    return (value() or "")[:200] if callable(value) else value


@contextmanager
def acting_for_lazily(label_of):
    """Like `acting_for`, with the label worked out only if something is recorded."""
    cache: list[str] = []

    def label():
        if not cache:
            cache.append(behalf_label(label_of()))
        return cache[0]

    token = _on_behalf_of.set(label)
    try:
        yield
    finally:
        _on_behalf_of.reset(token)


@contextmanager
def because(reason):
    """Every entry recorded inside the block carries `reason` (a return's
    comment, a refusal's reasons, a correction's items), so "why" is kept
    beside "what"."""
    if isinstance(reason, (list, tuple)):
        reason = "；".join(str(r) for r in reason if r)
    token = _reason.set(str(reason or "").strip())
    try:
        yield
    finally:
        _reason.reset(token)


def belongs_to(model, field):
    """Entries about `model`'s rows belong to the row its foreign key `field`
    names (e.g. a case event to its case)."""
    SUBJECTS[model._meta.label] = field


def subject_of(obj):
    """(type, id) of the main object `obj` belongs to: itself unless its model says otherwise."""
    field = SUBJECTS.get(obj._meta.label)
    if field:
        target = obj._meta.get_field(field).related_model
        value = getattr(obj, obj._meta.get_field(field).attname)
        if value is not None:
            return target._meta.label, str(value)
    return obj._meta.label, str(obj.pk)


def history(obj):
    """Everything that happened to `obj` and to what belongs to it, newest first: one query."""
    return AuditEntry.objects.filter(subject_type=obj._meta.label, subject_id=str(obj.pk))


@contextmanager
def acting_as_system(name):
    """Attribute changes made inside the block to a named system actor (e.g.
    a scheduled command): changes with no person acting are audited too."""
    token = _context.set(Actor(None, system=name))
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def request_context(request):
    token = _context.set(request)
    try:
        yield
    finally:
        _context.reset(token)


def client_ip(request):
    if getattr(settings, "TONGBAN_TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def current_actor():
    """The person or named system actor acting now, or None when neither is
    (seeding, migrations)."""
    ctx = _context.get()
    if ctx is None:
        return None
    if isinstance(ctx, Actor):
        return ctx if ctx.user is not None or ctx.system else None
    user = getattr(ctx, "user", None)  # a request; its user resolves lazily
    if user is None or not user.is_authenticated:
        return None
    return Actor(user, client_ip(ctx))


def snapshot(instance):
    """A JSON-ready copy of a row's own fields, secrets masked."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in NOISE_FIELDS or getattr(field, "personal_hash", False):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, FieldFile):
            value = value.name  # the stored path, not the file
        if field.name in SECRET_FIELDS:
            value = SECRET_MASK if value else ""
        elif getattr(field, "personal", False):
            value = _personal(field, value)
        data[field.attname] = value
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _personal(field, value):
    """Personal data in the log: masked, with a keyed fingerprint so that a
    change behind the mask still shows as a change (core.crypto)."""
    from . import crypto

    if not value:
        return value
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder)
    return f"{field.masked(value)} #{crypto.fingerprint(text, field.context)}"


def secrets_of(instance):
    """The secret fields' raw values, kept in memory only to tell whether they changed."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.name in SECRET_FIELDS}


def mark_changed_secrets(after, old_secrets, instance):
    """Say in `after` which secrets changed (a password reset), never showing them."""
    for attname, old in (old_secrets or {}).items():
        new = getattr(instance, attname)
        if old != new and new:
            after[attname] = SECRET_CHANGED
    return after


def _digest(algorithm, entry):
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "prev": entry.prev_hash,
    }
    # Only entries that carry these hash them, so older entries keep their hashes.
    for name in ("on_behalf_of", "subject_type", "subject_id", "reason"):
        if getattr(entry, name):
            body[name] = getattr(entry, name)
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()


def hold_chain():
    """Lock the chain's head now, for the rest of the transaction. A writer
    that takes another hot row every audited step also takes (cases.summary's
    day stamp) takes the head first, so two steps never hold one each and
    wait for the other (a deadlock tests/test_crash.py found on PostgreSQL)."""
    AuditChainHead.objects.select_for_update().get_or_create(pk=1)


def record(
    action,
    obj=None,
    *,
    before=None,
    after=None,
    actor=None,
    object_type=None,
    object_id=None,
    object_repr=None,
    on_behalf_of=None,
    subject=None,
    reason=None,
):
    """Append one entry to the chain. Returns it, or None when nobody is acting.
    `subject`: the main object (default: what `obj` belongs to, see `belongs_to`);
    `reason`: why (default: the `because` block's)."""
    actor = actor or current_actor()
    if actor is None:
        return None
    subject_type = subject_id = ""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = str(obj.pk) if object_id is None else object_id
        object_repr = object_repr or str(obj)
        subject_type, subject_id = subject_of(obj)
    if subject is not None:
        subject_type, subject_id = subject._meta.label, str(subject.pk)
    algorithm = hash_algorithm()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=getattr(actor.user, "pk", None),
            actor_label=actor.label[:150],
            ip=actor.ip or "",
            on_behalf_of=behalf_label(on_behalf_of) if on_behalf_of else _behalf_now(),
            action=action,
            object_type=object_type or "",
            object_id=str(object_id or ""),
            object_repr=str(object_repr or "")[:200],
            before=json.loads(json.dumps(before, cls=DjangoJSONEncoder)),
            after=json.loads(json.dumps(after, cls=DjangoJSONEncoder)),
            subject_type=subject_type,
            subject_id=subject_id,
            reason=(_reason.get() if reason is None else str(reason)).strip(),
            algorithm=algorithm,
            prev_hash=head.hash or GENESIS,
        )
        entry.hash = _digest(algorithm, entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class ChainReport:
    checked: int
    broken: AuditEntry | None = None
    reason: str = ""

    @property
    def ok(self):
        return self.broken is None and not self.reason

    def message(self):
        if self.ok:
            return f"审计链完整：共校验 {self.checked} 条记录。"
        where = f"第 {self.broken.seq} 条（id={self.broken.pk}，{self.broken.object_repr}）" if self.broken else "链尾"
        return f"审计链在{where}断开：{self.reason}。此前 {self.checked} 条完整。"


def verify_chain():
    """Walk the chain from the first entry; name the first entry that does not hold."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(checked, entry, f"序号应为 {expected_seq}，此前有记录被删除")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry, "与前一条的摘要不衔接")
        if _digest(entry.algorithm, entry) != entry.hash:
            return ChainReport(checked, entry, "内容与摘要不符，记录被改动过")
        expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.seq != checked:
        return ChainReport(checked, None, f"链头记录共 {head.seq} 条，实际只有 {checked} 条，末尾记录被删除")
    return ChainReport(checked)
