"""Demo data of 自然资源非税收入: the natural-resources staff of one mining county and
its city (besides the provincial reviewer), and a year of fee sources across the
province's counties, consistent with the dashboards."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, make_uscc
from accounts.models import Role, User
from core.models import Department, Region

from . import rules
from .models import ApprovalStep, FeeSource, Instalment, MiningRight, Payment, PaymentNotice

# (username, name, role, region): natural-resources staff of 攀枝花市 and its 仁和区. A fee
# source only the county approves is approved by someone other than who filled it in, so
# 仁和区 has two.
STAFF = [
    ("nr_renhe", "罗建军", Role.REVIEWER, "510411"),
    ("nr_renhe2", "何静", Role.REVIEWER, "510411"),
    ("nr_panzhihua", "邓丽华", Role.REVIEWER, "510400"),
]
MINERALS = [
    ("铁矿", "mining"),
    ("钒钛磁铁矿", "mining"),
    ("煤", "mining"),
    ("建筑用砂岩", "mining"),
    ("锂矿", "exploration"),
    ("金矿", "exploration"),
    ("铜矿", "exploration"),
    ("磷矿", "mining"),
    ("稀土", "exploration"),
    ("石灰岩", "mining"),
]
YEAR_START = dt.date(2025, 12, 1)  # the demo year: December 2025 to November 2026


def load_users():
    """Add the revenue demo accounts that are missing (idempotent)."""
    added = []
    for username, name, role, region in STAFF:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            name=name,
            kind=User.Kind.STAFF,
            role=role,
            department=Department.objects.get(function="natural_resources", region_id=region),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        added.append(username)
    return added


def logins():
    return [(u, n, f"{r.label}（自然资源非税收入）") for u, n, r, _ in STAFF]


@transaction.atomic
def load_demo(seed=2026, rights_count=120):
    """A year of fee sources, loaded once: rights across the counties, each with
    a 使用费 and, for some, 出让收益 by amount (some in instalments); notices
    and payments as the tax bureau reported them (marked historical: they
    predate the live exchange and were reconciled then)."""
    rules.load_parameters()
    load_users()
    if MiningRight.objects.exists():
        return False
    rng = random.Random(seed)
    counties = list(Region.objects.filter(level="county", code__startswith="51").order_by("code"))
    officer = {}  # the first listed officer of each region fills in its history
    for username, *_ in STAFF:
        user = User.objects.select_related("department").get(username=username)
        officer.setdefault(user.department.region_id, user)
    by_level = {"province": User.objects.get(username="reviewer")}
    today = timezone.localdate()
    for n in range(rights_count):
        county = counties[rng.randrange(len(counties))]
        mineral, kind = MINERALS[rng.randrange(len(MINERALS))]
        level = rng.choice(["county", "county", "city", "province"])
        signed = YEAR_START + dt.timedelta(days=rng.randrange(0, 330))
        holder = f"四川{county.name}{mineral}矿业有限公司"
        right = MiningRight.objects.create(
            kind=kind,
            licence_no=f"C51{county.code}{2025 + signed.year % 2}{n:05d}",
            name=f"{county.name}{mineral}{'矿' if kind == 'mining' else '勘查'}",
            holder_name=holder,
            holder_uscc=make_uscc(county.code, "1", 7700000 + n * 31),
            region=county,
            area_km2=Decimal(rng.randrange(50, 5000)) / 100,
            mineral=mineral,
            granting_level=level,
            contract_no=f"川矿出〔{signed.year}〕{n + 1:03d}号",
            contract_date=signed,
            term_start=signed,
            term_end=signed.replace(year=signed.year + (5 if kind == "exploration" else 15)),
            created_by=officer.get(county.code) or by_level["province"],
        )
        sources = [(FeeSource.Kind.USE_FEE, rules.use_fee(kind, right.area_km2, 1 + n % 7, signed), 1)]
        if rng.random() < 0.6:
            sources.append(
                (FeeSource.Kind.PROCEEDS_AMOUNT, Decimal(rng.randrange(20, 4000)) * 10000, rng.choice([1, 1, 3]))
            )
        for fee_kind, amount, parts in sources:
            _historical_fee_source(rng, right, fee_kind, amount, parts, signed, today)
    return True


def _historical_fee_source(rng, right, kind, amount, parts, signed, today):
    creator = right.created_by
    sent = rules.add_working_days(signed, rng.randrange(3, 10))
    fs = FeeSource.objects.create(
        right=right,
        kind=kind,
        amount=amount,
        trigger_date=signed,
        region=right.region,
        granting_level=right.granting_level,
        created_by=creator,
        historical=True,
        chain=rules.approval_chain(right.granting_level, amount, signed),
        basis="出让合同金额" if kind != FeeSource.Kind.USE_FEE else f"面积 {right.area_km2} 平方公里",
        period=str(signed.year),
    )
    ApprovalStep.objects.create(fee_source=fs, level=right.granting_level, decision="submit", by=creator)
    first = (amount * Decimal("0.4")).quantize(Decimal("0.01")) if parts > 1 else amount
    rest = amount - first
    dues = [rules.add_working_days(sent, 30)] + [
        rules.add_working_days(sent, 30).replace(year=sent.year + i) for i in range(1, parts)
    ]
    amounts = [first] + ([(rest / (parts - 1)).quantize(Decimal("0.01"))] * (parts - 1) if parts > 1 else [])
    if parts > 1:
        amounts[-1] = amount - sum(amounts[:-1])
    for seq, (due, part) in enumerate(zip(dues, amounts), start=1):
        Instalment.objects.create(fee_source=fs, seq=seq, due_date=due, amount=part)
    fs.step, fs.state, fs.sent_at = len(fs.chain), FeeSource.State.SENT, _at(sent)
    issued = rules.add_working_days(sent, rng.randrange(1, 7))
    if issued <= today:
        PaymentNotice.objects.create(
            fee_source=fs,
            notice_no=f"川税缴通〔{issued.year}〕H{fs.pk:06d}号",
            issued_on=issued,
            amount=amount,
            message_id=f"demo-notice-{fs.pk}",
        )
        fs.state = FeeSource.State.NOTIFIED
        paid = Decimal(0)
        for seq, (due, part) in enumerate(zip(dues, amounts), start=1):
            fate = rng.random()
            if fate < 0.12 or due > today and fate < 0.9:
                break  # unpaid (overdue if past due)
            paid_on = (
                due - dt.timedelta(days=rng.randrange(0, 20))
                if fate < 0.85
                else due + dt.timedelta(days=rng.randrange(1, 40))
            )
            if paid_on > today:
                break
            principal = part if fate < 0.95 else (part / 2).quantize(Decimal("0.01"))
            Payment.objects.create(
                fee_source=fs,
                instalment_seq=seq,
                paid_on=paid_on,
                amount=principal,
                late_fee=rules.late_fee(principal, due, paid_on, kind=kind),
                tax_ref=f"H{fs.pk:07d}{seq:02d}",
                message_id=f"demo-payment-{fs.pk}-{seq}",
            )
            paid += principal
        if paid >= amount:
            fs.state = FeeSource.State.PAID
        elif paid:
            fs.state = FeeSource.State.PARTLY_PAID
    fs.save()


def _at(date):
    return timezone.make_aware(dt.datetime.combine(date, dt.time(10, 0)))
