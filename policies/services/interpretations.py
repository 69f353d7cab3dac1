"""Interpretations (政策解读) of a document: text, image or video, and their
review steps (one workflow, policies/review.py)."""

from django.db import transaction

from core.errors import Conflict

from .. import review
from ..models import Interpretation, PolicyDocument, Status
from .common import (
    INTERPRETATION_FIELDS,
    _add,
    _bump,
    _choice,
    _locked,
    _refresh,
    _text,
    check,
    errors_of,
    refuse,
)

# --- interpretations --------------------------------------------------------


def interpretation_errors(interpretation):
    errors = errors_of(interpretation, exclude=["department", "region", "document", "status", "version", "image"])
    if interpretation.kind == Interpretation.Kind.VIDEO and not interpretation.url:
        _add(errors, "url", "链接：视频解读须填写视频链接")
    if interpretation.kind == Interpretation.Kind.TEXT and not interpretation.text:
        _add(errors, "text", "解读内容：文字解读须填写解读内容")
    return errors


def _assign_interpretation(interpretation, data):
    for name in INTERPRETATION_FIELDS:
        if name in data:
            value = _text(data[name])
            setattr(interpretation, name, _choice(Interpretation, name, value) if name == "kind" else value)


@transaction.atomic
def create_interpretation(actor, document, data):
    document = PolicyDocument.objects.select_related("department", "region").get(pk=document.pk)
    if document.status == Status.WITHDRAWN:
        raise Conflict("该政策文件已撤回，不能新增解读")
    errors = {}
    interpretation = Interpretation(
        document=document,
        status=Status.DRAFT,
        department=document.department,
        region_id=document.region_id,
        city_code=document.city_code,
    )
    _assign_interpretation(interpretation, data)
    errors = {**interpretation_errors(interpretation), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", interpretation)
    interpretation.save()
    _refresh(document)
    return interpretation


@transaction.atomic
def update_interpretation(actor, interpretation, data, *, version=None):
    interpretation = _locked(interpretation, version, {Status.DRAFT}, "修改")
    check(actor, "policy.edit", interpretation)
    _assign_interpretation(interpretation, data)
    errors = interpretation_errors(interpretation)
    if errors:
        refuse(errors)
    _bump(interpretation)
    _refresh(interpretation.document)
    return interpretation


def submit_interpretation(actor, interpretation, *, version=None):
    return review.take(actor, interpretation, "submit", version=version)


def approve_interpretation(actor, interpretation, *, version=None, at=None):
    return review.take(actor, interpretation, "approve", version=version, at=at)


def return_interpretation(actor, interpretation, *, comment="", version=None):
    # The comment tells the department what to change: kept, and required, as for documents and items.
    return review.take(actor, interpretation, "return", version=version, comment=comment)
