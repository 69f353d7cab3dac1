"""The money rules, to the fen."""

import datetime as dt
from decimal import Decimal

import pytest

from revenue import rules
from revenue.models import Parameter

D = dt.date


def test_late_instalment_spanning_a_change_of_rate_is_charged_at_both_rates_to_the_fen(revenue_setup):
    # Instalment of 1,234,567.89 due 2023-04-20, paid 2023-05-10: 10 days at 0.2%
    # (2023-04-21..30, 财综〔2017〕35号) and 10 days at 0.05% (2023-05-01..10).
    fee = rules.late_fee(Decimal("1234567.89"), D(2023, 4, 20), D(2023, 5, 10))
    expected = Decimal("1234567.89") * Decimal("0.002") * 10 + Decimal("1234567.89") * Decimal("0.0005") * 10
    assert expected == Decimal("30864.197250")
    assert fee == Decimal("30864.20")


def test_late_fee_counts_from_the_day_after_the_due_date_and_never_exceeds_the_principal(revenue_setup):
    assert rules.late_fee(Decimal("1000.00"), D(2024, 3, 1), D(2024, 3, 1)) == Decimal("0.00")
    assert rules.late_fee(Decimal("1000.00"), D(2024, 3, 1), D(2024, 3, 2)) == Decimal("0.50")
    assert rules.late_fee(Decimal("1000.00"), D(2010, 1, 1), D(2025, 1, 1)) == Decimal("1000.00")


def test_a_new_rate_row_changes_the_fee_from_its_date_only(revenue_setup):
    Parameter.objects.create(
        name=Parameter.Name.LATE_FEE_DAILY, value=Decimal("0.0003"), effective_from=D(2026, 1, 1), source="测试"
    )
    fee = rules.late_fee(Decimal("10000.00"), D(2025, 12, 30), D(2026, 1, 2))
    assert fee == Decimal("11.00")  # 12-31 at 0.05%, 01-01 and 01-02 at 0.03%


@pytest.mark.parametrize("year, rate", [(1, 100), (3, 100), (4, 200), (5, 300), (6, 400), (7, 500), (12, 500)])
def test_exploration_use_fee_rises_from_the_fourth_year_to_its_cap(revenue_setup, year, rate):
    assert rules.use_fee_rate("exploration", year, D(2026, 6, 1)) == rate
    assert rules.use_fee("exploration", Decimal("12.3456"), year, D(2026, 6, 1)) == (
        Decimal("12.3456") * rate
    ).quantize(Decimal("0.01"))


def test_mining_use_fee_is_flat(revenue_setup):
    assert rules.use_fee("mining", Decimal("2.5"), 9, D(2026, 6, 1)) == Decimal("2500.00")


def test_split_is_forty_sixty_and_the_parts_add_up_to_the_fen(revenue_setup):
    parts = rules.split(Decimal("1000000.01"), "county", D(2026, 6, 1))
    assert parts["central"] == Decimal("400000.00")
    assert sum(parts.values()) == Decimal("1000000.01")
    assert parts["province"] == Decimal("120000.00") and parts["city"] == Decimal("120000.00")


def test_approval_chain_climbs_with_the_amount(revenue_setup):
    on = D(2026, 6, 1)
    assert rules.approval_chain("county", Decimal(50000), on) == ["county"]
    assert rules.approval_chain("county", Decimal(5000000), on) == ["city"]
    assert rules.approval_chain("county", Decimal(12000000), on) == ["city", "province"]
    assert rules.approval_chain("city", Decimal(12000000), on) == ["province"]
    assert rules.approval_chain("province", Decimal(12000000), on) == ["province"]


def test_send_clock_warns_before_and_alerts_after_ten_working_days(revenue_setup):
    signed = D(2026, 9, 28)  # the National Day holiday lies inside the 10 working days
    deadline = rules.send_deadline(signed)
    assert deadline == D(2026, 10, 16)  # by the official 2026 calendar
    assert rules.clock(signed, D(2026, 9, 29))[2] == "ok"
    assert rules.clock(signed, D(2026, 10, 15))[2] == "warn"
    assert rules.clock(signed, D(2026, 10, 20))[2] == "alert"
    assert rules.clock(signed, D(2026, 10, 20), done_on=D(2026, 10, 16))[2] == "done"


def test_use_fee_late_payment_is_charged_at_its_own_rate_not_the_proceeds_one(revenue_setup):
    # 使用费 due 2026-03-31, paid 2026-04-10: 10 days at 2‰ (国务院令第240号第三十一条),
    # where 出让收益 late by the same days is charged at the 2023 rate.
    use = rules.late_fee(Decimal("4321.09"), D(2026, 3, 31), D(2026, 4, 10), kind="use_fee")
    proceeds = rules.late_fee(Decimal("4321.09"), D(2026, 3, 31), D(2026, 4, 10), kind="proceeds_amount")
    assert use == Decimal("86.42")  # 4321.09 × 0.002 × 10 = 86.4218
    assert proceeds == Decimal("21.61")  # 4321.09 × 0.0005 × 10 = 21.60545
    source = Parameter.objects.get(name=Parameter.Name.USE_FEE_LATE_DAILY).source
    assert "第240号第三十一条" in source


def test_notice_clock_is_seven_working_days_by_the_official_calendar(revenue_setup):
    sent = D(2026, 9, 28)  # the National Day holiday and its Saturday make-up day lie inside
    assert rules.clock(sent, D(2026, 9, 29), days=rules.NOTICE_WORKING_DAYS) == (D(2026, 10, 13), 6, "ok")
    assert rules.clock(sent, D(2026, 10, 9), days=rules.NOTICE_WORKING_DAYS) == (D(2026, 10, 13), 3, "warn")
    assert rules.clock(sent, D(2026, 10, 14), days=rules.NOTICE_WORKING_DAYS)[2] == "alert"
    assert rules.clock(sent, D(2026, 10, 14), D(2026, 10, 13), days=rules.NOTICE_WORKING_DAYS)[2] == "done"
    assert rules.clock(sent, D(2026, 10, 14), D(2026, 10, 14), days=rules.NOTICE_WORKING_DAYS)[2] == "late"
