"""Optimistic locking, written once: two people on one record, one wins and
the other is told (CONTRIBUTING.md, house rules).

A record that people edit carries a `version` number. A page or API client
sends back the version it read; a service refuses the change (Conflict, 409)
when the record moved on meanwhile. Three steps, used by every app:

- `lock(model, pk, expected, message)`: the row, locked for update, checked;
- `check_version(obj, expected, message)`: the check alone, on a row already read;
- `bump(obj, *fields)`: save with the next version, as an atomic
  compare-and-set (`UPDATE … WHERE version = read`), so a writer that read
  the same version in between (SQLite has no row locks) loses and is told.

`expected=None` means the caller did not say (a form without the hidden
field, an internal call): not checked. The API refuses a missing version
before a service is reached (core.api_errors, 428).
"""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import F

from .errors import Conflict

DEFAULT_MESSAGE = "该记录已被他人修改，请刷新后重试"
FIELD_MESSAGE = "记录已被他人修改"

Message = str | Callable[[Any], str] | None


def _text(message: Message, obj: Any) -> str:
    if callable(message):
        return message(obj)
    return message or DEFAULT_MESSAGE


def same_version(obj: Any, expected: Any) -> bool:
    """Whether `expected` (an int, or text from a form or an If-Match header) is obj's version."""
    try:
        return int(expected) == obj.version
    except (TypeError, ValueError):
        return False


def check_version(
    obj: Any, expected: Any, message: Message = None, *, required: bool = False, field: str | None = None
) -> Any:
    """`obj`, or Conflict with `message` (text, or a function of the fresh row) when
    `expected` is given and is not its version (`required`: when it is not given either).
    `field` names the form field the refusal is shown beside."""
    if (expected is not None or required) and not same_version(obj, expected):
        errors = {field: [FIELD_MESSAGE]} if field else None
        raise Conflict(_text(message, obj), errors=errors)
    return obj


def lock(
    source: type[models.Model] | models.QuerySet[Any],
    pk: Any,
    expected: Any = None,
    message: Message = None,
    *,
    required: bool = False,
) -> Any:
    """The row `pk` of `source` (a model, or a queryset with its select_related),
    locked until the transaction ends, checked against `expected`."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    # The row alone is locked, then read with its joins: locking a join locks
    # the joined rows too (every case of a matter waited), and on PostgreSQL a
    # joined row changed meanwhile makes the re-checked join find nothing
    # (tests/test_crash.py).
    queryset.model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    return check_version(queryset.get(pk=pk), expected, message, required=required)


def bump(obj: Any, *fields: str, message: Message = None) -> Any:
    """Save `obj` with the next version: `fields` only (all fields when none
    named). The version moves with `UPDATE … WHERE version = <the one read>`;
    when no row matches, someone else saved first: Conflict, nothing saved."""
    model = type(obj)
    moved = model._default_manager.filter(pk=obj.pk, version=obj.version).update(version=F("version") + 1)
    if not moved:
        raise Conflict(_text(message, obj))
    obj.version += 1
    # The save below writes the same version again and fires the audit signals (core.signals).
    obj.save(update_fields=[*fields, "version"] if fields else None)
    return obj


def compare_and_set(obj: Any, expected: Any, message: Message = None, **changes: Any) -> Any:
    """One statement: `UPDATE … SET changes, version = version + 1 WHERE pk AND
    version = expected`. For a change with no other rule to check; no save
    signal fires, so the caller records the audit entry itself."""
    model = type(obj)
    try:
        read = obj.version if expected is None else int(expected)
    except (TypeError, ValueError):
        raise Conflict(_text(message, obj)) from None
    moved = model._default_manager.filter(pk=obj.pk, version=read).update(version=F("version") + 1, **changes)
    if not moved:
        raise Conflict(_text(message, obj))
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version = read + 1
    return obj
