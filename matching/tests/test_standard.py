"""The engine against the standards it cites, on every edge: size classes
(国统字〔2017〕213号 附表, 工信部联企业〔2011〕300号), sizes still possible when an input
is missing, exact R&D ratios, founding anniversaries (民法典 第二百零三条), and reasons
that read the right way round. Both paths (evaluate and the bulk engine) must agree."""

import datetime as dt

import pytest

from matching.engine import ItemRule, ProfileTable, classify_size, evaluate, match_item, unknown_item
from matching.engine.rules import full_years
from matching.engine.sizes import RANKS, possible_sizes

TODAY = dt.date(2026, 12, 3)

# 统计上大中小微型企业划分办法（2017） 附表, typed from the published table (not from the code):
# sector: [(measure, large ≥, medium ≥, small ≥), ...]; 万元 and 人.
TABLE = {
    "农、林、牧、渔业": [("revenue", 20000, 500, 50)],
    "工业": [("employees", 1000, 300, 20), ("revenue", 40000, 2000, 300)],
    "建筑业": [("revenue", 80000, 6000, 300), ("total_assets", 80000, 5000, 300)],
    "批发业": [("employees", 200, 20, 5), ("revenue", 40000, 5000, 1000)],
    "零售业": [("employees", 300, 50, 10), ("revenue", 20000, 500, 100)],
    "交通运输业": [("employees", 1000, 300, 20), ("revenue", 30000, 3000, 200)],
    "仓储业": [("employees", 200, 100, 20), ("revenue", 30000, 1000, 100)],
    "邮政业": [("employees", 1000, 300, 20), ("revenue", 30000, 2000, 100)],
    "住宿业": [("employees", 300, 100, 10), ("revenue", 10000, 2000, 100)],
    "餐饮业": [("employees", 300, 100, 10), ("revenue", 10000, 2000, 100)],
    "信息传输业": [("employees", 2000, 100, 10), ("revenue", 100000, 1000, 100)],
    "软件和信息技术服务业": [("employees", 300, 100, 10), ("revenue", 10000, 1000, 50)],
    "房地产开发经营": [("revenue", 200000, 1000, 100), ("total_assets", 10000, 5000, 2000)],
    "物业管理": [("employees", 1000, 300, 100), ("revenue", 5000, 1000, 500)],
    "租赁和商务服务业": [("employees", 300, 100, 10), ("total_assets", 120000, 8000, 100)],
    "其他未列明行业": [("employees", 300, 100, 10)],
}
# GB/T 4754-2017 codes in each sector (附表 注2), and codes outside the standard.
CODES = {
    "农、林、牧、渔业": ["A", "A01", "A0511"],
    "工业": ["B06", "C13", "C3912", "C43", "D44", "D4610"],
    "建筑业": ["E47", "E50"],
    "批发业": ["F51", "F5171"],
    "零售业": ["F52", "F5211"],
    "交通运输业": ["G54", "G55", "G56", "G57", "G58", "G591", "G5910"],  # 装卸搬运 is 交通运输业
    "仓储业": ["G592", "G5920", "G593", "G599"],
    "邮政业": ["G60", "G602"],
    "住宿业": ["H61"],
    "餐饮业": ["H62"],
    "信息传输业": ["I63", "I64"],
    "软件和信息技术服务业": ["I65"],
    "房地产开发经营": ["K701", "K7010"],
    "物业管理": ["K702", "K7020"],
    "租赁和商务服务业": ["L", "L71", "L72"],
    "其他未列明行业": ["M", "M73", "N77", "O80", "Q85", "R86", "R90", "K703", "K7030", "K709", "K7090"],
}
OUTSIDE = ["J66", "J", "K704", "K7040", "G53", "P83", "Q84", "S92", "T97"]


