"""Matching endpoints of the JSON API: an enterprise's profile (read, and
updated attribute by attribute by the departments' systems), what it matches
with reasons, a benefit item's rule, and auto-grant confirmation — through
the same services as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from accounts import policy
from core import api_errors
from core.api_errors import replies
from policies.models import BenefitItem

from . import services
from .models import EnterpriseProfile, GrantEntry, ItemRule

router = Router(tags=["政策匹配"])


class ProfileOut(Schema):
    uscc: str
    name: str
    region: str = Field(alias="region_id")
    attributes: dict[str, Any]
    sources: dict[str, Any]
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_attributes(obj):
        return obj.attributes()


class ProfilePatch(Schema):
    values: dict[str, Any] = Field(
        default_factory=dict,
        description='要更新的属性，如 {"revenue": 1200, "qualifications": ["high_tech"]}；null 或空字符串表示清除',
    )
    name: str | None = Field(None, description="企业名称；新建画像时必填")
    source: str = Field("", description="数据来源部门；不填时按属性的默认来源")
    updated_on: dt.date | None = Field(None, description="数据日期；不填为今天")
    version: int | None = Field(
        None, description="读取时的版本号（或 If-Match 头）；更新已有画像时必填，缺少时返回 428，他人已更新时返回 409"
    )


class ReasonOut(Schema):
    path: str
    outcome: str
    text: str
    shown: str = Field("", description="the answer as the text states it (a “not” folded in)")
    changeable: bool = Field(False, description="the enterprise can bring this condition round")


class ResultOut(Schema):
    item_id: int
    code: str
    title: str
    outcome: str
    nearly: bool
    reasons: list[ReasonOut]
    short_by: list[ReasonOut]
    window_state: str = Field("open", description="申报窗口：open 可申报 / upcoming 未开始 / closed 已截止")
    window: str = ""
    amount: Decimal | None = Field(None, description="预计金额（万元），符合或差一项时")
    basis: str = Field("", description="预计金额的依据")


class MatchesOut(Schema):
    uscc: str
    meets: list[ResultOut]
    nearly: list[ResultOut]
    unknown: list[ResultOut]
    fails: list[ResultOut]


class RuleOut(Schema):
    item_id: int
    rule: dict[str, Any]
    description: str
    grant_amount: Decimal | None
    grant_rate_attr: str
    grant_rate: Decimal | None
    version: int
    updated_at: dt.datetime


class RuleIn(Schema):
    rule: dict[str, Any]
    version: int | None = Field(
        None, description="读取时的版本号（或 If-Match 头）；新建时不填，修改时必填（缺少时返回 428）"
    )
    grant_amount: Decimal | None = None
    grant_rate_attr: str = ""
    grant_rate: Decimal | None = None


class DecisionIn(Schema):
    decision: Literal["confirmed", "declined"]
    version: int


class EntryOut(Schema):
    id: int
    item: str = Field(alias="round.item.title")
    uscc: str = Field(alias="profile.uscc")
    amount: Decimal
    decision: str
    decided_at: dt.datetime | None
    version: int


def _profile_readable(user, profile):
    if policy.can(user, "policy.view", profile):
        return
    if policy.can(user, "matching.calculate") and services.profiles_for(user).filter(pk=profile.pk).exists():
        return
    raise PermissionDenied("无权查看该企业的画像")


@router.get("/enterprises/{uscc}/profile", response=replies(ProfileOut, 401, 403, 404, 422), summary="企业画像")
def get_profile(request, uscc: str):
    profile = get_object_or_404(EnterpriseProfile, uscc=uscc.upper())
    _profile_readable(request.user, profile)
    return profile


@router.patch(
    "/enterprises/{uscc}/profile",
    response=replies(ProfileOut, 400, 401, 403, 404, 409, 422, 428),
    summary="更新企业画像（逐项）",
)
def patch_profile(request, uscc: str, payload: ProfilePatch):
    version = payload.version
    if EnterpriseProfile.objects.filter(uscc=uscc.strip().upper()).exists():
        version = api_errors.required_version(request, version)  # a new profile has none yet
    return services.save_profile(
        request.user,
        uscc=uscc,
        values=payload.values,
        name=payload.name,
        source=payload.source,
        updated_on=payload.updated_on,
        version=version,
    )


def _result(r):
    return {
        "item_id": r.item.pk,
        "code": r.item.code,
        "title": r.item.title,
        "outcome": r.outcome,
        "nearly": r.nearly,
        "reasons": [x.to_dict() for x in r.reasons],
        "short_by": [x.to_dict() for x in r.short_by],
        "window_state": r.window_state,
        "window": r.window,
        "amount": r.amount,
        "basis": r.basis,
    }


@router.get(
    "/enterprises/{uscc}/matches",
    response=replies(MatchesOut, 401, 403, 404, 422),
    summary="政策计算器：逐项判断及理由",
)
def matches(request, uscc: str):
    profile = get_object_or_404(EnterpriseProfile, uscc=uscc.upper())
    _profile_readable(request.user, profile)
    groups = services.calculate(profile.attributes(), reasons="all")
    return {"uscc": profile.uscc, **{k: [_result(r) for r in v] for k, v in groups.items()}}


def _rule_out(rule):
    return {
        "item_id": rule.item_id,
        "rule": rule.rule,
        "description": rule.description,
        "grant_amount": rule.grant_amount,
        "grant_rate_attr": rule.grant_rate_attr,
        "grant_rate": rule.grant_rate,
        "version": rule.version,
        "updated_at": rule.updated_at,
    }


@router.get("/items/{item_id}/rule", response=replies(RuleOut, 401, 403, 404, 422), summary="惠企事项的匹配规则")
def get_rule(request, item_id: int):
    item = get_object_or_404(BenefitItem, pk=item_id)
    policy.require(request.user, "policy.view", item)
    return _rule_out(get_object_or_404(ItemRule, item=item))


@router.put(
    "/items/{item_id}/rule",
    response=replies(RuleOut, 400, 401, 403, 404, 409, 422, 428),
    summary="设定惠企事项的匹配规则",
)
def put_rule(request, item_id: int, payload: RuleIn):
    item = get_object_or_404(BenefitItem, pk=item_id)
    version = payload.version
    if ItemRule.objects.filter(item=item).exists():
        version = api_errors.required_version(request, version)  # a new rule has none yet
    return _rule_out(
        services.save_rule(
            request.user,
            item,
            rule=payload.rule,
            version=version,
            grant_amount=payload.grant_amount,
            grant_rate_attr=payload.grant_rate_attr,
            grant_rate=payload.grant_rate,
        )
    )


@router.post(
    "/grants/entries/{entry_id}/decision",
    response=replies(EntryOut, 400, 401, 403, 404, 409, 422),
    summary="免申即享意愿确认",
)
def decide(request, entry_id: int, payload: DecisionIn):
    entry = get_object_or_404(GrantEntry, pk=entry_id)
    return services.decide(request.user, entry, decision=payload.decision, version=payload.version)
