"""Statistics of the comprehensive windows, counted from the event log.

The bulletin's four figures are counts of events in a period: consultations
(咨询, person-times), acceptances (受理, cases), certificates issued (颁发,
one event per certificate) and transfers (流转, case-times). Periods are
calendar days in Asia/Shanghai, both ends included.
"""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import CaseEvent

Kind = CaseEvent.Kind
FIGURES = {
    "consultations": Kind.CONSULT,
    "acceptances": Kind.ACCEPT,
    "certificates": Kind.ISSUE,
    "transfers": Kind.TRANSFER,
}
FIGURE_NAMES = {"consultations": "咨询（人次）", "acceptances": "受理（件）", "certificates": "颁发（件）",
                "transfers": "流转（件次）"}
# The ways the counts break down, each a column copied onto every event.
DIMENSIONS = {"department": "department", "window": "window", "matter": "matter", "channel": "channel"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("end before start")

    @classmethod
    def week_of(cls, day):
        monday = day - dt.timedelta(days=day.weekday())
        return cls(monday, monday + dt.timedelta(days=6))

    @classmethod
    def year_to(cls, day):
        return cls(day.replace(month=1, day=1), day)

    def label(self):
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _events(period, **filters):
    qs = CaseEvent.objects.filter(day__range=(period.start, period.end))
    lookups = {"department": "department", "window": "window", "matter": "matter", "channel": "channel",
               "region": "case__region"}
    for name, value in filters.items():
        if value not in (None, ""):
            qs = qs.filter(**{lookups[name]: value})
    return qs


def _aggregates():
    return {name: Count("id", filter=Q(kind=kind)) for name, kind in FIGURES.items()}


def figures(period, **filters):
    """The four counts for a period, optionally for one department, window, matter or channel."""
    qs = _events(period, **filters).filter(kind__in=FIGURES.values())
    return qs.aggregate(**_aggregates())


def breakdowns(period, **filters):
    """The four counts per department, window, matter and channel, largest
    first: one pass over the period's events, names looked up afterwards."""
    keys = list(DIMENSIONS.values())
    groups = (_events(period, **filters).filter(kind__in=FIGURES.values())
              .values(*keys, "kind").annotate(n=Count("id")).order_by())
    figure_of = {kind: figure for figure, kind in FIGURES.items()}
    tables = {by: {} for by in DIMENSIONS}
    for group in groups:
        for by, key in DIMENSIONS.items():
            row = tables[by].setdefault(group[key], dict.fromkeys(FIGURES, 0))
            row[figure_of[group["kind"]]] += group["n"]
    out = {}
    for by, rows in tables.items():
        names = _names(by, [key for key in rows if key is not None])
        out[by] = sorted(({"key": key, "name": names.get(key) or "（未指定）", **counts} for key, counts in rows.items()),
                         key=lambda row: (-row["acceptances"], -row["consultations"], str(row["name"])))
    return out


def breakdown(period, by, **filters):
    """One of `breakdowns`."""
    return breakdowns(period, **filters)[by]


def _names(by, keys):
    if by == "channel":
        return dict(CaseEvent._meta.get_field("channel").choices)
    model = CaseEvent._meta.get_field(DIMENSIONS[by]).related_model
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


def handling(period, **filters):
    """Cases concluded in the period: how many, average working days from
    acceptance to decision (paused time left out), and the share on time."""
    values = _events(period, **filters).filter(kind=Kind.CONCLUDE).values_list("data", flat=True)
    days = [v["working_days"] for v in values if "working_days" in v]
    on_time = [v["on_time"] for v in values if "on_time" in v]
    return {
        "concluded": len(on_time),
        "average_working_days": round(sum(days) / len(days), 1) if days else None,
        "on_time_rate": round(100 * sum(on_time) / len(on_time), 1) if on_time else None,
    }


def daily(period, **filters):
    """Counts per day, for the dashboard's chart."""
    qs = _events(period, **filters).filter(kind__in=FIGURES.values())
    rows = qs.values("day").annotate(**_aggregates()).order_by("day")
    return [{"day": row["day"], **{figure: row[figure] for figure in FIGURES}} for row in rows]
