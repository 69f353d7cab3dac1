import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from core.api_errors import replies

from . import workdays
from .models import Department, Level, Region

router = Router(tags=["基础数据"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent_id")


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    function: str
    level: str
    region: str = Field(alias="region_id")
    is_centre: bool


class WorkingDaysOut(Schema):
    start: dt.date
    days: int
    due: dt.date


@router.get("/regions", response=replies(list[RegionOut], 422), auth=None, summary="行政区划（GB/T 2260）")
def regions(request, level: Level | None = None, parent: str | None = None):
    qs = Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs


@router.get("/regions/{code}", response=replies(RegionOut, 404, 422), auth=None, summary="一个行政区划")
def region(request, code: str):
    return get_object_or_404(Region, code=code)


@router.get("/departments", response=replies(list[DepartmentOut], 422), auth=None, summary="部门")
def departments(request, region: str | None = None, level: Level | None = None, function: str | None = None):
    qs = Department.objects.all()
    if region:
        qs = qs.filter(region_id=region)
    if level:
        qs = qs.filter(level=level)
    if function:
        qs = qs.filter(function=function)
    return qs


@router.get("/calendar/due-date", response=replies(WorkingDaysOut, 422), auth=None, summary="按工作日计算期限")
def due_date(request, start: dt.date, days: int = Query(..., ge=0, le=3650)):
    """`days` working days after `start`, by the official holiday calendar."""
    try:
        due = workdays.add_working_days(start, days)
    except workdays.CalendarNotAvailable as exc:
        # Name the caller's own field: the start date, or the count that runs past the calendar.
        field = "start" if exc.year == start.year else "days"
        exc.errors = {field: [f"{exc.year}年不在工作日历范围内"]}
        raise
    return {"start": start, "days": days, "due": due}