def _cases():
    for sector, measures in TABLE.items():
        for rank, cls in ((3, "large"), (2, "medium"), (1, "small")):
            at = {m: bounds[3 - rank] for m, *bounds in measures}
            yield sector, at, cls
            for m, *bounds in measures:  # one measure a hair below its bound: one class down
                below = dict(at, **{m: bounds[3 - rank] - (1 if m == "employees" else 0.01)})
                yield sector, below, RANKS[rank - 1]
        yield sector, {m: 0 for m, *_ in measures}, "micro"


@pytest.mark.parametrize("sector,values,expected", list(_cases()))
def test_every_size_boundary_of_every_sector(sector, values, expected):
    for code in CODES[sector]:
        args = {"employees": None, "revenue": None, "total_assets": None, **values}
        assert classify_size(code, **args) == expected, (code, values)


@pytest.mark.parametrize("code", OUTSIDE)
def test_industries_outside_the_standard_have_no_size(code):
    assert classify_size(code, 5000, 10**6, 10**6) is None
    assert possible_sizes(code, 5000, 10**6, 10**6) == {0, 1, 2, 3}


def test_bulk_sizes_agree_with_the_table_on_every_boundary():
    records = []
    for sector, values, expected in _cases():
        for code in CODES[sector]:
            records.append({"id": len(records), "industry": code, "region": "510104", **values, "_want": expected})
    table = ProfileTable.from_records([{k: v for k, v in r.items() if k != "_want"} for r in records])
    got = {rec["id"]: rec["size"] for rec in table.to_records()}
    assert all(got[r["id"]] == r["_want"] for r in records)


# ---------------------------------------------------------------- sizes still possible

SMALL_OR_MICRO = {"condition": {"attr": "size", "op": "in", "value": ["small", "micro"]}}
NOT_LARGE = {"condition": {"attr": "size", "op": "!=", "value": "large"}}
LARGE = {"condition": {"attr": "size", "op": "==", "value": "large"}}
MEDIUM_UP = {"condition": {"attr": "size", "op": ">=", "value": "medium"}}


@pytest.mark.parametrize(
    "profile,rule,expected",
    [
        # 租赁和商务服务业, fewer than 300 people: never 大型 whatever its assets
        ({"industry": "L72", "employees": 299}, NOT_LARGE, "meets"),
        ({"industry": "L72", "employees": 299}, LARGE, "fails"),
        ({"industry": "L72", "employees": 300}, LARGE, "unknown"),
        ({"industry": "L72", "total_assets": 99}, SMALL_OR_MICRO, "meets"),  # assets cap it at 微型
        ({"industry": "L72", "employees": 99}, SMALL_OR_MICRO, "meets"),
        ({"industry": "L72", "employees": 100}, SMALL_OR_MICRO, "unknown"),
        # 工业: employees ≥ 1000 and revenue unknown could be anything; 19 people is 微型 for sure
        ({"industry": "C39", "employees": 1000}, MEDIUM_UP, "unknown"),
        ({"industry": "C39", "employees": 19}, SMALL_OR_MICRO, "meets"),
        ({"industry": "C39", "employees": 19}, MEDIUM_UP, "fails"),
        # industry unknown: the largest cap of any sector decides
        ({"employees": 4, "revenue": 40, "total_assets": 90}, SMALL_OR_MICRO, "meets"),
        ({"employees": 4}, SMALL_OR_MICRO, "unknown"),
        # a division split between two sectors (59: 装卸搬运 / 仓储): both answers possible
        ({"industry": "G59", "employees": 100, "revenue": 1000}, MEDIUM_UP, "unknown"),
        ({"industry": "G59", "employees": 100, "revenue": 1000}, NOT_LARGE, "meets"),
        # outside the standard: never decided unless the rule holds for every class
        ({"industry": "J66", "employees": 5}, SMALL_OR_MICRO, "unknown"),
        ({}, {"condition": {"attr": "size", "op": "<=", "value": "large"}}, "meets"),
    ],
)
def test_size_is_the_set_still_possible(profile, rule, expected):
    assert evaluate(rule, profile, today=TODAY).outcome == expected
    table = ProfileTable.from_records([{"region": "510104", **profile}], ids=[1])
    item = ItemRule(1, "510000", rule)
    meets = list(match_item(item, table, today=TODAY))
    unknown = list(unknown_item(item, table, today=TODAY))
    assert {"meets": ([1], []), "unknown": ([], [1]), "fails": ([], [])}[expected] == (meets, unknown)


