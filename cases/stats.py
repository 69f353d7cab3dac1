"""Statistics of the comprehensive windows, counted from the event log.

The bulletin's four figures are counts of events in a period: consultations
(咨询, person-times), acceptances (受理, cases), certificates issued (颁发,
one event per certificate) and transfers (流转, case-times). Periods are
calendar days in Asia/Shanghai, both ends included.

Counts are read from the daily summary (cases.summary, DaySummary), which is
derived from the events in the same transaction as each one; the cases
behind a figure (`drill_down`) are read from the events themselves.

What a consultation (咨询) is: one person asking about one matter or policy.
At a window or on the 12345 line staff register each one (person-times);
in the online policy zone a question counts once per person (or browser
session) per question per day, in its own channel 网上政策咨询, so reposting
a question cannot add to the figure (policies.consultation).
"""

import datetime as dt
import hashlib
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from accounts.policy import DEPARTMENT_BOUND
from core import workdays
from core.models import Department
from core.regions import region_level, region_prefix
from hall.models import Window

from .models import CaseEvent, DaySummary, EventChannel, SummaryStamp

Kind = CaseEvent.Kind
FIGURES = {
    "consultations": Kind.CONSULT,
    "acceptances": Kind.ACCEPT,
    "certificates": Kind.ISSUE,
    "transfers": Kind.TRANSFER,
}
FIGURE_NAMES = {
    "consultations": "咨询（人次）",
    "acceptances": "受理（件）",
    "certificates": "颁发（件）",
    "transfers": "流转（件次）",
}
# The ways the counts break down, each a column of the summary (and of every event).
DIMENSIONS = {"department": "department", "window": "window", "matter": "matter", "channel": "channel"}
FILTERS = ("department", "window", "matter", "channel", "region")
CHANNEL_NAMES = dict(EventChannel.choices)


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included.

    One week for the dashboard's 本周 and the bulletin (`week_of`): Monday to
    Friday, and a Saturday or Sunday when it is a make-up working day
    (调休上班, by the State Council General Office's yearly notice, e.g.
    国办发明电〔2023〕7号 for 2024), so the figures count exactly the days the
    bulletin prints. Events on an ordinary weekend day (online applications)
    count in 今年以来 and in any period that spans the day."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("end before start")

    @classmethod
    def week_of(cls, day):
        monday = day - dt.timedelta(days=day.weekday())
        end = monday + dt.timedelta(days=4)
        for weekend in (monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)):
            try:
                if workdays.is_working_day(weekend):
                    end = weekend
            except workdays.CalendarNotAvailable:
                pass  # no calendar for the year: the ordinary week
        return cls(monday, end)

    @classmethod
    def year_to(cls, day):
        return cls(day.replace(month=1, day=1), day)

    def year_to_end(self):
        """今年以来 for this period: from 1 January of its last day's year to its last day."""
        return Period.year_to(self.end)

    def days(self):
        return (self.end - self.start).days + 1

    def label(self):
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def scope(user, window=None):
    """Whose figures `user` sees: a clerk those of one window of their hall
    (`window`, else the one they last worked at), a department-bound role
    its own department's function within its region, a manager their
    region (all of it at the province). Returns (departments, windows,
    window choices): ids or None for everything."""
    region = user.department.region_id if user.department_id else ""
    if user.role == Role.CLERK:
        choices = Window.objects.filter(active=True, hall__department_id=user.department_id).select_related("hall")
        ids = list(choices.values_list("pk", flat=True))
        chosen = getattr(window, "pk", window)
        if chosen not in ids:
            chosen = ids[0] if ids else 0
        return None, [chosen], choices
    if user.role == Role.SYSADMIN or (
        region and region_level(region) == "province" and user.role not in DEPARTMENT_BOUND
    ):
        return None, None, None
    departments = (
        Department.objects.filter(region__code__startswith=region_prefix(region))
        if region
        else Department.objects.none()
    )
    if user.role in DEPARTMENT_BOUND:
        departments = departments.filter(function=user.department.function)
    return list(departments.values_list("pk", flat=True)), None, None


