"""Application windows said in words (每年9月至10月, 每年第三季度) and years in titles
(（2024年度）) decide whether an item can be claimed today, on the page and in its total."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import services
from matching.windows import state, yearly_span

from .conftest import leaf, rule_of

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    "period,year,span",
    [
        ("每年9月至10月", 2026, (dt.date(2026, 9, 1), dt.date(2026, 10, 31))),
        ("每年4月1日至6月30日", 2027, (dt.date(2027, 4, 1), dt.date(2027, 6, 30))),
        ("每年3月至5月", 2026, (dt.date(2026, 3, 1), dt.date(2026, 5, 31))),
        ("每年第三季度", 2026, (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        ("每年第四季度", 2026, (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        ("每年2月", 2028, (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        ("常年受理", 2026, None),
        ("按季度集中受理", 2026, None),
        ("以当年申报通知为准", 2026, None),
        ("认定结果公布后30日内", 2026, None),
        ("每年11月至2月", 2026, None),  # across the new year: not read, left open
        ("每年13月", 2026, None),
    ],
)
def test_a_yearly_window_in_words(period, year, span):
    assert yearly_span(period, year) == span


@pytest.mark.parametrize(
    "period,title,expected",
    [
        ("每年9月至10月", "知识产权质押融资贴息", "upcoming"),  # this year's window is over, next year's to come
        ("每年第四季度", "企业上云补贴", "open"),
        ("每年4月1日至6月30日", "“六税两费”减半征收", "upcoming"),
        ("常年受理", "研发费用税前加计扣除", "open"),
        ("以当年申报通知为准", "吸纳就业补贴", "open"),
        ("每年9月至10月", "企业上云用云补贴（2024年度）", "closed"),  # its windows were 2024 and 2025
        ("每年9月至10月", "企业上云用云补贴（2025年度）", "closed"),
        ("每年第四季度", "企业上云用云补贴（2025年度）", "open"),  # claimed in the year after
        ("每年3月至5月", "高新技术企业奖励（2026年度）", "upcoming"),
        ("认定结果公布后30日内", "企业上云用云补贴（2027年度）", "upcoming"),
        ("认定结果公布后30日内", "企业上云用云补贴（2024年度）", "closed"),
        ("认定结果公布后30日内", "企业上云用云补贴（2025年度）", "open"),
    ],
)
def test_window_state_on_3_december_2026(period, title, expected):
    assert state(None, None, period, title, TODAY) == expected


def test_dates_decide_before_words():
    assert state(dt.date(2026, 12, 1), dt.date(2026, 12, 31), "每年3月", "（2020年度）", TODAY) == "open"
    assert state(None, dt.date(2026, 12, 2), "常年受理", "", TODAY) == "closed"
    assert state(dt.date(2026, 12, 4), None, "", "", TODAY) == "upcoming"


@given(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.integers(1, 12), st.integers(0, 11))
def test_a_yearly_window_is_open_exactly_inside_its_months(on, first, length):
    last = min(12, first + length)
    period = f"每年{first}月至{last}月"
    assert (state(None, None, period, "", on) == "open") == (first <= on.month <= last)
    assert state(None, None, period, "", on) != "closed"  # a window without a year comes round again


def test_the_calculator_counts_only_what_is_open_today(make_item, agent_profile):
    anyone = rule_of(leaf("revenue", ">=", 1))
    autumn = make_item("知识产权质押融资贴息", rule=anyone, amount_cap=Decimal("20"))
    autumn.apply_period = "每年9月至10月"
    autumn.save()
    old = make_item("企业上云用云补贴（2024年度）", rule=anyone, amount_cap=Decimal("5"))
    old.apply_period = "每年9月至10月"
    old.save()
    now = make_item("企业上云用云补贴（2025年度）", rule=anyone, amount_cap=Decimal("7"))
    now.apply_period = "每年第四季度"
    now.save()
    groups = services.calculate(agent_profile.attributes(), on=TODAY)
    states = {r.item.title: r.window_state for r in groups["meets"]}
    assert states == {
        "企业上云用云补贴（2025年度）": "open",
        "知识产权质押融资贴息": "upcoming",
        "企业上云用云补贴（2024年度）": "closed",
    }
    assert [r.item.title for r in groups["meets"]][0] == "企业上云用云补贴（2025年度）"
    assert services.claimable_total(groups) == (Decimal("7"), 0)
