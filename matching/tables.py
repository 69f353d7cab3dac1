"""The console's matching lists as core.tables specs (sort, filter, page size, Excel
export): benefit items with their rules, matches and pushes; enterprise profiles;
免申即享 rounds."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import tables
from policies.models import BenefitItem, Status

from .models import GrantEntry, GrantRound, ItemRule, Match, Notice, Size

RULE_CHOICES = [("1", "已设规则"), ("0", "未设规则")]


def _count(qs):
    """A per-row count as a correlated subquery: computed for the rows a page shows
    (a COUNT over the whole library joined to the match set took over 30 s)."""
    counted = qs.filter(item=OuterRef("pk")).order_by().values("item").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def items(qs):
    return qs.select_related("region", "department").annotate(
        has_rule=Exists(ItemRule.objects.filter(item=OuterRef("pk"))),
        matched=_count(Match.objects.all()),
        pushes=_count(Notice.objects.filter(kind=Notice.Kind.MATCH)),
    )


ITEMS = tables.Table(
    "matching-items",
    title="惠企事项的匹配规则与推送",
    columns=[
        tables.Column(
            "title", "事项", "title", order=("title",), link=lambda i: reverse("matching_console:rule", args=[i.pk])
        ),
        tables.Column("code", "事项编码", "code", order=("code",)),
        tables.Column("region", "区划", "region.name", order=("region__code",)),
        tables.Column("delivery", "兑现方式", "get_delivery_display", order=("delivery",)),
        tables.Column("status", "状态", "get_status_display", order=("status",)),
        tables.Column("has_rule", "规则", lambda i: "已设" if i.has_rule else "未设", order=("has_rule",)),
        tables.Column("matched", "匹配企业", "matched"),
        tables.Column("pushes", "推送次数", "pushes"),
    ],
    filters=[
        tables.Filter("q", "事项名称或编码", lookups=("title", "code")),
        tables.Filter(
            "with_rule", "规则", choices=RULE_CHOICES, apply=lambda qs, v: qs.filter(has_rule=v == "1"), blank="全部"
        ),
        tables.Filter("delivery", "兑现方式", choices=BenefitItem.Delivery.choices),
        tables.Filter("status", "状态", choices=Status.choices),
    ],
    default_sort="-has_rule",
    per_page=20,
)

PROFILES = tables.Table(
    "matching-profiles",
    title="企业画像",
    columns=[
        tables.Column(
            "uscc",
            "统一社会信用代码",
            "uscc",
            order=("uscc",),
            link=lambda p: reverse("matching_console:profile", args=[p.uscc]),
        ),
        tables.Column("name", "企业名称", "name", order=("name",)),
        tables.Column("region", "区县", "region.name", order=("region__code",)),
        tables.Column("industry", "行业", "industry", order=("industry",)),
        tables.Column("size", "规模", "get_size_display", order=("size",)),
        tables.Column("version", "版本", "version", order=("version",)),
    ],
    filters=[
        tables.Filter("q", "企业名称或统一社会信用代码", lookups=("name", "uscc")),
        tables.Filter("size", "规模", choices=Size.choices),
    ],
    default_sort="uscc",
    per_page=20,
)


def rounds(qs):
    return qs.annotate(
        listed=Count("entries", distinct=True),
        confirmed=Count("entries", filter=Q(entries__decision=GrantEntry.Decision.CONFIRMED), distinct=True),
        declined=Count("entries", filter=Q(entries__decision=GrantEntry.Decision.DECLINED), distinct=True),
    )


def _publicity(r) -> str:
    if r.publicity_from:
        return f"{r.publicity_from:%Y-%m-%d} 至 {r.publicity_until:%Y-%m-%d}"
    return f"{r.publicity_days}个工作日"


ROUNDS = tables.Table(
    "matching-rounds",
    title="免申即享批次",
    columns=[
        tables.Column(
            "item",
            "事项",
            "item.title",
            order=("item__title",),
            link=lambda r: reverse("matching_console:round", args=[r.pk]),
        ),
        tables.Column("opened_at", "发起", "opened_at", order=("opened_at",)),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column("listed", "名单", "listed", order=("listed",)),
        tables.Column("confirmed", "同意", "confirmed", order=("confirmed",)),
        tables.Column("declined", "放弃", "declined", order=("declined",)),
        tables.Column("publicity", "公示期", _publicity),
    ],
    filters=[
        tables.Filter("q", "事项名称", lookups=("item__title", "item__code")),
        tables.Filter("state", "状态", choices=GrantRound.State.choices),
    ],
    default_sort="-opened_at",
    per_page=20,
)
