"""Working days (工作日) by the official holiday calendar.

A day is a working day when it is a make-up working day (调休上班), or a
Monday–Friday that is not a holiday. Only years registered in CalendarYear
are counted: for any other year the caller gets CalendarNotAvailable rather
than a deadline guessed from weekends.
"""

import datetime as dt
import time
from typing import Any

from .errors import ServiceError
from .models import CalendarDay, CalendarYear

_CACHE_SECONDS = 60  # other processes pick up an administrator's edit within this
_Years = dict[int, tuple[set[dt.date], set[dt.date]]]  # year: (holidays, make-up working days)
_cache: dict[str, Any] = {"at": 0.0, "years": None}


class CalendarNotAvailable(ServiceError):
    code = "calendar_not_available"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year}年的节假日安排尚未录入工作日历，无法按工作日计算期限；请系统管理员先在“工作日历”中录入该年度。",
            errors={"date": [f"{year}年不在工作日历范围内"]},
        )
        self.year = year


def calendar_changed() -> None:
    _cache["years"] = None


def _years() -> _Years:
    now = time.monotonic()
    if _cache["years"] is None or now - _cache["at"] > _CACHE_SECONDS:
        years: _Years = {y: (set(), set()) for y in CalendarYear.objects.values_list("year", flat=True)}
        for date, kind in CalendarDay.objects.values_list("date", "kind"):
            if date.year in years:
                years[date.year][0 if kind == CalendarDay.Kind.HOLIDAY else 1].add(date)
        _cache.update(at=now, years=years)
    cached: _Years = _cache["years"]
    return cached


def is_working_day(date: dt.date) -> bool:
    years = _years()
    if date.year not in years:
        raise CalendarNotAvailable(date.year)
    holidays, workdays = years[date.year]
    if date in workdays:
        return True
    return date.weekday() < 5 and date not in holidays


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    date = start
    while days:
        date += dt.timedelta(days=1)
        if is_working_day(date):
            days -= 1
    return date


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if end is earlier)."""
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, date = 0, start
    while date < end:
        date += dt.timedelta(days=1)
        count += is_working_day(date)
    return sign * count