# ---------------------------------------------------------------- exact ratios


@pytest.mark.parametrize(
    "rd,revenue,threshold,expected",
    [
        (2, 100, 2, "meets"),  # exactly 2%
        (0.07, 7, 1, "meets"),  # 0.07 × 100 is 7.000000000000001 in floats
        (20.1, 1005, 2, "meets"),  # 2% exactly, inexact in binary
        (29.99, 1000, 3, "fails"),  # 2.999%
        (2999999.99, 100000000, 3, "fails"),  # a hair below 3%: 2.9999999999%
        (3000000, 100000000, 3, "meets"),
        (0.03, 1, 3, "meets"),
    ],
)
def test_rd_ratio_thresholds_are_exact_on_both_paths(rd, revenue, threshold, expected):
    rule = {"condition": {"attr": "rd_ratio", "op": ">=", "value": threshold}}
    profile = {"rd_spending": rd, "revenue": revenue, "region": "510104"}
    assert evaluate(rule, profile, today=TODAY).outcome == expected
    table = ProfileTable.from_records([profile], ids=[1])
    assert (list(match_item(ItemRule(1, "510000", rule), table, today=TODAY)) == [1]) == (expected == "meets")


def test_a_ratio_a_hair_below_never_reads_as_the_threshold():
    rule = {"condition": {"attr": "rd_ratio", "op": ">=", "value": 3}}
    v = evaluate(rule, {"rd_spending": 2999999.99, "revenue": 100000000}, today=TODAY)
    assert v.reasons[0].text == "研发投入占营业收入比例 约2.9999%，要求不低于 3% ✗"


# ---------------------------------------------------------------- anniversaries


@pytest.mark.parametrize(
    "founded,today,years",
    [
        (dt.date(2024, 2, 29), dt.date(2027, 2, 27), 2),
        (dt.date(2024, 2, 29), dt.date(2027, 2, 28), 3),  # no 29 February: the month's last day
        (dt.date(2024, 2, 29), dt.date(2028, 2, 28), 3),
        (dt.date(2024, 2, 29), dt.date(2028, 2, 29), 4),
        (dt.date(2023, 2, 28), dt.date(2024, 2, 28), 1),
        (dt.date(2023, 3, 1), dt.date(2024, 2, 29), 0),
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1), 1),
        (dt.date(2021, 12, 3), dt.date(2026, 12, 2), 4),
        (dt.date(2021, 12, 3), dt.date(2026, 12, 3), 5),
    ],
)
def test_years_since_founding_across_29_february(founded, today, years):
    assert full_years(founded, today) == years
    table = ProfileTable.from_records([{"founded_on": founded, "region": "510104"}], ids=[1])
    for n in range(0, 7):
        at_least = {"condition": {"attr": "founded_on", "op": "years_since>=", "value": n}}
        at_most = {"condition": {"attr": "founded_on", "op": "years_since<=", "value": n}}
        assert (evaluate(at_least, {"founded_on": founded}, today=today).outcome == "meets") == (years >= n)
        # "不超过 n 年": up to and including the n-th anniversary
        assert (evaluate(at_most, {"founded_on": founded}, today=today).outcome == "meets") == (
            years < n or (years == n and _anniversary_today(founded, today, n))
        )
        for rule in (at_least, at_most):
            got = list(match_item(ItemRule(1, "510000", rule), table, today=today)) == [1]
            assert got == (evaluate(rule, {"founded_on": founded}, today=today).outcome == "meets")


