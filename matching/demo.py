"""Demo data for matching: enterprise profiles spread over the province
(deterministic), the demo agent's organisation among them, rules for a subset
of the policy library's benefit items (built from each item's topic, its
industries and sizes), an auto-grant round the agent's organisation is asked
to confirm, and the initial match with its pushes.

Idempotent (nothing is done once the agent's organisation has a profile) and
fast. When the policy library's demo is not loaded (tests), it adds a small
demo document with the items it needs.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from accounts.demo import ORGANISATIONS, make_uscc
from accounts.models import Organisation, User
from core.models import Department, Level, Region
from core.regions import region_covers
from policies.models import BenefitItem, PolicyDocument, Status

from . import engine, services
from .models import EnterpriseProfile, GrantRound, ItemRule

SEED = 20241104
PROFILES = 1500
RULES_PER_TOPIC = 12
PROVINCE_PER_TOPIC = 2
AGENT_ORG = "成都锦程数字科技有限公司"
# The agent's organisation: a small software company with R&D, a tech SME, not (yet) high-tech.
AGENT_PROFILE = {
    "region": "510104",
    "industry": "I6513",
    "founded_on": dt.date(2015, 6, 18),
    "registered_capital": Decimal("1000"),
    "employees": 86,
    "insured_employees": 82,
    "revenue": Decimal("1260"),
    "total_assets": Decimal("3100"),
    "tax_paid": Decimal("95"),
    "rd_spending": Decimal("118"),
    "exports": None,
    "patents": 3,
    "credit_rating": "A",
    "qualifications": ["tech_sme", "innovative_sme"],
    "is_listed": False,
    "is_individual": False,
}
# Typical industry codes (GB/T 4754-2017 classes) by broad sector.
INDUSTRIES = [
    "C3911",
    "C3831",
    "C2710",
    "C1513",
    "C3670",
    "C2614",
    "C3340",
    "C1810",
    "I6513",
    "I6511",
    "I6531",
    "M7320",
    "F5261",
    "F5191",
    "G5174",
    "E4710",
    "E4813",
    "H6110",
    "H6210",
    "A0111",
    "A0312",
    "L7212",
    "R8710",
    "K7010",
    "O8010",
]
NAME_PLACES = ["锦华", "天府", "蜀道", "西岭", "嘉陵", "峨眉", "岷江", "青城", "巴山", "金沙", "蓉城", "川南"]
NAME_TRADES = ["科技", "实业", "精密制造", "商贸", "电子", "建设", "农业发展", "文旅", "物流", "软件", "新材料", "能源"]
QUALIFICATIONS = list(engine.ATTRIBUTES["qualifications"].choices)


def leaf(attr, op, value=None):
    node = {"attr": attr, "op": op}
    if value is not None:
        node["value"] = value
    return node


# Conditions by the policy demo's topic: what the data held by departments can decide.
TOPIC_LEAVES = {
    "稳岗返还": [leaf("insured_employees", ">=", 10), leaf("credit_rating", "in", ["A", "B", "M"])],
    "吸纳就业补贴": [leaf("employees", ">=", 20), leaf("insured_employees", ">=", 15)],
    "人才引进": [leaf("rd_spending", ">=", 50)],
    "高新技术企业认定奖励": [leaf("qualifications", "has", "high_tech"), leaf("rd_ratio", ">=", 3)],
    "科技型中小企业": [leaf("qualifications", "has", "tech_sme"), leaf("rd_spending", ">", 0)],
    "研发费用加计扣除": [leaf("rd_spending", ">", 0), leaf("credit_rating", "in", ["A", "B"])],
    "小微企业减税": [leaf("size", "in", ["small", "micro"])],
    "专精特新": [leaf("qualifications", "has_any", ["specialised_sme", "little_giant"])],
    "首台套": [leaf("industry", "prefix", ["C34", "C35", "C38", "C39", "C40"])],
    "技术改造": [leaf("industry", "prefix", ["C"]), leaf("total_assets", ">=", 2000)],
    "数字化转型": [leaf("founded_on", "years_since>=", 2), leaf("employees", ">=", 10)],
    "绿色低碳": [leaf("industry", "prefix", ["C", "D"]), leaf("credit_rating", "!=", "D")],
    "外贸出口": [leaf("exports", ">=", 100)],
    "知识产权": [leaf("patents", ">=", 1)],
    "个体工商户": [leaf("is_individual", "is_true")],
    "融资支持": [leaf("size", "in", ["small", "micro"]), leaf("credit_rating", "in", ["A", "B", "M"])],
    "建筑业发展": [leaf("industry", "prefix", ["E"])],
}


# 优质中小企业梯度培育管理暂行办法（工信部企业〔2022〕63号）: 创新型中小企业 → 专精特新中小企业 →
# 专精特新"小巨人"企业, each recognised from the tier below. {title words: (what it confers, prerequisite)}
TIERS = [
    ("小巨人", "little_giant", "specialised_sme"),
    ("专精特新", "specialised_sme", "innovative_sme"),
    ("创新型中小企业", "innovative_sme", None),
    ("高新技术企业", "high_tech", None),
    ("科技型中小企业", "tech_sme", None),
]


def _qualification_leaves(item):
    """A recognition item (资质) is for firms that do not hold what it confers yet (and hold
    the tier below); a topic's "holds a qualification" condition would read it backwards."""
    if item.kind != BenefitItem.Kind.QUALIFICATION:
        return None
    for words, confers, below in TIERS:
        if words in item.title:
            leaves = [{"not": leaf("qualifications", "has", confers)}]
            return leaves + ([leaf("qualifications", "has", below)] if below else [])
    return None