def _id(value):
    return getattr(value, "pk", value)


def _rows(period, *, departments=None, windows=None, **filters):
    """The summary's rows for a period and filters. `departments`/`windows`:
    the reach of the person asking (ids), None for everything."""
    qs = DaySummary.objects.filter(day__range=(period.start, period.end))
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name}")
        if name == "region":
            qs = qs.filter(region__startswith=region_prefix(_id(value)))
        else:
            qs = qs.filter(**{name: _id(value)})
    if departments is not None:
        qs = qs.filter(department__in=list(departments))
    if windows is not None:
        qs = qs.filter(window__in=list(windows))
    return qs


def figures(period, **filters):
    """The four counts for a period, optionally for one department, window, matter, channel or region."""
    return dict(_parts(period, **filters)["totals"])


def report(period, dimensions=DIMENSIONS, top=None, **filters):
    """Figures, breakdowns, days and handling of a period from one reading of
    the summary. `top`: only the first rows of each breakdown are named and
    returned (the page); `sizes` says how many there are in all."""
    parts = _parts(period, **filters)
    return {
        "figures": dict(parts["totals"]),
        "breakdowns": _breakdowns(parts, dimensions, top),
        "sizes": {by: len(parts["by"][by]) for by in dimensions},
        "daily": _daily(parts),
        "handling": _handling(parts),
    }


def breakdowns(period, dimensions=DIMENSIONS, **filters):
    """The four counts per department, window, matter and channel, largest first."""
    return _breakdowns(_parts(period, **filters), dimensions)


def _by_counts(row):
    return (-row["acceptances"], -row["consultations"])


def _breakdowns(parts, dimensions, top=None):
    tables = parts["by"]
    out = {}
    for by in dimensions:
        ordered = sorted(tables[by].items(), key=lambda item: _by_counts(item[1]))
        if top is not None and len(ordered) > top:
            # keep the rows tied with the last one shown: their names decide the order
            cut, last = top, _by_counts(ordered[top - 1][1])
            while cut < len(ordered) and _by_counts(ordered[cut][1]) == last:
                cut += 1
            ordered = ordered[:cut]
        names = _names(by, [key for key, _ in ordered if key])
        rows = sorted(
            ({"key": key, "name": names.get(key) or "（未指定）", **counts} for key, counts in ordered),
            key=lambda row: (*_by_counts(row), str(row["name"])),
        )
        out[by] = rows if top is None else rows[:top]
    return out


# --- one pass per month, kept in memory while its days' stamps stand ---
#
# The breakdowns of a year to date group a few hundred thousand summary rows.
# Each month that is over (each day of the month in progress) is grouped
# once and kept in this process with the stamps of its days (SummaryStamp:
# raised in the same transaction as every event counted on the day and by
# every rebuild of it). A request first reads the stamps of its period (one
# row a day) and then regroups only a segment whose stamps moved: nothing
# kept can outlive a change, whichever process made it. The stamps are read
# before the rows, so a grouping is never older than the stamps it is kept
# under (an event committed in between makes it newer, and the next request
# regroups it).

BY = ("department", "window", "matter", "channel", "region")
VALUES = ("events", "working_days", "timed", "on_time", "judged")


class _Memo:
    """The groupings, kept in this process as they are (no pickling: a year's
    breakdowns took longer to unpickle from the cache than to merge)."""

    SIZE = 1024

    def __init__(self):
        self.items, self.lock = OrderedDict(), threading.Lock()
        self.versions = itertools.count(1)

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.SIZE:
                self.items.popitem(last=False)


_memo = _Memo()


def _segments(period, today=None):
    """Whole months, and single days in the month in progress."""
    today = today or timezone.localdate()
    start = period.start
    while start <= period.end:
        if (start.year, start.month) >= (today.year, today.month):
            yield Period(start, start)
            start += dt.timedelta(days=1)
            continue
        following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(period.end, following - dt.timedelta(days=1))
        yield Period(start, end)
        start = end + dt.timedelta(days=1)