def _anniversary_today(founded, today, n):
    try:
        day = founded.replace(year=founded.year + n)
    except ValueError:
        day = founded.replace(year=founded.year + n, day=28)
    return day == today


def test_every_day_of_a_leap_cycle_agrees_with_counting_whole_years():
    founded = [dt.date(2020, 2, 29), dt.date(2020, 2, 28), dt.date(2020, 3, 1), dt.date(2019, 12, 31)]
    day = dt.date(2023, 1, 1)
    while day < dt.date(2025, 1, 1):
        for f in founded:
            years = full_years(f, day)
            rule = {"condition": {"attr": "founded_on", "op": "years_since>=", "value": years}}
            assert evaluate(rule, {"founded_on": f}, today=day).outcome == "meets"
            rule = {"condition": {"attr": "founded_on", "op": "years_since>=", "value": years + 1}}
            assert evaluate(rule, {"founded_on": f}, today=day).outcome == "fails"
        day += dt.timedelta(days=1)


# ---------------------------------------------------------------- reasons the right way round


def test_a_condition_under_not_reads_as_the_rule_means_it():
    # 创新型中小企业认定: for firms not yet recognised
    rule = {
        "condition": {
            "all": [
                {"attr": "employees", "op": ">=", "value": 10},
                {"not": {"attr": "qualifications", "op": "has", "value": "innovative_sme"}},
            ]
        }
    }
    v = evaluate(rule, {"employees": 50, "qualifications": ["innovative_sme"]}, today=TODAY)
    assert v.outcome == "fails" and not v.nearly  # giving a qualification up is no way to claim
    assert v.reasons[1].text == "已认定为创新型中小企业，要求未认定为创新型中小企业 ✗"
    assert v.reasons[1].shown == "fails"
    v = evaluate(rule, {"employees": 50, "qualifications": []}, today=TODAY)
    assert v.outcome == "meets" and v.reasons[1].text == "未认定为创新型中小企业，要求未认定为创新型中小企业 ✓"
    v = evaluate({"condition": {"not": {"attr": "revenue", "op": ">=", "value": 1000}}}, {"revenue": 1200}, today=TODAY)
    assert v.reasons[0].text == "营业收入 1,200万元，要求低于 1,000万元 ✗"


@pytest.mark.parametrize(
    "leaf,profile,nearly",
    [
        ({"attr": "qualifications", "op": "has", "value": "high_tech"}, {"qualifications": []}, True),
        ({"attr": "rd_ratio", "op": ">=", "value": 3}, {"rd_spending": 10, "revenue": 1000}, True),
        ({"attr": "employees", "op": ">=", "value": 100}, {"employees": 50}, True),
        ({"attr": "founded_on", "op": "years_since>=", "value": 3}, {"founded_on": "2025-01-01"}, True),
        ({"attr": "credit_rating", "op": "in", "value": ["A", "B"]}, {"credit_rating": "M"}, True),
        ({"attr": "industry", "op": "prefix", "value": ["E"]}, {"industry": "I65"}, False),
        ({"attr": "region", "op": "prefix", "value": ["5106"]}, {"region": "510104"}, False),
        ({"attr": "is_individual", "op": "is_false"}, {"is_individual": True}, False),
        ({"attr": "founded_on", "op": "years_since<=", "value": 3}, {"founded_on": "2015-01-01"}, False),
        ({"attr": "employees", "op": "<=", "value": 100}, {"employees": 500}, False),
    ],
)
def test_nearly_only_on_a_condition_the_enterprise_can_change(leaf, profile, nearly):
    rule = {"condition": {"all": [{"attr": "is_listed", "op": "is_false"}, leaf]}}
    v = evaluate(rule, {"is_listed": False, **profile}, today=TODAY)
    assert v.outcome == "fails" and v.nearly is nearly
