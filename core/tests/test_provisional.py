"""Provisional (暂定) years: statutory holidays computed before the State
Council's notice (core.provisional, core.reference.load_calendar)."""

import datetime as dt

import chinese_calendar
import pytest
from django.utils import timezone

from core.models import CalendarDay, CalendarYear
from core.provisional import PROVISIONAL_SOURCE, statutory_holidays
from core.reference import load_calendar
from core.workdays import add_working_days

D = dt.date


def test_2027_statutory_holidays():
    # 除夕 2027-02-05 (正月初一 02-06), 清明 04-05, 端午 06-09, 中秋 09-15, as
    # lunardate and chinese-calendar's solar terms give them.
    assert statutory_holidays(2027) == [
        (D(2027, 1, 1), "元旦"),
        (D(2027, 2, 5), "春节"),
        (D(2027, 2, 6), "春节"),
        (D(2027, 2, 7), "春节"),
        (D(2027, 2, 8), "春节"),
        (D(2027, 4, 5), "清明节"),
        (D(2027, 5, 1), "劳动节"),
        (D(2027, 5, 2), "劳动节"),
        (D(2027, 6, 9), "端午节"),
        (D(2027, 9, 15), "中秋节"),
        (D(2027, 10, 1), "国庆节"),
        (D(2027, 10, 2), "国庆节"),
        (D(2027, 10, 3), "国庆节"),
    ]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_computation_agrees_with_the_published_notices(year):
    """Under 国务院令第795号 every computed day is a holiday in the notices the package transcribes."""
    days = statutory_holidays(year)
    assert len(days) == 13
    assert all(chinese_calendar.is_holiday(d) for d, _ in days)
    names = dict(days)
    assert names[D(year, 1, 1)] == "元旦"


@pytest.mark.django_db
def test_next_year_is_registered_provisionally_and_counted():
    next_year = timezone.localdate().year + 1
    entry = CalendarYear.objects.get(year=next_year)
    assert entry.provisional and entry.source == PROVISIONAL_SOURCE
    holidays = set(CalendarDay.objects.filter(date__year=next_year).values_list("date", flat=True))
    assert holidays == {d for d, _ in statutory_holidays(next_year)}
    assert add_working_days(D(next_year, 1, 1), 1) != D(next_year, 1, 1)  # counted, not refused


@pytest.mark.django_db
def test_a_confirmed_year_is_left_alone_by_the_loader():
    next_year = timezone.localdate().year + 1
    CalendarYear.objects.filter(year=next_year).update(provisional=False, source="国办发明电〔2026〕X号")
    CalendarDay.objects.create(date=D(next_year, 2, 20), kind=CalendarDay.Kind.WORKDAY, name="春节调休")
    load_calendar()
    entry = CalendarYear.objects.get(year=next_year)
    assert not entry.provisional and entry.source == "国办发明电〔2026〕X号"
    assert CalendarDay.objects.filter(date=D(next_year, 2, 20)).exists()


@pytest.mark.django_db
def test_a_provisional_year_the_package_now_covers_is_replaced():
    CalendarYear.objects.filter(year=2026).update(provisional=True, source=PROVISIONAL_SOURCE)
    CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.WORKDAY).delete()
    load_calendar()
    entry = CalendarYear.objects.get(year=2026)
    assert not entry.provisional and "国务院办公厅关于2026年部分节假日安排的通知" in entry.source
    assert CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.WORKDAY).exists()


@pytest.mark.django_db
def test_the_console_home_warns_when_next_year_is_missing(client, demo_user):
    next_year = timezone.localdate().year + 1
    CalendarDay.objects.filter(date__year=next_year).delete()
    CalendarYear.objects.filter(year=next_year).delete()
    client.force_login(demo_user("admin"))
    page = client.get("/console/").content.decode()
    assert f"{next_year}年尚未登记工作日历，期限跨入该年的办件将无法受理" in page
