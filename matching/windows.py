"""An item's application window on a given day: open, upcoming or closed.

Dated windows (申报开始/申报截止) decide directly. Most of the library says its window
in words instead (申报时间: 每年9月至10月, 每年4月1日至6月30日, 每年第三季度), and an item
for one year says so in its title (…（2024年度）); read together they decide too: a
yearly window is open only inside this year's span, and a year's item is claimed in
that year or the next (a 2024年度 award is not open in December 2026). Words that
name no span (常年受理, 以当年申报通知为准, 认定结果公布后30日内) leave the item open.
Pure functions (no Django), so they are tested on any day."""

from __future__ import annotations

import calendar
import datetime as dt
import re

QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTHS = re.compile(r"每年\s*(\d{1,2})月(?:(\d{1,2})日)?(?:\s*(?:至|到|-|—|～|~)\s*(\d{1,2})月(?:(\d{1,2})日)?)?")
_QUARTER = re.compile(r"每年\s*第([一二三四1-4])季度")
_YEAR = re.compile(r"(\d{4})\s*年度")


def _day(year: int, month: int, day: int | None, *, last: bool) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    end = calendar.monthrange(year, month)[1]
    if day is None:
        return dt.date(year, month, end if last else 1)
    return dt.date(year, month, day) if 1 <= day <= end else None


def yearly_span(period: str, year: int) -> tuple[dt.date, dt.date] | None:
    """The span a yearly window in words covers in `year`, or None when the words name none."""
    period = period or ""
    m = _QUARTER.search(period)
    if m:
        q = QUARTERS[m.group(1)]
        return _day(year, 3 * q - 2, 1, last=False), _day(year, 3 * q, None, last=True)
    m = _MONTHS.search(period)
    if not m:
        return None
    m1, d1, m2, d2 = (int(g) if g else None for g in m.groups())
    start = _day(year, m1, d1, last=False)
    end = _day(year, m2 if m2 is not None else m1, d2 if m2 is not None else None, last=True)
    if start is None or end is None or end < start:
        return None  # a window across the new year or an impossible day: not read
    return start, end


def title_year(title: str) -> int | None:
    m = _YEAR.search(title or "")
    return int(m.group(1)) if m else None


def state(apply_from, apply_until, period: str, title: str, on: dt.date) -> str:
    """ "open", "upcoming" or "closed" on the day `on`."""
    if apply_from or apply_until:
        if apply_until and apply_until < on:
            return "closed"
        if apply_from and apply_from > on:
            return "upcoming"
        return "open"
    year = title_year(title)
    years = (year, year + 1) if year else (on.year, on.year + 1)
    spans = [s for s in (yearly_span(period, y) for y in years) if s]
    if spans:
        if any(a <= on <= b for a, b in spans):
            return "open"
        return "upcoming" if any(a > on for a, _ in spans) else "closed"
    if year and on.year < year:
        return "upcoming"
    if year and on.year > year + 1:
        return "closed"
    return "open"
