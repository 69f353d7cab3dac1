"""The demo policy library: 1,472 listed policy documents, 789 published
interpretations and 12,620 listed benefit items across the province, its 21
cities and their counties, as the bulletin of 2024-11-04 counts them.

`load_demo()` is deterministic (one seeded random generator over the
reference regions and departments), idempotent (it does nothing once the
demo documents are there) and fast (bulk_create). It composes every text from
the phrase pools in policies/demo_data.py, so documents, articles, items and
interpretations vary rather than repeat one template.

Besides the listed records it adds a few documents under review, drafts and
withdrawn ones (not counted by the zone) so the console has work to show, and
a handful of published documents with no items yet: overdue breakdowns.

Topic labels for relevance judgments
------------------------------------
Every demo document and benefit item carries its topic in the `topic` field
(PolicyDocument.topic, BenefitItem.topic; an interpretation takes its
document's). `DEMO_TOPICS` maps each topic label to the words a person would
search it by; `topic_records(label)` returns the querysets of the listed
documents and items of one topic. For example every record about 稳岗返还 has
topic "稳岗返还", so `BenefitItem.objects.filter(topic="稳岗返还")` is the
judged-relevant set for the query "稳岗返还怎么申请". Labels and item codes
(HQ<region><serial>) are stable across loads; primary keys are not.
"""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from core.models import Department, Level, Region
from core.workdays import CalendarNotAvailable, add_working_days

from . import demo_data as data
from .models import LISTED, BenefitItem, Interpretation, PolicyArticle, PolicyDocument, Status

SEED = 20241104
PROVINCE = "510000"
LISTED_DOCUMENTS = 1472
PUBLISHED_INTERPRETATIONS = 789
LISTED_ITEMS = 12620
PROVINCE_DOCUMENTS = 262
OVERDUE_DOCUMENTS = 9  # published, not yet broken down into items
EXPIRED_SHARE = 0.11
# Documents the zone does not list: (status, how many).
UNLISTED = [(Status.REVIEW, 6), (Status.DRAFT, 4), (Status.WITHDRAWN, 3)]
LEVEL_WEIGHT = {Level.PROVINCE: 20, Level.CITY: 9, Level.COUNTY: 4}
SHANGHAI = ZoneInfo("Asia/Shanghai")

DEMO_TOPICS = {label: spec["keywords"] for label, spec in data.TOPICS.items()}

NUMERALS = "零一二三四五六七八九十"


