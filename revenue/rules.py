"""The money rules, each from its document, over dated `Parameter` rows.

Every figure lives in the database with its effective date and source, so a
new rate is a new row (added by a system administrator), never a code change.
Money is Decimal, rounded half up to the fen only at the end of a sum.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from core.errors import ServiceError
from core.workdays import add_working_days, working_days_between

from .models import FEN, Parameter

Name = Parameter.Name

# Days the natural-resources department has to pass a fee source to the tax
# office after a contract is signed or changed, and the tax office to serve
# the 缴款通知书; reviews are answered within 10 working days (川自然资规〔2025〕2号).
SEND_WORKING_DAYS = 10
NOTICE_WORKING_DAYS = 7
REVIEW_WORKING_DAYS = 10
WARN_WORKING_DAYS = 3  # the clock turns yellow this many working days before the limit

LEVELS = ["county", "city", "province"]

# (name, granting level, value, effective from, source, confirmed)
DEFAULTS = [
    # 财综〔2017〕35号 (in force 2017-07-01 to 2023-04-30): 每日加收千分之二.
    (Name.LATE_FEE_DAILY, "", "0.002", "2017-07-01", "财综〔2017〕35号《矿业权出让收益征收管理暂行办法》", True),
    # 财综〔2023〕10号 replaced it from 2023-05-01. Its late-payment rate could not be read
    # from the text available here; 万分之五 is the rate usually quoted for it — confirm
    # against the document before relying on it (a system administrator edits this row).
    (
        Name.LATE_FEE_DAILY,
        "",
        "0.0005",
        "2023-05-01",
        "财综〔2023〕10号《矿业权出让收益征收办法》（费率待核实）",
        False,
    ),
    # 使用费 late payment is not under the 出让收益 rules: 国务院令第240号第三十一条 and
    # 第241号第二十一条 charge 每日加收2‰ from the day it falls due; no later rule changed it.
    (
        Name.USE_FEE_LATE_DAILY,
        "",
        "0.002",
        "1998-02-12",
        "国务院令第240号第三十一条、第241号第二十一条（每日加收2‰）",
        True,
    ),
    # 国务院令第241号《矿产资源开采登记管理办法》第九条; 财建〔2003〕530号.
    (Name.MINING_USE_FEE, "", "1000", "1998-02-12", "国务院令第241号第九条；财建〔2003〕530号", True),
    # 国务院令第240号《矿产资源勘查区块登记管理办法》第十二条: 第一至第三个勘查年度每平方公里
    # 每年100元，从第四个勘查年度起每年增加100元，最高不超过500元.
    (Name.EXPLORATION_USE_FEE_BASE, "", "100", "1998-02-12", "国务院令第240号第十二条；财建〔2003〕530号", True),
    (Name.EXPLORATION_USE_FEE_STEP, "", "100", "1998-02-12", "国务院令第240号第十二条", True),
    (Name.EXPLORATION_USE_FEE_CAP, "", "500", "1998-02-12", "国务院令第240号第十二条", True),
    # 财综〔2023〕10号: 中央与地方按4:6分成.
    (Name.CENTRAL_SHARE, "", "0.40", "2023-05-01", "财综〔2023〕10号", True),
    # The local 60% between province, city and county: 川财规〔2023〕10号, adjusted in 2024 to
    # follow each level's prospecting spend. The exact shares could not be confirmed here;
    # these are placeholders a system administrator replaces with the document's figures.
    (Name.PROVINCE_SHARE_OF_LOCAL, "province", "0.50", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    (Name.CITY_SHARE_OF_LOCAL, "province", "0.20", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    (Name.PROVINCE_SHARE_OF_LOCAL, "city", "0.20", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    (Name.CITY_SHARE_OF_LOCAL, "city", "0.30", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    (Name.PROVINCE_SHARE_OF_LOCAL, "county", "0.20", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    (Name.CITY_SHARE_OF_LOCAL, "county", "0.20", "2023-05-01", "川财规〔2023〕10号（比例待核实）", False),
    # Which amounts go up the chain is the platform's own setting (三级联网审批), not a document's.
    (Name.CITY_APPROVAL_FROM, "", "1000000", "2022-01-01", "平台审批权限设置（非文件规定）", True),
    (Name.PROVINCE_APPROVAL_FROM, "", "10000000", "2022-01-01", "平台审批权限设置（非文件规定）", True),
]


def load_parameters():
    """Add the default rows that are missing (idempotent; edits are kept)."""
    for name, level, value, start, source, confirmed in DEFAULTS:
        Parameter.objects.get_or_create(
            name=name,
            granting_level=level,
            effective_from=dt.date.fromisoformat(start),
            defaults={"value": Decimal(value), "source": source, "confirmed": confirmed},
        )


def snapshot():
    """Every parameter's periods at once, for a page that applies them many times."""
    table = {}
    for name, level, start, value in Parameter.objects.order_by("effective_from").values_list(
        "name", "granting_level", "effective_from", "value"
    ):
        table.setdefault((name, level), []).append((start, value))
    return table