def _rule_for(item, topic_leaves):
    recognition = _qualification_leaves(item)
    if recognition is not None:
        topic_leaves = [x for x in topic_leaves if x.get("attr") != "qualifications"] + recognition
    leaves = list(topic_leaves)
    if item.industries and not any(x.get("attr") == "industry" for x in leaves):
        leaves.append(leaf("industry", "prefix", list(item.industries)))
    if item.sizes and not any(x.get("attr") == "size" for x in leaves):
        leaves.append(leaf("size", "in", list(item.sizes)))
    rule = {"when": {"from": None, "until": None}, "condition": {"all": leaves}}
    return (
        rule
        if not engine.validate(rule)
        else {"when": {"from": None, "until": None}, "condition": {"all": list(topic_leaves)}}
    )


def _profile_values(rng, region):
    industry = rng.choice(INDUSTRIES)
    tier = rng.random()
    employees = int(rng.lognormvariate(2.8, 1.1)) + 1
    revenue = Decimal(str(round(employees * rng.uniform(8, 60), 2)))
    values = {
        "region_id": region,
        "industry": industry,
        "founded_on": dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 10500)),
        "registered_capital": Decimal(rng.choice([50, 100, 200, 500, 1000, 2000, 5000])),
        "employees": employees,
        "insured_employees": max(0, employees - rng.randint(0, 5)),
        "revenue": revenue,
        "total_assets": (revenue * Decimal(str(round(rng.uniform(0.6, 3.0), 2)))).quantize(Decimal("0.01")),
        "tax_paid": (revenue * Decimal("0.05")).quantize(Decimal("0.01")),
        "credit_rating": rng.choices("ABMCD", weights=[30, 40, 20, 7, 3])[0],
        "qualifications": sorted(rng.sample(QUALIFICATIONS, k=rng.choices([0, 1, 2], weights=[70, 22, 8])[0])),
        "is_listed": tier > 0.995,
        "is_individual": False,
        "patents": rng.choice([0, 0, 0, 1, 2, 5]),
    }
    if rng.random() < 0.8:  # not every enterprise reports R&D: "cannot tell" stays possible
        values["rd_spending"] = (revenue * Decimal(str(round(rng.uniform(0, 0.08), 3)))).quantize(Decimal("0.01"))
    if industry.startswith(("C", "G")) and rng.random() < 0.3:
        values["exports"] = Decimal(str(round(rng.uniform(10, 3000), 2)))
    return values


def _sources(values, on):
    return {
        name: {"source": engine.ATTRIBUTES[name].source, "updated_on": on}
        for name in engine.ATTRIBUTES
        if not engine.ATTRIBUTES[name].derived
        and values.get("region_id" if name == "region" else name) not in (None, "", [])
    }


def _profiles(count, rng):
    counties = list(Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True))
    chengdu = [c for c in counties if c.startswith("5101")]
    on = "2024-10-31"
    rows = []
    organisations = {o.name: o for o in Organisation.objects.all()}
    agent_org = organisations.get(AGENT_ORG)
    if agent_org is not None:
        values = {("region_id" if k == "region" else k): v for k, v in AGENT_PROFILE.items()}
        rows.append(
            EnterpriseProfile(
                uscc=agent_org.uscc, name=agent_org.name, organisation=agent_org, sources=_sources(values, on), **values
            )
        )
    for name, region, *_ in ORGANISATIONS:
        org = organisations.get(name)
        if org is None or org is agent_org:
            continue
        values = _profile_values(rng, region)
        rows.append(
            EnterpriseProfile(uscc=org.uscc, name=org.name, organisation=org, sources=_sources(values, on), **values)
        )
    for serial in range(1, count + 1):
        region = rng.choice(chengdu) if rng.random() < 0.35 else rng.choice(counties)
        values = _profile_values(rng, region)
        rows.append(
            EnterpriseProfile(
                uscc=make_uscc(region, "1", 6600000 + serial),
                name=f"四川{rng.choice(NAME_PLACES)}{rng.choice(NAME_TRADES)}有限公司（演示{serial:04d}）",
                sources=_sources(values, on),
                **values,
            )
        )
    for row in rows:
        row.derive()
    EnterpriseProfile.objects.bulk_create(rows, batch_size=1000)


