"""Changes to shared reference data made by administrators."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import authz
from .errors import ServiceError, from_validation_error
from .models import CalendarDay, CalendarYear

# Years a calendar may be registered for: a typo such as 20277 or 0 is refused.
FIRST_YEAR, LAST_YEAR = 1990, 2100


@transaction.atomic
def add_calendar_year(actor, *, year, source):
    authz.require(actor, "calendar.edit")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(
            f"年份应在{FIRST_YEAR}至{LAST_YEAR}年之间", errors={"year": [f"年份应在{FIRST_YEAR}至{LAST_YEAR}年之间"]}
        )
    entry = CalendarYear.objects.filter(year=year).first()
    if entry is not None and not entry.provisional:
        raise ServiceError(f"{year}年已在工作日历中", errors={"year": ["该年度已存在"]}, code="conflict", status=409)
    # A provisional year becomes official under the notice the administrator
    # names; its statutory holidays stay, the 调休 are entered next.
    entry = entry or CalendarYear(year=year)
    entry.source, entry.provisional = source, False
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    entry.save()
    return entry


@transaction.atomic
def set_calendar_day(actor, *, date: dt.date, kind, name=""):
    """Mark a date as a holiday or a make-up working day (replacing what it was)."""
    authz.require(actor, "calendar.edit")
    day = CalendarDay.objects.filter(date=date).first() or CalendarDay(date=date)
    day.kind, day.name = kind, name
    try:
        day.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        raise ServiceError("调休上班日应为周六或周日", errors={"kind": ["周一至周五本就是工作日，无需登记为调休上班"]})
    day.save()
    CalendarYear.objects.get(year=date.year).save(update_fields=["updated_at"])
    return day


@transaction.atomic
def remove_calendar_day(actor, *, date: dt.date):
    authz.require(actor, "calendar.edit")
    deleted, _ = CalendarDay.objects.filter(date=date).delete()
    if not deleted:
        raise ServiceError(f"{date} 不是已登记的节假日或调休日", errors={"date": ["未登记"]}, status=404)
    CalendarYear.objects.filter(year=date.year).update(updated_at=timezone.now())
