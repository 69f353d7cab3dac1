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
from dataclasses import dataclass

from django.db.models import Q, Sum

from accounts.models import Role
from accounts.policy import DEPARTMENT_BOUND
from core import workdays
from core.models import Department
from core.regions import region_level, region_prefix
from hall.models import Window

from .models import CaseEvent, DaySummary, EventChannel

Kind = CaseEvent.Kind
FIGURES = {
    "consultations": Kind.CONSULT,
    "acceptances": Kind.ACCEPT,
    "certificates": Kind.ISSUE,
    "transfers": Kind.TRANSFER,
}
FIGURE_NAMES = {"consultations": "咨询（人次）", "acceptances": "受理（件）", "certificates": "颁发（件）",
                "transfers": "流转（件次）"}
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
    if user.role == Role.SYSADMIN or (region and region_level(region) == "province"
                                      and user.role not in DEPARTMENT_BOUND):
        return None, None, None
    departments = Department.objects.filter(region__code__startswith=region_prefix(region)) if region \
        else Department.objects.none()
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


def _aggregates():
    return {name: Sum("events", filter=Q(kind=kind), default=0) for name, kind in FIGURES.items()}


def figures(period, **filters):
    """The four counts for a period, optionally for one department, window, matter, channel or region."""
    qs = _rows(period, **filters).filter(kind__in=FIGURES.values())
    return qs.aggregate(**_aggregates())


def breakdowns(period, dimensions=DIMENSIONS, **filters):
    """The four counts per department, window, matter and channel, largest
    first: one pass over the period's summary rows, names looked up afterwards."""
    keys = list(dimensions)
    groups = (_rows(period, **filters).filter(kind__in=FIGURES.values())
              .values(*keys, "kind").annotate(n=Sum("events")).order_by())
    figure_of = {kind: figure for figure, kind in FIGURES.items()}
    tables = {by: {} for by in keys}
    for group in groups:
        for by in keys:
            row = tables[by].setdefault(group[by], dict.fromkeys(FIGURES, 0))
            row[figure_of[group["kind"]]] += group["n"]
    out = {}
    for by, rows in tables.items():
        names = _names(by, [key for key in rows if key])
        out[by] = sorted(({"key": key, "name": names.get(key) or "（未指定）", **counts} for key, counts in rows.items()),
                         key=lambda row: (-row["acceptances"], -row["consultations"], str(row["name"])))
    return out


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
    got = _rows(period, **filters).filter(kind=Kind.CONCLUDE).aggregate(
        days=Sum("working_days", default=0), timed=Sum("timed", default=0), on_time=Sum("on_time", default=0),
        judged=Sum("judged", default=0))
    return {
        "concluded": got["judged"],
        "average_working_days": round(got["days"] / got["timed"], 1) if got["timed"] else None,
        "on_time_rate": round(100 * got["on_time"] / got["judged"], 1) if got["judged"] else None,
    }


def daily(period, **filters):
    """Counts per day, for the dashboard's chart."""
    qs = _rows(period, **filters).filter(kind__in=FIGURES.values())
    rows = qs.values("day").annotate(**_aggregates()).order_by("day")
    return [{"day": row["day"], **{figure: row[figure] for figure in FIGURES}} for row in rows]


def drill_down(period, figure, *, departments=None, windows=None, **filters):
    """The events behind a figure (newest first), with their cases: the
    same period, filters and reach as the count, read from the event log."""
    qs = CaseEvent.objects.filter(day__range=(period.start, period.end), kind=FIGURES[figure])
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name == "region":
            prefix = region_prefix(_id(value))
            qs = qs.filter(Q(case__region__code__startswith=prefix)
                           | Q(case__isnull=True, department__region__code__startswith=prefix))
        else:
            qs = qs.filter(**{name: _id(value)})
    if departments is not None:
        qs = qs.filter(department__in=list(departments))
    if windows is not None:
        qs = qs.filter(window__in=list(windows))
    return qs.select_related("case", "department", "window", "matter").order_by("-at", "-id")