def _stamps(period):
    return dict(SummaryStamp.objects.filter(day__range=(period.start, period.end)).values_list("day", "version"))


def _reach_key(filters):
    text = repr(
        sorted(
            (name, str(sorted(value)) if isinstance(value, (list, tuple, set)) else str(_id(value)))
            for name, value in filters.items()
            if value not in (None, "")
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _group(segment, **filters):
    rows = _rows(segment, **filters).filter(kind__in=[*FIGURES.values(), Kind.CONCLUDE])
    return _group_in_database(rows) if connection.vendor == "postgresql" else _group_in_python(rows)


def _group_in_python(rows):
    figure_of = {kind: figure for figure, kind in FIGURES.items()}
    by = {name: {} for name in BY}
    days = {}
    handled = [0, 0, 0, 0]
    totals = dict.fromkeys(FIGURES, 0)
    rows = rows.values_list("day", "kind", *BY, "events", "working_days", "timed", "on_time", "judged")
    for day, kind, *keys, n, working_days, timed, on_time, judged in rows.iterator(chunk_size=5000):
        if kind == Kind.CONCLUDE:
            handled[0] += working_days
            handled[1] += timed
            handled[2] += on_time
            handled[3] += judged
            continue
        figure = figure_of[kind]
        totals[figure] += n
        for name, key in zip(BY, keys):
            table = by[name].get(key)
            if table is None:
                table = by[name][key] = dict.fromkeys(FIGURES, 0)
            table[figure] += n
        today = days.get(day)
        if today is None:
            today = days[day] = dict.fromkeys(FIGURES, 0)
        today[figure] += n
    return {"by": by, "days": days, "handled": handled, "totals": totals}


# GROUPING(day, *BY) of each grouping set: a bit set for every column summed over.
_SETS = {"day": 0b011111, **{name: 0b111111 ^ (1 << (len(BY) - 1 - i)) for i, name in enumerate(BY)}, "": 0b111111}


def _group_in_database(rows):
    """The same grouping, summed by PostgreSQL in one pass (GROUPING SETS):
    a month of a province is a few thousand result rows instead of the
    hundreds of thousands of summary rows passed through Python."""
    figure_of = {kind: figure for figure, kind in FIGURES.items()}
    by = {name: {} for name in BY}
    days, handled, totals = {}, [0, 0, 0, 0], dict.fromkeys(FIGURES, 0)
    quote = connection.ops.quote_name
    columns = ("day", "kind", *BY)
    try:
        inner, params = rows.values_list(*columns, *VALUES).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an empty choice list): nothing to group
        return {"by": by, "days": days, "handled": handled, "totals": totals}
    sets = ", ".join(f"(kind, {quote(c)})" for c in ("day", *BY))
    sql = (
        f"SELECT kind, GROUPING({', '.join(quote(c) for c in ('day', *BY))}), "
        f"{', '.join(quote(c) for c in ('day', *BY))}, {', '.join(f'SUM({v})' for v in VALUES)} "
        f"FROM ({inner}) AS s({', '.join(quote(c) for c in (*columns, *VALUES))}) "
        f"GROUP BY GROUPING SETS ({sets}, (kind))"
    )
    name_of = {bits: name for name, bits in _SETS.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, bits, day, *rest in cursor.fetchall():
            keys, (n, working_days, timed, on_time, judged) = rest[: len(BY)], rest[len(BY) :]
            name = name_of[bits]
            if kind == Kind.CONCLUDE:
                if name == "":
                    handled = [int(working_days), int(timed), int(on_time), int(judged)]
                continue
            figure, n = figure_of[kind], int(n)
            if name == "":
                totals[figure] += n
            elif name == "day":
                days.setdefault(day, dict.fromkeys(FIGURES, 0))[figure] += n
            else:
                key = keys[BY.index(name)]
                by[name].setdefault(key, dict.fromkeys(FIGURES, 0))[figure] += n
    return {"by": by, "days": days, "handled": handled, "totals": totals}


def _fresh(period, segments, reach, filters):
    """The grouping of each segment, from memory where its days' stamps have not moved since."""
    stamps = _stamps(period)  # before any row is read (see above)
    out = []
    for segment in segments:
        key = f"cases.stats:{segment.start}:{segment.end}:{reach}"
        stamp = tuple(sorted((day, version) for day, version in stamps.items() if segment.start <= day <= segment.end))
        entry = _memo.get(key)
        if entry is None or entry["stamp"] != stamp:
            entry = {"part": _group(segment, **filters), "stamp": stamp, "version": next(_memo.versions)}
            _memo.set(key, entry)
        out.append(entry)
    return out


def _parts(period, **filters):
    """Totals, breakdowns, days and handling sums of a period: its segments'
    groupings, merged; the merge itself kept while every grouping stands."""
    reach = _reach_key(filters)
    segments = list(_segments(period))
    entries = _fresh(period, segments, reach, filters)
    whole = f"cases.stats:whole:{reach}:{period.start}:{period.end}:" + ",".join(str(e["version"]) for e in entries)
    merged = _memo.get(whole)
    if merged is not None:
        return merged
    merged = {"by": {name: {} for name in BY}, "days": {}, "handled": [0, 0, 0, 0], "totals": dict.fromkeys(FIGURES, 0)}
    for entry in entries:
        part = entry["part"]
        for name in BY:
            target = merged["by"][name]
            for value, counts in part["by"][name].items():
                row = target.get(value)
                if row is None:
                    target[value] = dict(counts)
                else:
                    for figure, n in counts.items():
                        row[figure] += n
        merged["days"].update(part["days"])
        merged["handled"] = [a + b for a, b in zip(merged["handled"], part["handled"])]
        for figure, n in part["totals"].items():
            merged["totals"][figure] += n
    if len(entries) > 1:
        _memo.set(whole, merged)
    return merged


def breakdown(period, by, **filters):
    """One of `breakdowns` (also "region")."""
    return breakdowns(period, dimensions=[by], **filters)[by]


def _names(by, keys):
    if by == "channel":
        return CHANNEL_NAMES
    if by == "region":
        from core.models import Region

        return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    model = CaseEvent._meta.get_field(by).related_model
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


def handling(period, **filters):
    """Cases concluded in the period: how many, average working days from
    acceptance to decision (paused time left out), and the share on time."""
    return _handling(_parts(period, **filters))


def _handling(parts):
    days, timed, on_time, judged = parts["handled"]
    return {
        "concluded": judged,
        "average_working_days": round(days / timed, 1) if timed else None,
        "on_time_rate": round(100 * on_time / judged, 1) if judged else None,
    }


def daily(period, **filters):
    """Counts per day (days with events), for the dashboard's chart."""
    return _daily(_parts(period, **filters))


def _daily(parts):
    days = parts["days"]
    return [{"day": day, **days[day]} for day in sorted(days)]


def drill_down(period, figure, *, departments=None, windows=None, **filters):
    """The events behind a figure (newest first), with their cases: the
    same period, filters and reach as the count, read from the event log."""
    qs = CaseEvent.objects.filter(day__range=(period.start, period.end), kind=FIGURES[figure])
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name == "region":
            prefix = region_prefix(_id(value))
            qs = qs.filter(
                Q(case__region__code__startswith=prefix)
                | Q(case__isnull=True, department__region__code__startswith=prefix)
            )
        else:
            qs = qs.filter(**{name: _id(value)})
    if departments is not None:
        qs = qs.filter(department__in=list(departments))
    if windows is not None:
        qs = qs.filter(window__in=list(windows))
    return qs.select_related("case", "department", "window", "matter").order_by("-at", "-id")
