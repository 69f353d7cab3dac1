"""Statistics endpoints of the JSON API (/api/v1/stats/...): the four
figures, breakdowns, days and the events behind a figure, for a period and
filters, read from the daily summary with the dashboard's permissions and
reach (cases.stats.scope)."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from accounts import policy
from core.api_errors import replies
from core.errors import ServiceError
from core.paging import PageQuery, page

from . import stats

router = Router(tags=["办件统计"])
FigureName = Literal["consultations", "acceptances", "certificates", "transfers"]


class StatsQuery(Schema):
    period: Literal["week", "ytd", "custom"] = Field(
        "week", description="week 本周；ytd 今年以来；custom 自定义（start/end）"
    )
    on: dt.date | None = Field(None, description="本周、今年以来所在的日期，默认今天")
    start: dt.date | None = None
    end: dt.date | None = None
    department: int | None = None
    window: int | None = None
    matter: int | None = None
    channel: Literal["window", "online", "post", "policy"] | None = None
    region: str | None = Field(None, max_length=12, description="区划代码，含其下级")


class CasesQuery(StatsQuery, PageQuery):
    pass


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    label: str


class Figures(Schema):
    consultations: int
    acceptances: int
    certificates: int
    transfers: int


class HandlingOut(Schema):
    concluded: int
    average_working_days: float | None
    on_time_rate: float | None


class FiguresOut(Schema):
    period: PeriodOut
    figures: Figures
    year: PeriodOut
    year_figures: Figures
    handling: HandlingOut
    filters: dict


class Row(Figures):
    key: int | str
    name: str


class BreakdownOut(Schema):
    period: PeriodOut
    by: str
    rows: list[Row]


class DayRow(Figures):
    day: dt.date


class DailyOut(Schema):
    period: PeriodOut
    days: list[DayRow]


class EventRow(Schema):
    at: dt.datetime
    case: str | None = Field(None, alias="case.number")
    matter: str | None = Field(None, alias="matter.name")
    department: str | None = Field(None, alias="department.name")
    window: str | None = Field(None, alias="window.name")
    channel: str
    actor: str = Field(alias="actor_label")


class CasesOut(Schema):
    period: PeriodOut
    figure: str
    count: int
    items: list[EventRow]


def _period(query):
    on = query.on or timezone.localdate()
    if query.start or query.end or query.period == "custom":
        start, end = query.start or query.end, query.end or query.start
        if start is None:
            raise ServiceError("自定义期间须填写起始日期和截止日期", errors={"start": ["起始日期为必填项"]})
        if end < start:
            raise ServiceError("截止日期不能早于起始日期", errors={"end": ["截止日期不能早于起始日期"]})
        if (end - start).days > 366 * 3:
            raise ServiceError("统计期间不能超过三年", errors={"end": ["统计期间不能超过三年"]})
        return stats.Period(start, end)
    return stats.Period.year_to(on) if query.period == "ytd" else stats.Period.week_of(on)


def _asked(request, query):
    """(period, filters with the asker's reach) — a clerk is held to one window of their hall."""
    policy.require(request.user, "stats.view")
    filters = {name: getattr(query, name) for name in stats.FILTERS if getattr(query, name) not in (None, "")}
    departments, windows, _ = stats.scope(request.user, filters.get("window"))
    if windows is not None:
        if "window" in filters and filters["window"] != windows[0]:
            raise PermissionDenied("无权查看统计：该窗口不在您所在大厅")
        filters["window"] = windows[0]
    return _period(query), filters, {"departments": departments, "windows": windows}


def _out(period):
    return {"start": period.start, "end": period.end, "label": period.label()}


@router.get(
    "/stats/figures",
    response=replies(FiguresOut, 401, 403, 422),
    summary="四项指标（咨询、受理、颁发、流转）及今年以来",
)
def figures(request, query: Query[StatsQuery]):
    period, filters, reach = _asked(request, query)
    year = period.year_to_end()
    got = stats.report(period, dimensions=(), **filters, **reach)
    return {
        "period": _out(period),
        "figures": got["figures"],
        "year": _out(year),
        "year_figures": got["figures"] if year == period else stats.figures(year, **filters, **reach),
        "handling": got["handling"],
        "filters": filters,
    }


@router.get(
    "/stats/breakdown/{by}",
    response=replies(BreakdownOut, 401, 403, 404, 422),
    summary="按部门、窗口、事项、渠道或地区分列",
)
def breakdown(request, by: Literal["department", "window", "matter", "channel", "region"], query: Query[StatsQuery]):
    period, filters, reach = _asked(request, query)
    return {"period": _out(period), "by": by, "rows": stats.breakdown(period, by, **filters, **reach)}


@router.get("/stats/daily", response=replies(DailyOut, 401, 403, 422), summary="每日四项指标")
def daily(request, query: Query[StatsQuery]):
    period, filters, reach = _asked(request, query)
    return {"period": _out(period), "days": stats.daily(period, **filters, **reach)}


@router.get(
    "/stats/cases/{figure}", response=replies(CasesOut, 401, 403, 404, 422), summary="指标背后的办件环节（明细）"
)
def cases(request, figure: FigureName, query: Query[CasesQuery]):
    period, filters, reach = _asked(request, query)
    events = stats.drill_down(period, figure, **filters, **reach)
    return {
        "period": _out(period),
        "figure": figure,
        "count": events.count(),
        "items": page(events, query),
    }