def chinese_number(n):
    if n <= 10:
        return NUMERALS[n]
    if n < 20:
        return "十" + (NUMERALS[n - 10] if n % 10 else "")
    return NUMERALS[n // 10] + "十" + (NUMERALS[n % 10] if n % 10 else "")


def topic_records(label):
    """The listed documents and benefit items of one demo topic."""
    return (
        PolicyDocument.objects.filter(topic=label, status__in=LISTED),
        BenefitItem.objects.filter(topic=label, status__in=LISTED),
    )


class _Composer:
    """Builds the whole demo library in memory from one seeded generator."""

    def __init__(self):
        self.rng = random.Random(SEED)
        self.regions = {r.code: r for r in Region.objects.select_related("parent")}
        self.cities = sorted(c for c, r in self.regions.items() if r.level == Level.CITY)
        self.counties = {c: sorted(k for k, r in self.regions.items() if r.parent_id == c) for c in self.cities}
        self.departments = {(d.function, d.region_id): d for d in Department.objects.all()}
        self.serials = {}
        self.item_serials = {}

    # --- names -----------------------------------------------------------
    def place(self, code):
        region = self.regions[code]
        return region.full_name

    def city_of(self, code):
        return "" if code == PROVINCE else code[:4] + "00"

    def number_prefix(self, code, function, government):
        level = self.regions[code].level
        if level == Level.PROVINCE:
            head = "川"
        elif level == Level.CITY:
            head = data.CITY_ABBREVIATIONS[code]
        else:
            name = self.regions[code].name
            head = name[:2] if len(name) > 2 else name[:1]
        if government:
            return head + self.rng.choice(
                ["府发", "办发", "府办发"] if level != Level.PROVINCE else ["府发", "办发", "办函"]
            )
        return head + data.FUNCTION_ABBREVIATIONS[function] + self.rng.choice(["发", "发", "规", "函"])

    def document_number(self, prefix, year):
        key = (prefix, year)
        self.serials[key] = self.serials.get(key, self.rng.randint(1, 6)) + self.rng.randint(1, 4)
        return f"{prefix}〔{year}〕{self.serials[key]}号"

    def government_name(self, code):
        region = self.regions[code]
        suffix = self.rng.choice(["人民政府", "人民政府办公厅" if region.level == Level.PROVINCE else "人民政府办公室"])
        return self.place(code) + suffix

    def phone(self, code):
        area = "028" if code == PROVINCE else data.AREA_CODES[self.city_of(code)]
        digits = 8 if len(area) == 3 else 7
        return f"{area}-{self.rng.choice('68')}{self.rng.randint(10 ** (digits - 2), 10 ** (digits - 1) - 1)}"

    def item_code(self, region):
        self.item_serials[region] = self.item_serials.get(region, 0) + 1
        return f"HQ{region}{self.item_serials[region]:06d}"

    # --- plan ------------------------------------------------------------
    def topics_for(self, level_index, code):
        return [
            label
            for label, spec in data.TOPICS.items()
            if spec["functions"][level_index] and (spec["functions"][level_index], code) in self.departments
        ]

    def plan_regions(self):
        """The issuing region of each listed document."""
        plan = [PROVINCE] * PROVINCE_DOCUMENTS
        rest = LISTED_DOCUMENTS - PROVINCE_DOCUMENTS
        total = sum(data.CITY_WEIGHTS.values())
        shares = {c: rest * data.CITY_WEIGHTS[c] // total for c in self.cities}
        shares["510100"] += rest - sum(shares.values())
        for city in self.cities:
            for _ in range(shares[city]):
                county = self.rng.random() < 0.35 and self.counties[city]
                plan.append(self.rng.choice(self.counties[city]) if county else city)
        return plan

    def document(self, code, status):
        level = self.regions[code].level
        index = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2}[level]
        label = self.rng.choice(self.topics_for(index, code))
        spec = data.TOPICS[label]
        function = spec["functions"][index]
        department = self.departments[(function, code)]
        government = self.rng.random() < 0.4
        issued = dt.date(2020, 3, 1) + dt.timedelta(days=self.rng.randint(0, 1690))  # up to 2024-10
        if government:
            issuer = self.government_name(code)
            place = self.place(code)
        else:
            issuer = place = department.name
        issuers = issuer
        if not government and self.rng.random() < 0.25:
            partner = self.departments.get(("finance", code))
            if partner and partner != department:
                issuers = f"{department.name}、{partner.name}"
        phrase = self.rng.choice(spec["phrases"])
        title = self.rng.choice(data.TITLE_PATTERNS).format(place=place, phrase=phrase)
        effective = issued + dt.timedelta(days=self.rng.choice([0, 0, 10, 15, 30]))
        years = self.rng.choice([2, 3, 3, 5])
        return {
            "code": code,
            "level": level,
            "topic": label,
            "spec": spec,
            "department": department,
            "function": function,
            "government": government,
            "issued": issued,
            "effective": effective,
            "years": years,
            "issuers": issuers,
            "issuer": issuer,
            "phrase": phrase,
            "title": title[:200],
            "status": status,
        }

    def articles(self, doc):
        rng, spec = self.rng, doc["spec"]
        background = rng.choice(spec["background"])
        place = self.place(doc["code"])
        preamble = rng.choice(data.PREAMBLES).format(
            background=background,
            background_short=doc["phrase"],
            place=place,
            government=self.place(doc["code"]) + "人民政府",
        )
        measures = list(spec["measures"])
        rng.shuffle(measures)
        measures = measures[: rng.randint(min(2, len(measures)), len(measures))]
        texts = [(preamble, None)]
        for measure in measures:
            numbers = {k: rng.choice(v) for k, v in measure["numbers"].items()}
            amount = rng.choice(measure["amount"]).format(**numbers)
            target = rng.choice(measure["target"]).format(place=place)
            condition = rng.choice(measure["conditions"])
            closing = rng.choice(data.ARTICLE_CLOSINGS)
            text = (
                f"{rng.choice(data.ARTICLE_OPENERS)}{measure['name']}。对{target}，{condition}的，{amount}。{closing}"
            )
            texts.append((text, {"measure": measure, "amount": amount, "numbers": numbers}))
        if rng.random() < 0.7:
            texts.append((rng.choice(data.ORGANISATION_ARTICLES), None))
        expires = doc["expires"]
        texts.append(
            (
                rng.choice(data.CLOSING_ARTICLES).format(
                    effective=f"{doc['effective'].year}年{doc['effective'].month}月{doc['effective'].day}日",
                    years=doc["years"],
                    department=doc["department"].name,
                    expires=f"{expires.year}年{expires.month}月{expires.day}日" if expires else "2029年12月31日",
                ),
                None,
            )
        )
        doc["background"] = background
        doc["measures"] = [m for _, m in texts if m]
        return texts

    def item(self, doc, article_plan, region, suffix=""):
        rng = self.rng
        measure = article_plan["measure"]
        place = self.place(region)
        conditions = rng.sample(
            measure["conditions"], rng.randint(min(2, len(measure["conditions"])), len(measure["conditions"]))
        )
        materials = rng.sample(measure["materials"], rng.randint(1, len(measure["materials"])))
        cap = rng.choice(measure["caps"])
        dated = rng.random() < 0.4
        apply_from = doc["effective"] + dt.timedelta(days=rng.randint(0, 60)) if dated else None
        apply_until = apply_from + dt.timedelta(days=rng.choice([60, 90, 120, 180])) if dated else None
        delivery = rng.choice(measure["delivery"])
        return BenefitItem(
            code=self.item_code(region),
            title=(measure["name"] + suffix)[:200],
            kind=measure["kind"],
            delivery=delivery,
            target=rng.choice(measure["target"]).format(place=place),
            conditions="；".join(f"（{chinese_number(i)}）{c}" for i, c in enumerate(conditions, 1)) + "。",
            amount=article_plan["amount"],
            amount_cap=Decimal(cap) if cap else None,
            apply_from=apply_from,
            apply_until=apply_until,
            apply_period=(
                f"{apply_from:%Y年%m月%d日}至{apply_until:%Y年%m月%d日}" if dated else rng.choice(data.APPLY_PERIODS)
            ),
            materials="\n".join(f"{i}. {m}" for i, m in enumerate(materials, 1)),
            payout_method=measure["payout"],
            payout_days=rng.choice(data.PAYOUT_DAYS),
            phone=self.phone(region),
            industries=list(rng.choice(measure["industries"])),
            sizes=list(rng.choice(measure["sizes"])),
            topic=doc["topic"],
            status=doc["item_status"],
            region_id=region,
            city_code=self.city_of(region),
            department=self.departments[(doc["function"], region)],
            claimed_at=doc["published_at"],
            published_at=doc["published_at"],
        )

    def claim_regions(self, doc):
        """Where a document's items are claimed: its own region first, then
        the regions below it whose matching department delivers it."""
        code = doc["code"]
        level = self.regions[code].level
        below = self.cities if level == Level.PROVINCE else self.counties.get(code, []) if level == Level.CITY else []
        below = [r for r in below if (doc["function"], r) in self.departments]
        self.rng.shuffle(below)
        return [code] + below


def _published_at(date, rng):
    moment = dt.datetime.combine(date, dt.time(rng.randint(9, 17), rng.choice([0, 15, 30, 45])), SHANGHAI)
    return moment.astimezone(dt.UTC)


def _breakdown_due(date):
    try:
        return add_working_days(date, 7)
    except CalendarNotAvailable:
        return date + dt.timedelta(days=9)


def demo_numbers():
    return PolicyDocument.objects.filter(topic__in=list(data.TOPICS), number__contains="〔")


@transaction.atomic
def load_demo(rebuild_index=True):
    """Idempotent: does nothing once the demo library is loaded. Returns the
    zone's province-wide counters after loading, or None when skipped.
    `rebuild_index=False` leaves the search index to the caller."""
    if PolicyDocument.objects.filter(topic__in=list(data.TOPICS)).exists():
        return None
    if not Region.objects.filter(code=PROVINCE).exists():
        return None
    c = _Composer()
    rng = c.rng
    regions = c.plan_regions()
    docs = [c.document(code, Status.PUBLISHED) for code in regions]
    # Expired: older documents whose term has run out (they stay listed).
    old = [d for d in docs if d["issued"] < dt.date(2022, 6, 30)]
    for d in rng.sample(old, round(LISTED_DOCUMENTS * EXPIRED_SHARE)):
        d["status"] = Status.EXPIRED
        d["expires"] = min(d["effective"] + dt.timedelta(days=365 * d["years"]), dt.date(2024, 9, 30))
    for d in docs:
        if "expires" not in d:
            d["expires"] = rng.choice([None, None, dt.date(2027, 12, 31), dt.date(2028, 12, 31), dt.date(2029, 12, 31)])
    # Overdue breakdowns: recently published documents with no items yet.
    fresh = [d for d in docs if d["status"] == Status.PUBLISHED]
    overdue = rng.sample(fresh, OVERDUE_DOCUMENTS)
    for d in overdue:
        d["issued"] = dt.date(2024, 10, 8) + dt.timedelta(days=rng.randint(0, 12))
        d["effective"] = d["issued"]
        d["overdue"] = True
    unlisted = []
    for status, count in UNLISTED:
        for i in range(count):
            # Half of them belong to the demo department admin's body (natural resources, province).
            code = PROVINCE if i % 2 == 0 else rng.choice(c.cities)
            d = c.document(code, status)
            if i % 2 == 0:
                d.update(
                    topic="用地保障",
                    spec=data.TOPICS["用地保障"],
                    function="natural_resources",
                    department=c.departments[("natural_resources", PROVINCE)],
                )
                d["issuers"] = d["issuer"] = d["department"].name
                d["own_prefix"] = "川自然资发"
                d["title"] = data.TITLE_PATTERNS[0].format(
                    place=d["department"].name, phrase=rng.choice(d["spec"]["phrases"])
                )
            d["issued"] = dt.date(2024, 10, 14) + dt.timedelta(days=rng.randint(0, 15))
            d["effective"] = d["issued"] + dt.timedelta(days=15)
            d["expires"] = None
            unlisted.append(d)

    rows, article_texts = [], []
    for d in docs + unlisted:
        listed = d["status"] in LISTED
        d["published_at"] = _published_at(d["issued"] + dt.timedelta(days=rng.randint(1, 6)), rng) if listed else None
        # Items go through review with their document (and are withdrawn with it).
        d["item_status"] = d["status"] if listed or d["status"] != Status.DRAFT else Status.DRAFT
        prefix = c.number_prefix(d["code"], d["function"], d["government"])
        prefix = d.get("own_prefix", prefix)  # after the draw, so the generator's sequence is unchanged
        texts = c.articles(d)
        article_texts.append(texts)
        summary = (
            f"{d['background']}。主要内容包括："
            + "、".join(m["measure"]["name"] for m in d["measures"])
            + f"等{len(d['measures'])}项支持措施。"
        )
        rows.append(
            PolicyDocument(
                title=d["title"],
                number=c.document_number(prefix, d["issued"].year),
                issuers=d["issuers"],
                level=d["level"],
                issued_on=d["issued"],
                effective_on=d["effective"],
                expires_on=d["expires"],
                status=d["status"],
                summary=summary,
                topic=d["topic"],
                published_at=d["published_at"],
                breakdown_due=_breakdown_due(d["published_at"].astimezone(SHANGHAI).date()) if listed else None,
                review_comment="文号与正文不一致，请核对后重新提交。" if d["status"] == Status.WITHDRAWN else "",
                department=d["department"],
                region_id=d["code"],
                city_code=c.city_of(d["code"]),
            )
        )
    PolicyDocument.objects.bulk_create(rows, batch_size=500)
    articles = []
    for row, texts in zip(rows, article_texts):
        for ordinal, (text, _) in enumerate(texts, 1):
            articles.append(
                PolicyArticle(document=row, ordinal=ordinal, heading=f"第{chinese_number(ordinal)}条", text=text)
            )
    PolicyArticle.objects.bulk_create(articles, batch_size=1000)
    by_doc = {}
    for a in articles:
        by_doc.setdefault(a.document_id, []).append(a)

    # Items per listed document, weighted by level and summing to exactly LISTED_ITEMS.
    breaking = [(d, row) for d, row in zip(docs, rows) if not d.get("overdue")]
    weights = [LEVEL_WEIGHT[d["level"]] * rng.uniform(0.6, 1.4) for d, _ in breaking]
    total = sum(weights)
    counts = [max(1, int(LISTED_ITEMS * w / total)) for w in weights]
    order = sorted(range(len(counts)), key=lambda i: -weights[i])
    i = 0
    while sum(counts) != LISTED_ITEMS:
        step = 1 if sum(counts) < LISTED_ITEMS else -1
        j = order[i % len(order)]
        if counts[j] + step >= 1:
            counts[j] += step
        i += 1
    items = []
    for (d, row), count in zip(breaking, counts):
        items.extend(_items_for(c, d, row, by_doc[row.pk], count))
    for d, row in zip(unlisted, rows[len(docs) :]):
        if d["status"] != Status.DRAFT:
            items.extend(_items_for(c, d, row, by_doc[row.pk], 2))
    BenefitItem.objects.bulk_create(items, batch_size=1000)

    interpretations = []
    for d, row in rng.sample(list(zip(docs, rows)), PUBLISHED_INTERPRETATIONS):
        interpretations.append(_interpretation(c, d, row, len(interpretations) + 1))
    d, row = unlisted[0], rows[len(docs)]
    draft = _interpretation(c, d, row, len(interpretations) + 1)
    draft.status, draft.published_at = Status.DRAFT, None
    Interpretation.objects.bulk_create(interpretations + [draft], batch_size=500)

    if rebuild_index:
        from . import search

        search.rebuild()
    from .stats import zone_counters

    return zone_counters()


def _items_for(c, d, row, articles, count):
    plans = [(a, m) for a, m in zip(articles, c_articles_plan(d, articles)) if m]
    regions = c.claim_regions(d)
    pairs = [(a, m, r) for r in regions for a, m in plans]
    out, round_ = [], 0
    while len(out) < count:
        for article, measure, region in pairs:
            if len(out) == count:
                break
            suffix = "" if round_ == 0 else f"（{d['issued'].year + round_}年度）"
            item = c.item(d, measure, region, suffix)
            item.document, item.article = row, article
            out.append(item)
        round_ += 1
    return out


def c_articles_plan(d, articles):
    """The measure behind each article, in article order (None for the
    preamble, organisation and closing articles)."""
    plans = [None] + d["measures"]
    return plans + [None] * (len(articles) - len(plans))


def _interpretation(c, d, row, serial):
    rng = c.rng
    kind = rng.choices(["text", "graphic", "video"], weights=[7, 2, 1])[0]
    title = rng.choice(data.INTERPRETATION_TITLES[kind]).format(
        title=row.title, issuer=d["issuer"], phrase=d["phrase"]
    )[:200]
    measures = d["measures"]
    fields = {
        "background": d["background"],
        "issuer": d["issuer"],
        "targets": "；".join(rng.choice(m["measure"]["target"]).format(place=c.place(d["code"])) for m in measures),
        "measures": "；".join(f"{m['measure']['name']}：{m['amount']}" for m in measures),
        "delivery": rng.choice(
            [
                "部分事项实行“免申即享”，无需企业申报，符合条件的直接兑现",
                "企业可通过“快申快享”在线提交简易申请",
                "企业按申报通知准备材料，向受理部门提出申请",
            ]
        ),
        "phone": c.phone(d["code"]),
        "days": rng.choice(data.PAYOUT_DAYS),
    }
    questions = [data.INTERPRETATION_QUESTIONS[0]] + rng.sample(data.INTERPRETATION_QUESTIONS[1:], rng.randint(2, 4))
    if kind == "graphic":
        text = "\n".join(
            f"要点{chinese_number(i)}：{m['measure']['name']}——{m['amount']}" for i, m in enumerate(measures, 1)
        )
    else:
        text = "\n\n".join(f"问：{q}\n答：{a.format(**fields)}" for q, a in questions)
    return Interpretation(
        document=row,
        title=title,
        kind=kind,
        text=text,
        url=f"https://www.sczwfw.gov.cn/policy/video/{serial:04d}" if kind == "video" else "",
        status=Status.PUBLISHED,
        published_at=row.published_at,
        department=row.department,
        region_id=row.region_id,
        city_code=row.city_code,
    )
