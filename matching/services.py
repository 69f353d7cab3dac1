"""Everything that changes matching state: profiles, rules, the stored match
set and the pushes it causes, and the auto-grant rounds (免申即享). Each
function checks who is acting, validates everything first and saves in one
transaction, so a refused request changes nothing. The rule language and its
evaluation are matching.engine's; this module only feeds it and stores what
it answers.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import policy
from core import locking, workdays
from core.errors import Conflict, ServiceError
from core.models import Level, Region
from core.regions import region_covers, region_prefix
from core.validators import validate_region_code, validate_uscc
from policies.models import BenefitItem, Status

from . import engine, windows
from .engine.attributes import DERIVED_FROM
from .engine.rules import negative_bounds
from .models import (
    DERIVED_ATTRIBUTES,
    PROFILE_ATTRIBUTES,
    EnterpriseProfile,
    GrantEntry,
    GrantRound,
    ItemRule,
    Match,
    Notice,
    Objection,
    Payout,
)
from .notify import tell as tell_agents

FIELD_LABELS = {"uscc": "统一社会信用代码", "name": "企业名称"}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "f"}
TAG_SPLIT = re.compile(r"[;；,，、|\s]+")
PUBLICITY_DAYS = 5  # Sichuan practice: auto-grant lists are published for 5 working days


def today():
    return timezone.localdate()


def label(name):
    attr = engine.ATTRIBUTES.get(name)
    return attr.label if attr else FIELD_LABELS.get(name, name)


# --- values: one checker for the API, the forms, the what-if and the bulk load ---


def _blank(value):
    return (
        value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and value != value)
    )  # NaN from Parquet


def _number(attr, value):
    if isinstance(value, bool):
        raise ValueError("应为数字")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError("应为数字") from None
    if not number.is_finite():
        raise ValueError("应为数字")
    if number < 0:
        raise ValueError("不能为负数")
    if attr.integer:
        if number != number.to_integral_value():
            raise ValueError("应为整数")
        return int(number)
    if abs(number) >= Decimal("1e14"):
        raise ValueError("数值过大")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _date(value, on):
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError("应为日期，格式 YYYY-MM-DD") from None
    if value > on:
        raise ValueError("不能晚于今天")
    return value


def _tags(attr, value):
    tags = value if isinstance(value, (list, tuple)) else TAG_SPLIT.split(str(value).strip())
    out = []
    by_label = {v: k for k, v in attr.choices.items()}
    for tag in tags:
        tag = str(tag).strip()
        if not tag:
            continue
        tag = by_label.get(tag, tag)
        if attr.choices and tag not in attr.choices:
            raise ValueError(f"未知的资质标签“{tag}”，可用：{'、'.join(attr.choices)}")
        if tag not in out:
            out.append(tag)
    return out


def _bool(value):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("应为“是”或“否”")


_regions = None


def _registration_codes():
    """Where an enterprise may be registered: a county, or a city itself (xxxx00 —
    enterprises registered with a city's market regulator, e.g. in a development zone)."""
    global _regions
    if _regions is None:
        _regions = set(Region.objects.filter(level__in=[Level.COUNTY, Level.CITY]).values_list("code", flat=True))
    return _regions


def clean_value(name, value, *, on=None):
    """One attribute's value as stored, or ValueError with the rule it broke."""
    attr = engine.ATTRIBUTES[name]
    if attr.derived:
        raise ValueError(f"由{'、'.join(label(n) for n in DERIVED_FROM.get(name, ()))}计算得出，不能直接填写")
    if _blank(value):
        if name == "region":
            raise ValueError("为必填项")
        return [] if attr.type == "tags" else ("" if attr.type in ("code", "category") else None)
    if attr.type == "number":
        return _number(attr, value)
    if attr.type == "date":
        return _date(value, on or today())
    if attr.type == "tags":
        return _tags(attr, value)
    if attr.type == "bool":
        return _bool(value)
    text = str(value).strip()
    if name == "region":
        try:
            validate_region_code(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        if text not in _registration_codes():
            raise ValueError("不是四川省的市或区县行政区划代码（GB/T 2260）")
        return text
    if name == "industry":
        if not engine.is_valid_industry(text):
            raise ValueError("不是有效的国民经济行业代码（GB/T 4754-2017）")
        return text
    if attr.type == "category":
        upper = text.upper() if name == "credit_rating" else text
        by_label = {v: k for k, v in attr.choices.items()}
        upper = by_label.get(text, upper)
        if upper not in attr.choices:
            raise ValueError(f"应为以下之一：{'、'.join(attr.choices)}")
        return upper
    return text


def clean_values(raw: dict, *, on=None, allow_derived=False):
    """(values, errors): each known attribute checked; unknown names refused."""
    values, errors = {}, {}
    for name, value in raw.items():
        if name not in engine.ATTRIBUTES:
            errors[name] = [f"未知的属性“{name}”"]
            continue
        if allow_derived and engine.ATTRIBUTES[name].derived:
            continue
        try:
            values[name] = clean_value(name, value, on=on)
        except ValueError as exc:
            errors[name] = [f"{label(name)}{exc}"]
    return values, errors


def clean_identity(uscc, name, *, need_name=True):
    errors, out = {}, {}
    try:
        out["uscc"] = validate_uscc((uscc or "").strip().upper())
    except ValidationError as exc:
        errors["uscc"] = list(exc.messages)
    name = (name or "").strip()
    if name:
        if len(name) > 120:
            errors["name"] = ["企业名称不能超过120个字"]
        out["name"] = name
    elif need_name:
        errors["name"] = ["企业名称为必填项"]
    return out, errors


def _stamp(profile, names, source, updated_on):
    sources = dict(profile.sources or {})
    for name in names:
        attr = engine.ATTRIBUTES[name]
        sources[name] = {"source": source or attr.source, "updated_on": (updated_on or today()).isoformat()}
    profile.sources = sources


def _apply(profile, values):
    for name, value in values.items():
        if name == "region":
            profile.region_id = value
        else:
            setattr(profile, name, value)


# --- profiles ---


@transaction.atomic
def save_profile(actor, *, uscc, values: dict, name=None, source="", updated_on=None, version=None):
    """Create or update one enterprise's profile (the API's PATCH). Only the
    attributes given change; each gets its source and date."""
    identity, errors = clean_identity(uscc, name, need_name=False)
    cleaned, value_errors = clean_values(values)
    errors.update(value_errors)
    if updated_on is not None and updated_on > today():
        errors["updated_on"] = ["更新日期不能晚于今天"]
    if errors:
        raise ServiceError("企业画像数据有误", errors=errors)
    profile = EnterpriseProfile.objects.select_for_update().filter(uscc=identity["uscc"]).first()
    if profile is None:
        missing = {}
        if "name" not in identity:
            missing["name"] = ["新建企业画像须填写企业名称"]
        if "region" not in cleaned:
            missing["region"] = ["新建企业画像须填写所在区县"]
        if missing:
            raise ServiceError("新建企业画像的信息不完整", errors=missing)
        profile = EnterpriseProfile(uscc=identity["uscc"], name=identity["name"])
        _link_organisation(profile)
    else:
        locking.check_version(
            profile, version, f"{profile.name}的画像已被更新（当前版本 {profile.version}），请重新读取后再提交"
        )
    policy.require(actor, "matching.profile", profile if profile.pk else _Scope(cleaned.get("region")))
    if profile.pk and "region" in cleaned:
        policy.require(actor, "matching.profile", _Scope(cleaned["region"]))
    if "name" in identity:
        profile.name = identity["name"]
    _apply(profile, cleaned)
    _stamp(profile, cleaned, source, updated_on)
    profile.version += 1
    profile.save()
    enqueue_profile_push([profile.pk])
    return profile


class _Scope:
    """Stands for a profile not yet saved, so policy can check the region."""

    def __init__(self, region):
        self.scope_region_code = region


def _link_organisation(profile):
    from accounts.models import Organisation

    profile.organisation = Organisation.objects.filter(uscc=profile.uscc).first()


def profile_for(user, uscc=None):
    """The profile an enterprise user acts for: of an organisation they are
    the agent of (the one named, or the first)."""
    from accounts.models import Organisation

    orgs = policy.visible(user, Organisation.objects.all())
    profiles = EnterpriseProfile.objects.filter(uscc__in=orgs.values("uscc")).select_related("region")
    if uscc:
        profiles = profiles.filter(uscc=uscc)
    return profiles.order_by("uscc").first()


def profiles_for(user):
    from accounts.models import Organisation

    orgs = policy.visible(user, Organisation.objects.all())
    return EnterpriseProfile.objects.filter(uscc__in=orgs.values("uscc")).order_by("uscc")


# --- rules ---


def _rule_errors(rule):
    problems = engine.validate(rule) or negative_bounds(rule)
    return [f"{p.path}：{p.message}" if p.path else p.message for p in problems]


def _rule_conflict(current):
    who = current.updated_by.name if current.updated_by else "他人"
    return f"该事项的规则已被{who}于{timezone.localtime(current.updated_at):%Y-%m-%d %H:%M}修改，请刷新后再保存"


@transaction.atomic
def save_rule(actor, item, *, rule, version=None, grant_amount=None, grant_rate_attr="", grant_rate=None):
    """Set a benefit item's rule. A rule the engine refuses is refused here,
    with the message pointing at the part in error."""
    policy.require(actor, "matching.manage", item)
    if isinstance(rule, str):
        import json

        try:
            rule = json.loads(rule)
        except ValueError as exc:
            raise ServiceError(
                "规则不是有效的JSON", errors={"rule": [f"JSON格式错误：第{exc.lineno}行第{exc.colno}列，{exc.msg}"]}
            ) from None
    errors = {}
    problems = _rule_errors(rule)
    if problems:
        errors["rule"] = problems
    if grant_rate_attr:
        attr = engine.ATTRIBUTES.get(grant_rate_attr)
        if attr is None or attr.type != "number":
            errors["grant_rate_attr"] = ["按比例兑现的属性应为数值型属性，如 rd_spending"]
        elif grant_rate is None:
            errors["grant_rate"] = ["按比例兑现须填写比例"]
    for name, value in (("grant_amount", grant_amount), ("grant_rate", grant_rate)):
        if value is not None and Decimal(value) < 0:
            errors[name] = ["不能为负数"]
    if errors:
        raise ServiceError("规则有误，未保存", errors=errors)
    current = ItemRule.objects.select_for_update().filter(item=item).first()
    if current is None:
        current = ItemRule(item=item)
    else:
        locking.check_version(current, version, _rule_conflict)
    current.rule = rule
    current.description = engine.describe(rule)
    current.grant_amount = grant_amount
    current.grant_rate_attr = grant_rate_attr or ""
    current.grant_rate = grant_rate
    current.updated_by = actor
    current.version += 1
    current.save()
    enqueue_item_push(item.pk)
    return current


# --- evaluating: the calculator ---


def derive(attrs: dict) -> dict:
    """Fill size and rd_ratio from the base attributes, as a saved profile does."""
    out = {k: v for k, v in attrs.items() if k not in DERIVED_ATTRIBUTES}
    # size and rd_ratio are left to the engine: a size still undecided is the set of
    # classes possible, and the R&D ratio is compared exactly (never rounded first)
    for name, value in list(out.items()):
        if isinstance(value, Decimal):
            out[name] = float(value)
    return out


@dataclass
class ItemResult:
    item: BenefitItem
    outcome: str
    nearly: bool
    reasons: list
    short_by: list = field(default_factory=list)
    window_state: str = "open"  # open / upcoming / closed: the item's application window today
    amount: Decimal | None = None  # estimated amount (万元) when it meets
    basis: str = ""  # how the amount is estimated
    changed: str = ""  # what-if: "new" (meets now) or "lost" (no longer meets)

    @property
    def window(self) -> str:
        """The application window in words ("" when always open)."""
        return window_text(self.item)

    @property
    def shown_reasons(self) -> list:
        """The reasons once each, leaving out what 还差 already says."""
        said = {r.text for r in self.short_by} if self.nearly else set()
        out = []
        for r in self.reasons:
            if r.text not in said:
                said.add(r.text)
                out.append(r)
        return out

    @property
    def shown_short_by(self) -> list:
        return list({r.text: r for r in self.short_by if r.changeable or not self.nearly}.values())


WINDOW_ORDER = {"open": 0, "upcoming": 1, "closed": 2}


def window_state(item, on) -> str:
    """open / upcoming / closed on the day `on`: the dates, else the yearly window in
    words and the year in the title (matching/windows.py)."""
    return windows.state(item.apply_from, item.apply_until, item.apply_period, item.title, on)


def window_text(item) -> str:
    if item.apply_from or item.apply_until:
        start = f"{item.apply_from:%Y年%-m月%-d日}" if item.apply_from else "即日"
        end = f"{item.apply_until:%Y年%-m月%-d日}" if item.apply_until else "长期"
        return f"申报时间：{start}至{end}"
    return f"申报时间：{item.apply_period}" if item.apply_period else ""


def estimate(rule: ItemRule, attrs: dict) -> tuple[Decimal | None, str]:
    """(amount in 万元 or None, the basis in words) of what one enterprise could get."""
    item, cap = rule.item, rule.item.amount_cap
    if rule.grant_amount is not None:
        return rule.grant_amount, f"定额 {_wan(rule.grant_amount)}"
    if rule.grant_rate_attr and rule.grant_rate is not None:
        attr = engine.ATTRIBUTES[rule.grant_rate_attr]  # save_rule admits number attributes only
        amount = grant_amount(rule, attrs)
        capped = f"，最高 {_wan(cap)}" if cap is not None else ""
        if amount is None:
            return None, f"按{attr.label}的 {rule.grant_rate.normalize():f}% 计{capped}（缺少{attr.label}数据）"
        return amount, f"按{attr.label}的 {rule.grant_rate.normalize():f}% 计{capped}"
    if cap is not None:
        return cap, f"按最高金额 {_wan(cap)} 估算（支持标准：{item.amount}）"
    return None, f"支持标准：{item.amount}" if item.amount else ""


def _wan(amount) -> str:
    return f"{Decimal(amount).normalize():,f}万元"


ITEM_FIELDS = (
    "item__id",
    "item__code",
    "item__title",
    "item__kind",
    "item__delivery",
    "item__status",
    "item__region_id",
    "item__region__name",
    "item__department__name",
    "item__amount_cap",
    "item__updated_at",
    "item__apply_from",
    "item__apply_until",
    "item__apply_period",
    "item__amount",
)
_listed_cache = {"key": None, "rules": None, "index": None}


def listed_rules(region=None):
    """Rules of published items, with the item; only those claimed for a
    region that covers `region` when given."""
    qs = (
        ItemRule.objects.filter(item__status=Status.PUBLISHED)
        .select_related("item", "item__region", "item__department")
        .only("id", "item_id", "rule", "version", "grant_amount", "grant_rate_attr", "grant_rate", *ITEM_FIELDS)
        .order_by("item__id")
    )
    rules = list(qs)
    if region:
        rules = [r for r in rules if region_covers(r.item.region_id, region)]
    return rules


def listed_index():
    """(rules by item id, the engine's item index) of the listed items, kept
    per process until a rule or a listed item changes."""
    from django.db.models import Count, Max

    key = tuple(
        ItemRule.objects.filter(item__status=Status.PUBLISHED)
        .aggregate(n=Count("id"), rule=Max("updated_at"), item=Max("item__updated_at"), top=Max("id"))
        .values()
    )
    if _listed_cache["key"] != key:
        rules = {r.item_id: r for r in listed_rules()}
        _listed_cache.update(key=key, rules=rules, index=engine.ItemIndex(_engine_items(rules.values())))
    return _listed_cache["rules"], _listed_cache["index"]


def calculate(attrs: dict, *, on=None, reasons="shown"):
    """Every listed item for one enterprise: meets, nearly meets (one condition short,
    and one it can change), cannot tell, does not meet — each with its reasons, its
    application window and, when it meets, an estimated amount. Within a group, what
    can be claimed now comes first, then windows not yet open, then closed ones.
    reasons="shown" (the page) gives items that fail no reasons; "all" gives every item its."""
    on = on or today()
    attrs = derive(attrs)
    rules, index = listed_index()
    groups: dict[str, list[ItemResult]] = {"meets": [], "nearly": [], "unknown": [], "fails": []}
    for item_rule, verdict in engine.evaluate_entity(index, attrs, today=on, reasons=reasons):
        rule = rules[item_rule.item_id]
        state = window_state(rule.item, on)
        # "nearly" is a way to claim: an item whose window has closed offers none
        nearly = verdict.outcome == "fails" and verdict.nearly and state != "closed"
        key = "nearly" if nearly else verdict.outcome
        result = ItemResult(
            rule.item,
            verdict.outcome,
            verdict.nearly and nearly,
            list(verdict.reasons),
            list(verdict.short_by or []),
            state,
        )
        if key in ("meets", "nearly"):
            result.amount, result.basis = estimate(rule, attrs)
        groups[key].append(result)
    for results in groups.values():
        results.sort(key=lambda r: WINDOW_ORDER[r.window_state])  # stable: by item within a window state
    return groups


def claimable_total(groups) -> tuple[Decimal, int]:
    """(estimated total of the items that meet and can be claimed now, how many of them
    have no figure to add)."""
    now = [r for r in groups["meets"] if r.window_state == "open"]
    return sum((r.amount for r in now if r.amount is not None), Decimal(0)), sum(r.amount is None for r in now)


def _engine_items(rules):
    return [engine.ItemRule(r.item_id, r.item.region_id, r.rule) for r in rules]


def what_if(profile, raw: dict):
    """The calculator with some values changed, the stored profile untouched.
    Returns (groups, the values tried that differ from the profile)."""
    report = what_if_report(profile, raw)
    return report.groups, report.values


@dataclass
class WhatIf:
    groups: dict
    values: dict  # attribute: value tried (only those that differ from the profile)
    changes: list  # (label, before, after) in words
    new: list  # ItemResults that meet with the values tried and did not before
    lost: list  # ItemResults that met before and do not with the values tried
    total_before: Decimal = Decimal(0)
    total_after: Decimal = Decimal(0)


def what_if_report(profile, raw: dict, *, on=None):
    """What changes when some values are tried: each changed value in words, the
    items newly met and no longer met, and the estimated total before and after."""
    changed = {
        k: v
        for k, v in raw.items()
        if not _blank(v) or engine.ATTRIBUTES.get(k, None) and engine.ATTRIBUTES[k].type == "tags"
    }
    values, errors = clean_values(changed)
    if errors:
        raise ServiceError("假设的数据有误", errors=errors)
    base = profile.attributes()
    values = {k: v for k, v in values.items() if v is not None and v != "" and not _same(base.get(k), v)}
    attrs = dict(base)
    attrs.update(values)
    before, after = calculate(base, on=on), calculate(attrs, on=on, reasons="all")  # lost ones say why
    met_before = {r.item.pk: r for r in before["meets"]}
    met_after = {r.item.pk for r in after["meets"]}
    new, lost = [], []
    for results in after.values():
        for r in results:
            if r.item.pk in met_after - met_before.keys():
                r.changed = "new"
                new.append(r)
            elif r.item.pk in met_before.keys() - met_after:
                r.changed = "lost"
                r.amount, r.basis = met_before[r.item.pk].amount, met_before[r.item.pk].basis  # what is given up
                lost.append(r)
    changes = [(label(k), shown_value(k, base.get(k)), shown_value(k, v)) for k, v in values.items()]
    return WhatIf(after, values, changes, new, lost, claimable_total(before)[0], claimable_total(after)[0])


def _same(before, after) -> bool:
    if isinstance(after, list):
        return set(before or []) == set(after)
    if before is None:
        return False
    if isinstance(after, (int, Decimal)) and isinstance(before, (int, float, Decimal)):
        return Decimal(str(before)) == Decimal(after)
    return before == after


def shown_value(name, value) -> str:
    """An attribute's value in words: 高新技术企业、科技型中小企业; 1,500万元; A级."""
    attr = engine.ATTRIBUTES[name]
    if value is None or value == "" or value == []:
        return "（无）"
    if attr.type == "tags":
        return "、".join(attr.choices.get(t, t) for t in value)
    if attr.type == "category":
        return attr.choices.get(value, str(value))
    if attr.type == "number":
        number = Decimal(str(value)).normalize()
        return f"{number:,f}{attr.unit}"
    if attr.type == "bool":
        return "是" if value else "否"
    return str(value)


# --- the stored match set and pushes ---


def _profile_rows(region_prefix_code=""):
    qs = EnterpriseProfile.objects.all()
    if region_prefix_code:
        qs = qs.filter(region__code__startswith=region_prefix_code)
    ids, records = [], []
    # the stored size and rd_ratio are for display (rounded, one class or none): the engine derives its own
    columns = ["id", "region_id"] + [n for n in PROFILE_ATTRIBUTES if n != "region" and n not in DERIVED_ATTRIBUTES]
    for row in qs.values_list(*columns).iterator(chunk_size=2000):
        ids.append(row[0])
        record = {"region": row[1]}
        for name, value in zip(columns[2:], row[2:]):
            if value is None or value == "":
                continue
            record[name] = float(value) if isinstance(value, Decimal) else value
        record.setdefault("qualifications", [])
        records.append(record)
    return ids, records


def _table(region_code=""):
    ids, records = _profile_rows(region_prefix(region_code) if region_code and region_code != "510000" else "")
    return engine.ProfileTable.from_records(records, ids=ids)


def _store(item, matched_ids, *, notify=True, at=None):
    """Make the stored set for `item` equal `matched_ids`; a notice for each
    enterprise not in it before. Returns the newly matched ids."""
    at = at or timezone.now()
    matched = {int(i) for i in matched_ids}
    before = set(Match.objects.filter(item=item).values_list("profile_id", flat=True))
    new, gone = matched - before, before - matched
    if gone:
        Match.objects.filter(item=item, profile_id__in=gone).delete()
    _insert(Match, ["profile_id", "item_id", "matched_at"], [(pid, item.pk, at) for pid in sorted(new)])
    if notify and new:
        text = match_text(item)
        _insert(
            Notice,
            ["profile_id", "item_id", "kind", "text", "created_at"],
            [(pid, item.pk, Notice.Kind.MATCH, text, at) for pid in sorted(new)],
        )
    return new


def _insert(model, columns, rows):
    """Plain INSERTs for derived rows (matches, pushes): the ORM's bulk_create
    spends most of its time building model instances we never use."""
    if not rows:
        return
    from django.db import connection

    qn = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def match_text(item):
    how = (
        "符合条件即可享受，无需申请，请留意意愿确认通知"
        if item.delivery == BenefitItem.Delivery.AUTO_GRANT
        else f"可按{item.get_delivery_display()}方式申报"
    )
    return f"根据贵单位的企业画像，您符合“{item.title}”的条件（{item.get_kind_display()}），{how}。"


@transaction.atomic
def refresh_item(item_id, *, on=None, notify=True):
    """Match one item against every enterprise in its region; store the set
    and push to the newly matched."""
    item = BenefitItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        return set()
    rule = ItemRule.objects.filter(item=item).first()
    if rule is None or item.status != Status.PUBLISHED:
        Match.objects.filter(item=item).delete()
        return set()
    table = _table(item.region_id)
    ids = engine.match_item(engine.ItemRule(item.pk, item.region_id, rule.rule), table, today=on or today())
    return _store(item, ids, notify=notify)


@transaction.atomic
def refresh_profiles(profile_ids, *, on=None, notify=True):
    """Match changed enterprises against every listed item."""
    on = on or today()
    _, index = listed_index()
    new_total = 0
    for profile in EnterpriseProfile.objects.filter(pk__in=profile_ids):
        meets = {
            item.item_id
            for item, verdict in engine.evaluate_entity(index, derive(profile.attributes()), today=on, reasons="none")
            if verdict.outcome == "meets"
        }
        before = set(Match.objects.filter(profile=profile).values_list("item_id", flat=True))
        new, gone = meets - before, before - meets
        Match.objects.filter(profile=profile, item_id__in=gone).delete()
        now = timezone.now()
        Match.objects.bulk_create([Match(profile=profile, item_id=i, matched_at=now) for i in sorted(new)])
        if notify:
            items = {i.pk: i for i in BenefitItem.objects.filter(pk__in=new)}
            pushed = Notice.objects.bulk_create(
                [
                    Notice(
                        profile=profile,
                        item=items[i],
                        kind=Notice.Kind.MATCH,
                        created_at=now,
                        text=match_text(items[i]),
                    )
                    for i in sorted(new)
                ]
            )
            tell_agents(pushed, occasion=f"push-{now.isoformat()}")
        new_total += len(new)
    return new_total


@transaction.atomic
def refresh_all(*, on=None, notify=True):
    """The full match: every enterprise against every listed item (engine
    bulk path). Returns (pairs stored, notices pushed)."""
    on = on or today()
    rules = listed_rules()
    ids, records = _profile_rows()
    table = engine.ProfileTable.from_records(records, ids=ids)
    result = engine.match_all(_engine_items(rules), table, today=on)
    by_item = {int(item_id): matched for item_id, matched in result.items()}
    pushed = 0
    for r in rules:
        pushed += len(_store(r.item, by_item.get(r.item_id, ()), notify=notify))
    Match.objects.exclude(item_id__in=[r.item_id for r in rules]).delete()
    return Match.objects.count(), pushed


def enqueue_item_push(item_id):
    from . import tasks

    tasks.push_item.enqueue(item_id)


def enqueue_profile_push(profile_ids):
    from . import tasks

    if profile_ids:
        tasks.push_profiles.enqueue(list(profile_ids))


@transaction.atomic
def mark_read(user, notice):
    profile_ids = set(profiles_for(user).values_list("pk", flat=True))
    if notice.profile_id not in profile_ids:
        raise ServiceError("只能查看本单位的消息", status=403, code="forbidden")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def push_counts():
    """Pushes made, per item (a count of notices, never a counter)."""
    from django.db.models import Count

    return (
        Notice.objects.filter(kind=Notice.Kind.MATCH)
        .values("item_id", "item__title")
        .annotate(pushes=Count("id"))
        .order_by("-pushes")
    )


# --- auto-grant (免申即享) ---


def _audit(action, obj, *, after, actor):
    """Rows written in bulk skip the model signals; record them here."""
    from core import audit

    audit.record(action, obj, after=after, actor=audit.current_actor() or audit.Actor(actor))


def grant_amount(rule: ItemRule, attrs: dict) -> Decimal | None:
    """The amount one enterprise receives: the rule's fixed amount, else its
    rate of an attribute (capped by the item's cap), else the item's cap."""
    cap = rule.item.amount_cap
    if rule.grant_amount is not None:
        return rule.grant_amount
    if rule.grant_rate_attr and rule.grant_rate is not None:
        base = attrs.get(rule.grant_rate_attr)
        if base is None and engine.ATTRIBUTES[rule.grant_rate_attr].derived:
            base = engine.normalize_profile(attrs)[rule.grant_rate_attr]  # rd_ratio, exactly
        if base is None or isinstance(base, frozenset):
            return None
        if not isinstance(base, (int, float, Decimal)):
            base = Decimal(base.numerator) / Decimal(base.denominator)
        amount = (Decimal(str(base)) * rule.grant_rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return min(amount, cap) if cap is not None else amount
    return cap


def _locked_round(round_, version, states, step):
    rounds = GrantRound.objects.select_related("item", "item__department")
    fresh = locking.lock(rounds, round_.pk, version, "该批次已被他人处理，请刷新后查看")
    if fresh.state not in states:
        raise Conflict(f"该批次当前状态为“{fresh.get_state_display()}”，不能{step}")
    return fresh


@transaction.atomic
def open_round(actor, item, *, publicity_days=PUBLICITY_DAYS):
    """List the enterprises an auto-grant item matches and ask each to confirm."""
    policy.require(actor, "matching.manage", item)
    item = BenefitItem.objects.select_for_update().get(pk=item.pk)
    errors = {}
    if item.delivery != BenefitItem.Delivery.AUTO_GRANT:
        errors["item"] = ["只有兑现方式为“免申即享”的事项才能发起免申即享"]
    elif item.status != Status.PUBLISHED:
        errors["item"] = ["事项尚未发布"]
    rule = ItemRule.objects.filter(item=item).select_related("item").first()
    if rule is None and not errors:
        errors["item"] = ["该事项还没有匹配规则"]
    try:
        publicity_days = int(publicity_days)
        if not 1 <= publicity_days <= 30:
            raise ValueError
    except (TypeError, ValueError):
        errors["publicity_days"] = ["公示期应为1至30个工作日"]
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], errors=errors)
    if GrantRound.objects.filter(item=item).exclude(state=GrantRound.State.PAID).exists():
        raise Conflict("该事项已有进行中的免申即享批次，请办结后再发起")
    refresh_item(item.pk)
    now = timezone.now()
    round_ = GrantRound.objects.create(item=item, opened_by=actor, opened_at=now, publicity_days=publicity_days)
    entries, missing = [], []
    for match in Match.objects.filter(item=item).select_related("profile").order_by("profile__uscc"):
        amount = grant_amount(rule, derive(match.profile.attributes()))
        if amount is None:
            missing.append(match.profile.name)
            continue
        entries.append(GrantEntry(round=round_, profile=match.profile, amount=amount))
    if missing and not entries:
        raise ServiceError(
            "未设定兑现金额：请在规则中填写固定金额或比例，或在事项中填写最高金额",
            errors={"item": ["无法计算兑现金额"]},
        )
    GrantEntry.objects.bulk_create(entries)
    _audit("create", round_, after={"entries": [[e.profile.uscc, e.amount] for e in entries]}, actor=actor)
    tell_agents(
        Notice.objects.bulk_create(
            [
                Notice(
                    profile=e.profile,
                    item=item,
                    kind=Notice.Kind.GRANT,
                    created_at=now,
                    text=f"您符合“{item.title}”免申即享条件，拟兑现{e.amount}万元，请在“免申即享”中确认是否享受。",
                )
                for e in entries
            ]
        ),
        occasion=f"grant-{round_.pk}",
    )
    return round_


@transaction.atomic
def decide(actor, entry, *, decision, version=None):
    """An enterprise confirms or declines (意愿确认). The first answer stands."""
    from accounts.models import Organisation

    if decision not in (GrantEntry.Decision.CONFIRMED, GrantEntry.Decision.DECLINED):
        raise ServiceError("请选择同意享受或放弃享受", errors={"decision": ["请选择同意享受或放弃享受"]})
    fresh = GrantEntry.objects.select_for_update().select_related("profile", "round", "round__item").get(pk=entry.pk)
    org = Organisation.objects.filter(uscc=fresh.profile.uscc).first()
    if org is None:
        # Nobody can act for an enterprise that has no registered organisation.
        raise PermissionDenied("无权确认免申即享意愿：该企业尚未登记法人信息及经办人")
    policy.require(actor, "matching.confirm", org)
    if fresh.round.state != GrantRound.State.CONFIRMING:
        raise Conflict("意愿确认已截止，名单已进入公示")
    if fresh.decision != GrantEntry.Decision.PENDING:
        who = fresh.decided_by.name if fresh.decided_by else "他人"
        raise Conflict(
            f"本单位已由{who}于{timezone.localtime(fresh.decided_at):%Y-%m-%d %H:%M}"
            f"确认为“{fresh.get_decision_display()}”"
        )
    locking.check_version(fresh, version, "该记录已被他人处理，请刷新后查看")
    fresh.decision = decision
    fresh.decided_by = actor
    fresh.decided_at = timezone.now()
    locking.bump(fresh, "decision", "decided_by", "decided_at", message="该记录已被他人处理，请刷新后查看")
    return fresh


@transaction.atomic
def publish_round(actor, round_, *, version=None, on=None):
    """Publish the confirmed enterprises for objections (公示) for the round's
    number of working days; those that did not confirm are left out."""
    policy.require(actor, "matching.grant", round_)
    fresh = _locked_round(round_, version, {GrantRound.State.CONFIRMING}, "发布公示")
    confirmed = list(fresh.entries.filter(decision=GrantEntry.Decision.CONFIRMED).select_related("profile"))
    if not confirmed:
        raise ServiceError("还没有企业确认享受，不能发布公示", errors={"round": ["无已确认的企业"]})
    start = on or today()
    fresh.publicity_from = start
    fresh.publicity_until = workdays.add_working_days(start, fresh.publicity_days)
    fresh.published_by = actor
    fresh.state = GrantRound.State.PUBLICITY
    fresh.version += 1
    fresh.save()
    now = timezone.now()
    tell_agents(
        Notice.objects.bulk_create(
            [
                Notice(
                    profile=e.profile,
                    item=fresh.item,
                    kind=Notice.Kind.PUBLICITY,
                    created_at=now,
                    text=f"“{fresh.item.title}”免申即享名单已公示，公示期至{fresh.publicity_until:%Y年%m月%d日}。",
                )
                for e in confirmed
            ]
        ),
        occasion=f"publicity-{fresh.pk}",
    )
    return fresh


@transaction.atomic
def record_objection(actor, entry, *, text, raised_by, upheld=False):
    """An objection received during publicity; an upheld one takes the
    enterprise off the list."""
    fresh = (
        GrantEntry.objects.select_for_update()
        .select_related("round", "round__item", "round__item__department")
        .get(pk=entry.pk)
    )
    policy.require(actor, "matching.grant", fresh.round)
    errors = {}
    if not (text or "").strip():
        errors["text"] = ["异议内容为必填项"]
    if not (raised_by or "").strip():
        errors["raised_by"] = ["异议人为必填项"]
    if errors:
        raise ServiceError("异议信息不完整", errors=errors)
    if fresh.round.state != GrantRound.State.PUBLICITY:
        raise Conflict("只能在公示期间登记异议")
    if fresh.decision != GrantEntry.Decision.CONFIRMED:
        raise ServiceError("该企业未列入公示名单", errors={"entry": ["只能对公示名单中的企业登记异议"]})
    objection = Objection.objects.create(
        entry=fresh,
        text=text.strip(),
        raised_by=raised_by.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
        upheld=bool(upheld),
    )
    if upheld and not fresh.excluded:
        fresh.excluded = True
        fresh.version += 1
        fresh.save(update_fields=["excluded", "version"])
    return objection


@transaction.atomic
def make_payouts(actor, round_, *, version=None, on=None):
    """After publicity: a payout record for each confirmed enterprise on the list."""
    policy.require(actor, "matching.grant", round_)
    fresh = _locked_round(round_, version, {GrantRound.State.PUBLICITY}, "兑现")
    on = on or today()
    if on <= fresh.publicity_until:
        raise ServiceError(
            f"公示期至{fresh.publicity_until:%Y-%m-%d}，公示期满后方可兑现", errors={"round": ["公示期未满"]}
        )
    now = timezone.now()
    entries = list(
        fresh.entries.filter(decision=GrantEntry.Decision.CONFIRMED, excluded=False).select_related("profile")
    )
    Payout.objects.bulk_create(
        [Payout(entry=e, amount=e.amount, paid_on=on, made_by=actor, made_at=now) for e in entries]
    )
    tell_agents(
        Notice.objects.bulk_create(
            [
                Notice(
                    profile=e.profile,
                    item=fresh.item,
                    kind=Notice.Kind.PAYOUT,
                    created_at=now,
                    text=f"“{fresh.item.title}”已兑现{e.amount}万元。",
                )
                for e in entries
            ]
        ),
        occasion=f"payout-{fresh.pk}",
    )
    for payout in Payout.objects.filter(entry__round=fresh).select_related("entry__profile"):
        _audit(
            "create",
            payout,
            after={"amount": payout.amount, "paid_on": payout.paid_on, "enterprise": payout.entry.profile.uscc},
            actor=actor,
        )
    fresh.state = GrantRound.State.PAID
    fresh.paid_by = actor
    fresh.paid_at = now
    fresh.version += 1
    fresh.save()
    return fresh
