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
DIMENSIONS = {
    "department": ("department", "department__name"),
    "window": ("window", "window__name"),
    "matter": ("matter", "matter__name"),
    "channel": ("channel", None),
}


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


def breakdown(period, by, **filters):
    """The four counts per department, window, matter or channel, largest first."""
    key, label = DIMENSIONS[by]
    qs = _events(period, **filters).filter(kind__in=FIGURES.values())
    fields = [key] + ([label] if label else [])
    rows = qs.values(*fields).annotate(**_aggregates()).order_by("-acceptances", "-consultations")
    out = []
    for row in rows:
        name = row.get(label) if label else dict(CaseEvent._meta.get_field("channel").choices).get(row[key])
        out.append({"key": row[key], "name": name or "（未指定）",
                    **{figure: row[figure] for figure in FIGURES}})
    return out


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
