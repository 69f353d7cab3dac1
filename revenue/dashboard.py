"""Three-level figures: owed, notified, paid, overdue and due soon, by province,
city and county, and the split of what was paid. Counted from the fee sources,
instalments, notices and payments themselves, never from kept counters."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from core.models import Region
from core.regions import region_level, region_prefix

from . import rules
from .models import FeeSource, Instalment, Payment, PaymentNotice

DUE_SOON_DAYS = 30
FIGURES = [
    ("owed", "应缴"),
    ("notified", "已通知"),
    ("paid", "已缴"),
    ("outstanding", "欠缴"),
    ("overdue", "逾期未缴"),
    ("due_soon", "30日内到期"),
]
SHARES = [("central", "中央"), ("province", "省级"), ("city", "市级"), ("county", "县级")]
LIVE = [
    FeeSource.State.SENT,
    FeeSource.State.NOTIFIED,
    FeeSource.State.PARTLY_PAID,
    FeeSource.State.PAID,
    FeeSource.State.APPROVED,
]


def _zero():
    return {key: Decimal("0.00") for key, _ in FIGURES} | {"count": 0}


def _in_scope(qs, code, field):
    if region_level(code) == "county":
        return qs.filter(**{field: code})
    return qs.filter(**{f"{field}__startswith": region_prefix(code)})


def _group_of(code, county):
    """The row a county's figures fall into when looking from `code`."""
    level = region_level(code)
    if level == "province":
        return county[:4] + "00"
    return county


def figures(code, today, fee_source_ids=None):
    """{row region code: figures} under `code`, plus the total and the split of what was paid."""
    sources = _in_scope(FeeSource.objects.filter(state__in=LIVE), code, "region__code")
    if fee_source_ids is not None:
        sources = sources.filter(pk__in=fee_source_ids)
    rows = defaultdict(_zero)
    info = {}
    for pk, region, amount, level in sources.values_list("pk", "region_id", "amount", "granting_level"):
        row = rows[_group_of(code, region)]
        row["owed"] += amount
        row["count"] += 1
        info[pk] = (region, level)
    ids = list(info)
    for fs_id, amount in PaymentNotice.objects.filter(fee_source_id__in=ids).values_list("fee_source_id", "amount"):
        rows[_group_of(code, info[fs_id][0])]["notified"] += amount
    paid_by_part = defaultdict(Decimal)
    table = rules.snapshot()
    split = {key: Decimal("0.00") for key, _ in SHARES}
    for fs_id, seq, amount, paid_on in Payment.objects.filter(fee_source_id__in=ids).values_list(
        "fee_source_id", "instalment_seq", "amount", "paid_on"
    ):
        rows[_group_of(code, info[fs_id][0])]["paid"] += amount
        paid_by_part[(fs_id, seq)] += amount
        for key, value in rules.split(amount, info[fs_id][1], paid_on, table).items():
            split[key] += value
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for fs_id, seq, amount, due in Instalment.objects.filter(fee_source_id__in=ids).values_list(
        "fee_source_id", "seq", "amount", "due_date"
    ):
        left = max(amount - paid_by_part[(fs_id, seq)], Decimal(0))
        row = rows[_group_of(code, info[fs_id][0])]
        row["outstanding"] += left
        if due < today:
            row["overdue"] += left
        elif due <= soon:
            row["due_soon"] += left
    total = _zero()
    for row in rows.values():
        for key in total:
            total[key] += row[key]
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    table_rows = [{"code": c, "name": names.get(c, c), **rows[c]} for c in sorted(rows)]
    return {"rows": table_rows, "total": total, "split": split}