def periods(name, granting_level="", table=None):
    """[(effective_from, value)] of one parameter, oldest first."""
    rows = (
        table.get((name, granting_level), [])
        if table is not None
        else list(
            Parameter.objects.filter(name=name, granting_level=granting_level)
            .order_by("effective_from")
            .values_list("effective_from", "value")
        )
    )
    if not rows:
        raise ServiceError(
            f"征收参数“{Name(name).label}”尚未设置，请系统管理员先录入", errors={"parameter": [f"缺少参数 {name}"]}
        )
    return rows


def value_on(name, date, granting_level="", table=None):
    found = None
    for start, value in periods(name, granting_level, table):
        if start <= date:
            found = value
    if found is None:
        raise ServiceError(f"{date} 没有适用的“{Name(name).label}”", errors={"parameter": [name]})
    return found


def fen(value):
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def late_fee_name(kind):
    """Which daily rate a fee source's late payment is charged at: 使用费 its own
    (国务院令第240号、第241号), 出让收益 by amount or by rate the 出让收益 one."""
    return Name.USE_FEE_LATE_DAILY if kind == "use_fee" else Name.LATE_FEE_DAILY


def late_fee(principal, due_date, paid_on, rate_periods=None, kind="proceeds_amount"):
    """滞纳金 on `principal` unpaid after `due_date` and paid on `paid_on`: each day from
    the day after the due date through the payment date at the daily rate in force
    that day, so a delay spanning a change of rate is charged at both. Capped at the
    principal (《中华人民共和国行政强制法》第四十五条)."""
    principal = Decimal(principal)
    if paid_on <= due_date or principal <= 0:
        return Decimal("0.00")
    rate_periods = rate_periods or periods(late_fee_name(kind))
    total = Decimal(0)
    first, last = due_date + dt.timedelta(days=1), paid_on
    for i, (start, rate) in enumerate(rate_periods):
        end = rate_periods[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(rate_periods) else last
        lo, hi = max(first, start), min(last, end)
        if lo <= hi:
            total += principal * Decimal(rate) * ((hi - lo).days + 1)
    return fen(min(total, principal))


def use_fee_rate(kind, exploration_year, on):
    """元 per km² per year: 采矿权 flat; 探矿权 rising from the fourth exploration year."""
    if kind == "mining":
        return value_on(Name.MINING_USE_FEE, on)
    base = value_on(Name.EXPLORATION_USE_FEE_BASE, on)
    if exploration_year <= 3:
        return base
    step, cap = value_on(Name.EXPLORATION_USE_FEE_STEP, on), value_on(Name.EXPLORATION_USE_FEE_CAP, on)
    return min(base + step * (exploration_year - 3), cap)


def use_fee(kind, area_km2, exploration_year, on):
    return fen(Decimal(area_km2) * use_fee_rate(kind, exploration_year, on))


def split(amount, granting_level, on, table=None):
    """分成 of a paid amount: central, then the local rest between province, city and
    county; rounded to the fen with the county taking the remainder, so the parts
    always add up to the amount."""
    amount = Decimal(amount)
    central = fen(amount * value_on(Name.CENTRAL_SHARE, on, table=table))
    local = amount - central
    province = fen(local * value_on(Name.PROVINCE_SHARE_OF_LOCAL, on, granting_level, table))
    city = fen(local * value_on(Name.CITY_SHARE_OF_LOCAL, on, granting_level, table))
    return {"central": central, "province": province, "city": city, "county": local - province - city}


def approval_chain(granting_level, amount, on):
    """The levels that approve a fee source, lowest first: the granting level's own
    staff submit it, and it climbs to the level its amount requires."""
    amount = Decimal(amount)
    needed = granting_level
    if amount >= value_on(Name.PROVINCE_APPROVAL_FROM, on):
        needed = "province"
    elif amount >= value_on(Name.CITY_APPROVAL_FROM, on) and granting_level == "county":
        needed = "city"
    start, end = LEVELS.index(granting_level), LEVELS.index(needed)
    above = LEVELS[start + 1 : end + 1]
    return above or [granting_level]


def send_deadline(trigger_date):
    return add_working_days(trigger_date, SEND_WORKING_DAYS)


def clock(trigger_date, today, done_on=None, days=SEND_WORKING_DAYS):
    """(deadline, working days left, 'ok'|'warn'|'alert'|'done'|'late') of a working-day limit:
    by default the 10 days to send a fee source; the tax office's 7 days to serve the notice
    with days=NOTICE_WORKING_DAYS."""
    deadline = add_working_days(trigger_date, days)
    if done_on:
        return deadline, 0, "done" if done_on <= deadline else "late"
    left = working_days_between(today, deadline)
    status = "alert" if left < 0 else "warn" if left <= WARN_WORKING_DAYS else "ok"
    return deadline, left, status
