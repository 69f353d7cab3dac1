"""Benefit items (惠企事项) broken out of a document: their codes, fields and
review steps (one workflow, policies/review.py)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.errors import Conflict

from .. import review
from ..models import BenefitItem, PolicyArticle, PolicyDocument, Status
from .common import (
    ITEM_FIELDS,
    _add,
    _bump,
    _choice,
    _date,
    _locked,
    _refresh,
    _scope,
    _text,
    check,
    is_department_bound,
    item_errors,
    label_of,
    parse_industries,
    parse_sizes,
    refuse,
)

# --- benefit items ----------------------------------------------------------


def next_item_code(region_code):
    prefix = f"HQ{region_code}"
    last = BenefitItem.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{serial:06d}"


def _decimal(value, errors, name):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("万元", "").strip())
    except InvalidOperation:
        _add(errors, name, f"{label_of(BenefitItem, name)}：“{value}”不是数字")
        return None


def _int(value, errors, name):
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        _add(errors, name, f"{label_of(BenefitItem, name)}：“{value}”不是整数")
        return None


def _assign_item(item, data, errors):
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("apply_from", "apply_until"):
            setattr(item, name, _date(value, BenefitItem, name, errors))
        elif name == "amount_cap":
            item.amount_cap = _decimal(value, errors, name)
        elif name == "payout_days":
            item.payout_days = _int(value, errors, name)
        elif name == "industries":
            item.industries = parse_industries(value, errors)
        elif name == "sizes":
            item.sizes = parse_sizes(value, errors)
        elif name == "article":
            article = value
            if article not in (None, "") and not isinstance(article, PolicyArticle):
                article = PolicyArticle.objects.filter(pk=article).first()
            item.article = article or None
        elif name in ("kind", "delivery"):
            setattr(item, name, _choice(BenefitItem, name, value))
        else:
            setattr(item, name, _text(value))


@transaction.atomic
def create_item(actor, document, data):
    """A new draft benefit item broken out of `document`."""
    document = PolicyDocument.objects.select_related("department", "region").get(pk=document.pk)
    if document.status == Status.WITHDRAWN:
        raise Conflict("该政策文件已撤回，不能新增惠企事项")
    errors = {}
    item = BenefitItem(document=document, status=Status.DRAFT, topic=document.topic)
    _assign_item(item, data, errors)
    _scope(item, data, actor, errors, parent=document)
    errors = {**item_errors(item), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", item)
    item.code = next_item_code(item.region_id)
    item.save()
    _refresh(document)
    return item


@transaction.atomic
def update_item(actor, item, data, *, version=None):
    item = _locked(item, version, {Status.DRAFT}, "修改（已提交或已发布的事项请先撤回）")
    check(actor, "policy.edit", item)
    errors = {}
    _assign_item(item, data, errors)
    if is_department_bound(actor):
        data = {k: v for k, v in data.items() if k != "department"}
    _scope(item, data, actor, errors, parent=item.document)
    errors = {**item_errors(item), **errors}
    if errors:
        refuse(errors)
    check(actor, "policy.edit", item)
    _bump(item)
    _refresh(item.document)
    return item


def submit_item(actor, item, *, version=None):
    return review.take(actor, item, "submit", version=version)


def approve_item(actor, item, *, version=None, at=None):
    return review.take(actor, item, "approve", version=version, at=at)


def return_item(actor, item, *, comment, version=None):
    return review.take(actor, item, "return", version=version, comment=comment)


def withdraw_item(actor, item, *, version=None):
    return review.take(actor, item, "withdraw", version=version)


def reopen_item(actor, item, *, version=None):
    return review.take(actor, item, "reopen", version=version)
