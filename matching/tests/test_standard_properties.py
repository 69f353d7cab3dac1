"""Property tests beside the examples of test_standard.py: the sizes still possible are
exactly the classes some completion of the unknown measures gives (国统字〔2017〕213号
附表), an R&D ratio meets exactly when rd × 100 ≥ t × revenue in decimals on both paths,
and whole years since founding count anniversaries as 民法典 第二百零三条 does."""

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import ItemRule, ProfileTable, evaluate, match_item
from matching.engine.rules import full_years
from matching.engine.sizes import GROUPS, RANKS, classify_size, possible_sizes, size_groups

from .test_standard import CODES, OUTSIDE

TODAY = dt.date(2026, 12, 3)
MEASURES = ("employees", "revenue", "total_assets")
ALL_CODES = [c for codes in CODES.values() for c in codes] + ["G59", "K70", "K", "G", "I", "C39", "F"]


def _edges():
    """Every bound of the table, a hair either side, zero and something huge."""
    values = {0, 10**7}
    for _measures, bounds in GROUPS.values():
        for row in bounds.values():
            for b in row:
                values.update({b, b - 1, b + 1})
    return sorted(v for v in values if v >= 0)


EDGES = _edges()
maybe_value = st.one_of(st.none(), st.sampled_from(EDGES))


def _completions(code, values):
    """Every class some completion of the unknown measures gives: trying 0 and each of the
    group's bounds for each unknown measure reaches every class that measure can allow."""
    (group,) = size_groups(code)
    measures, bounds = GROUPS[group]
    unknown = [m for m in MEASURES if values[m] is None]
    tries = {m: [0, *(row[measures.index(m)] for row in bounds.values())] if m in measures else [0] for m in unknown}
    seen = set()
    for fill in itertools.product(*tries.values()):
        seen.add(RANKS.index(classify_size(code, **dict(values, **dict(zip(unknown, fill, strict=True))))))
    return seen


ONE_GROUP = [c for c in ALL_CODES if len(size_groups(c)) == 1]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ONE_GROUP), maybe_value, maybe_value, maybe_value)
def test_possible_sizes_are_the_classes_of_every_completion(code, employees, revenue, assets):
    values = {"employees": employees, "revenue": revenue, "total_assets": assets}
    assert possible_sizes(code, employees, revenue, assets) == _completions(code, values)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["G59", "K70", "G", None]), maybe_value, maybe_value, maybe_value)
def test_an_industry_in_several_groups_unites_their_possible_sizes(code, employees, revenue, assets):
    values = {"employees": employees, "revenue": revenue, "total_assets": assets}
    groups = size_groups(code) if code else tuple(GROUPS)
    if None in groups:  # part of it lies outside the standard: nothing is ruled out
        assert possible_sizes(code, employees, revenue, assets) == {0, 1, 2, 3}
        return
    members = [c for c in ONE_GROUP if size_groups(c)[0] in groups]
    assert {size_groups(c)[0] for c in members} == set(groups)
    union = set().union(*(_completions(c, values) for c in members))
    assert possible_sizes(code, employees, revenue, assets) == union


def test_codes_outside_the_standard_keep_every_class():
    for code in OUTSIDE:
        assert possible_sizes(code, None, None, None) == {0, 1, 2, 3}


cents = st.integers(0, 10**10).map(lambda n: Decimal(n) / 100)  # 万元 to two places


@settings(max_examples=300, deadline=None)
@given(cents, cents.filter(lambda r: r > 0), st.sampled_from([1, 2, 2.5, 3, 4, 5, 6, 10]))
def test_rd_ratio_meets_exactly_when_the_decimals_say_so(rd, revenue, threshold):
    want = rd * 100 >= Decimal(str(threshold)) * revenue
    rule = {"condition": {"attr": "rd_ratio", "op": ">=", "value": threshold}}
    profile = {"rd_spending": rd, "revenue": revenue, "region": "510104"}
    assert (evaluate(rule, profile, today=TODAY).outcome == "meets") == want
    table = ProfileTable.from_records([profile], ids=[1])
    assert (list(match_item(ItemRule(1, "510000", rule), table, today=TODAY)) == [1]) == want


@settings(max_examples=300, deadline=None)
@given(cents.filter(lambda r: r > 0), st.sampled_from([1, 2, 2.5, 3, 4, 5, 6, 10]), st.sampled_from([-1, 0, 1]))
def test_rd_ratio_on_the_threshold_and_a_cent_either_side(revenue, threshold, cent):
    at = (Decimal(str(threshold)) * revenue / 100).quantize(Decimal("0.01"))
    test_rd_ratio_meets_exactly_when_the_decimals_say_so.hypothesis.inner_test(
        max(at + Decimal(cent) / 100, Decimal(0)), revenue, threshold
    )


def _anniversary(founded: dt.date, year: int) -> dt.date:
    """民法典 第二百零三条: a period ending on a day the month lacks ends on the month's last day."""
    try:
        return founded.replace(year=year)
    except ValueError:
        return founded.replace(year=year, day=28)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)))
def test_whole_years_count_anniversaries(founded, today):
    years = full_years(founded, today)
    if today < founded:
        assert years <= 0
        return
    assert _anniversary(founded, founded.year + years) <= today < _anniversary(founded, founded.year + years + 1)
