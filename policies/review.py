"""One review workflow for the policy library's records: documents, benefit
items and interpretations all go 草稿 → 待审核 → 已发布, or back to 草稿 with
the reviewer's comment; a listed record can be withdrawn (已撤回) and reopened
as a draft. A department's staff submit and reopen their own records; the
centre (policy.publish) approves and returns; the owning department or the
centre withdraws.

A document's step carries its items and interpretations along (those in the
state the step starts from). What differs by record is in the small tables
below: what must hold first (`_guard`) and which fields the step sets
(`_changes`). The transition table is `STEPS`.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts import policy
from core import audit
from core.errors import Conflict
from core.workdays import add_working_days

from .models import LISTED, BenefitItem, PolicyDocument, Status
from .services.common import (
    BREAKDOWN_DAYS,
    _add,
    _locked,
    _refresh,
    _step,
    _text,
    check,
    document_errors,
    item_errors,
    refuse,
)


@dataclass(frozen=True)
class Step:
    label: str  # the refusal says "不能{label}"
    sources: frozenset[str]  # the states it starts from
    target: str
    permission: str | None  # None: the owning department or the centre


STEPS = {
    "submit": Step("提交审核", frozenset({Status.DRAFT}), Status.REVIEW, "policy.edit"),
    "approve": Step("审核发布", frozenset({Status.REVIEW}), Status.PUBLISHED, "policy.publish"),
    "return": Step("退回", frozenset({Status.REVIEW}), Status.DRAFT, "policy.publish"),
    "withdraw": Step("撤回", frozenset({Status.REVIEW, Status.PUBLISHED, Status.EXPIRED}), Status.WITHDRAWN, None),
    "reopen": Step("重新编辑", frozenset({Status.WITHDRAWN}), Status.DRAFT, "policy.edit"),
}
# A document's items and interpretations that follow its step: those in these states.
FOLLOWING = {
    "submit": {Status.DRAFT},
    "approve": {Status.REVIEW},
    "return": {Status.REVIEW},
    "withdraw": {Status.REVIEW, Status.PUBLISHED, Status.EXPIRED},
}


def _may_withdraw(actor, obj):
    """The owning department or the centre."""
    if actor is None or policy.can(actor, "policy.publish", obj):
        return
    check(actor, "policy.edit", obj)


def _guard(obj, name):
    """What must hold before the step, by record."""
    if name == "submit" and isinstance(obj, PolicyDocument):
        errors = document_errors(obj)
        if not obj.articles.exists():
            _add(errors, "articles", "正文：提交审核前请录入至少一条条款")
        if errors:
            refuse(errors)
    if name == "submit" and isinstance(obj, BenefitItem):
        errors = item_errors(obj)
        if errors:
            refuse(errors)
    if name == "approve" and not isinstance(obj, PolicyDocument) and obj.document.status not in LISTED:
        raise Conflict("所属政策文件尚未发布，请先审核发布政策文件")
    if name == "reopen" and isinstance(obj, BenefitItem) and obj.document.status == Status.WITHDRAWN:
        raise Conflict("所属政策文件已撤回，请先重新编辑政策文件")


def _target(obj, name):
    # An item approved under an expired document is listed as expired with it.
    if name == "approve" and isinstance(obj, BenefitItem) and obj.document.status == Status.EXPIRED:
        return Status.EXPIRED
    return STEPS[name].target


def _changes(obj, name, *, now, comment, reason, following):
    """The fields the step sets besides the state."""
    if name == "submit":
        return {} if following else {"review_comment": ""}
    if name == "return":
        return {"review_comment": comment}
    if name == "approve":
        if isinstance(obj, PolicyDocument):
            due = add_working_days(timezone.localtime(now).date(), BREAKDOWN_DAYS)
            return {"published_at": now, "breakdown_due": due, "review_comment": ""}
        if isinstance(obj, BenefitItem):
            return {"published_at": now, "claimed_at": obj.claimed_at or now, "review_comment": ""}
        return {"published_at": now}
    if name == "withdraw" and isinstance(obj, PolicyDocument):
        return {"review_comment": _text(reason) or obj.review_comment}
    return {}


def _following(document, name):
    if name not in FOLLOWING:
        return []
    states = FOLLOWING[name]
    return [
        *document.items.filter(status__in=states),
        *document.interpretations.filter(status__in=states),
    ]


@transaction.atomic
def take(actor, obj, name, *, version=None, comment=None, reason="", at=None):
    """Take review step `name` on a document, item or interpretation: the
    record locked and checked against `version`, the step allowed from its
    state and to `actor`, the record moved (and a document's items and
    interpretations with it), the search index refreshed. A return needs a
    comment; it is kept on the record (审核意见) and in the audit log."""
    step = STEPS[name]
    if name == "return":
        comment = _text(comment)
        if not comment:
            refuse({"comment": ["审核意见：退回时请写明需要修改的内容"]})
    obj = _locked(obj, version, step.sources, step.label)
    if step.permission is None:
        _may_withdraw(actor, obj)
    else:
        check(actor, step.permission, obj)
    _guard(obj, name)
    now = at or timezone.now()
    with audit.because(comment or _text(reason)):
        _step(obj, _target(obj, name), **_changes(obj, name, now=now, comment=comment, reason=reason, following=False))
        if isinstance(obj, PolicyDocument):
            for record in _following(obj, name):
                changes = _changes(record, name, now=now, comment=comment, reason=reason, following=True)
                _step(record, STEPS[name].target, **changes)
    _refresh(obj if isinstance(obj, PolicyDocument) else obj.document)
    return obj