def _fallback_items():
    """Two province-level auto-grant items when the policy library's demo is absent."""
    department = Department.objects.get(function="economy_it", region_id="510000")
    document, _ = PolicyDocument.objects.get_or_create(
        title="四川省促进中小企业创新发展若干措施（演示）",
        defaults={
            "department": department,
            "region_id": "510000",
            "number": "川经信发〔2024〕1号",
            "issuers": department.name,
            "level": Level.PROVINCE,
            "issued_on": dt.date(2024, 3, 1),
            "status": Status.PUBLISHED,
        },
    )
    specs = [
        ("DEMO-MATCH-001", "科技型中小企业研发费用补助", "科技型中小企业"),
        ("DEMO-MATCH-002", "首次认定高新技术企业奖励", "高新技术企业认定奖励"),
        ("DEMO-MATCH-003", "小型微利企业所得税优惠", "小微企业减税"),
    ]
    items = []
    for code, title, topic in specs:
        item, _ = BenefitItem.objects.get_or_create(
            code=code,
            defaults={
                "department": department,
                "region_id": "510000",
                "document": document,
                "title": title,
                "topic": topic,
                "kind": BenefitItem.Kind.SUBSIDY,
                "delivery": BenefitItem.Delivery.AUTO_GRANT,
                "target": "符合条件的企业",
                "conditions": "见匹配规则",
                "amount": "按研发投入的10%给予补助，最高50万元",
                "amount_cap": Decimal("50"),
                "status": Status.PUBLISHED,
            },
        )
        items.append(item)
    return items


def _auto_grant_pick(topic, region="510104"):
    """A published auto-grant item of a topic that applies in the agent's county."""
    for item in BenefitItem.objects.filter(
        topic=topic, status=Status.PUBLISHED, delivery=BenefitItem.Delivery.AUTO_GRANT
    ).order_by("code"):
        if region_covers(item.region_id, region):
            return item
    return None


def _rules():
    """Rules for a deterministic subset of each topic's published items, plus
    the two auto-grant items the agent's organisation meets and nearly meets."""
    chosen = []
    rng = random.Random(SEED)
    for topic, leaves in TOPIC_LEAVES.items():
        items = list(
            BenefitItem.objects.filter(topic=topic, status=Status.PUBLISHED)
            .order_by("code")
            .only("id", "code", "title", "kind", "region_id", "industries", "sizes")
        )
        # A few province-wide items and a spread of city and county ones, as claimed in practice.
        province = [i for i in items if i.region_id == "510000"][:PROVINCE_PER_TOPIC]
        local = [i for i in items if i.region_id != "510000"]
        local = rng.sample(local, min(len(local), RULES_PER_TOPIC - len(province)))
        chosen += [(item, leaves) for item in province + local]
    # Items of the library itself where it has them, so the zone's counters stay the bulletin's.
    meets = _auto_grant_pick("科技型中小企业") or _auto_grant_pick("研发费用加计扣除")
    nearly = _auto_grant_pick("高新技术企业认定奖励")
    if meets is None or nearly is None:
        fallback = _fallback_items()
        meets, nearly = fallback[0], fallback[1]
        chosen += [(fallback[2], TOPIC_LEAVES["小微企业减税"])]
    # The agent's organisation meets the first (tech SME with R&D) and is one
    # condition short of the second (not yet recognised as high-tech).
    special = {
        meets.pk: (TOPIC_LEAVES["科技型中小企业"], {"grant_rate_attr": "rd_spending", "grant_rate": Decimal("10")}),
        nearly.pk: (TOPIC_LEAVES["高新技术企业认定奖励"], {"grant_amount": Decimal("20")}),
    }
    rows, seen = [], set()
    for item, leaves in chosen:
        if item.pk in seen or item.pk in special:
            continue
        seen.add(item.pk)
        rows.append(ItemRule(item=item, rule=_rule_for(item, leaves), version=1))
    for item in (meets, nearly):
        leaves, extra = special[item.pk]
        rows.append(
            ItemRule(
                item=item,
                rule={"when": {"from": None, "until": None}, "condition": {"all": leaves}},
                version=1,
                **extra,
            )
        )
    for row in rows:
        row.clean()
        row.description = engine.describe(row.rule)
    ItemRule.objects.bulk_create(rows, batch_size=500)
    return meets, nearly


@transaction.atomic
def load_demo(profiles=PROFILES):
    """Idempotent: adds only what is missing."""
    org = Organisation.objects.filter(name=AGENT_ORG).first()
    if org is None or EnterpriseProfile.objects.filter(uscc=org.uscc).exists():
        return None
    rng = random.Random(SEED)
    _profiles(profiles, rng)
    meets, nearly = _rules()
    pairs, pushed = services.refresh_all(notify=True)
    manager = User.objects.filter(username="manager").first()
    round_ = None
    if manager is not None and not GrantRound.objects.filter(item=meets).exists():
        round_ = services.open_round(manager, meets, publicity_days=5)
    return {
        "profiles": EnterpriseProfile.objects.count(),
        "rules": ItemRule.objects.count(),
        "pairs": pairs,
        "pushed": pushed,
        "meets": meets,
        "nearly": nearly,
        "round": round_,
    }
