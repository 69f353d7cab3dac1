"""Working-day clocks of a case: the promised deadline, time stopped for
corrections and special procedures, and the worklist's warnings."""

import datetime as dt
import math

from django.utils import timezone

from core import workdays

PAUSES = {"correction_requested": "correction_answered", "suspend": "resume"}


def local_date(moment):
    return timezone.localdate(moment)


def paused_working_days(events, until=None):
    """Working days inside pauses that began after acceptance (open pauses run to `until`)."""
    accepted, started, total = False, {}, 0
    for event in events:
        if event.kind == "accept":
            accepted = True
        elif accepted and event.kind in PAUSES:
            started[PAUSES[event.kind]] = event.at
        elif event.kind in started:
            begun = started.pop(event.kind)
            total += workdays.working_days_between(local_date(begun), local_date(event.at))
    for begun in started.values():
        if until is not None:
            total += workdays.working_days_between(local_date(begun), local_date(until))
    return total


def due_date(accepted_at, promised_limit, paused_days=0):
    return workdays.add_working_days(local_date(accepted_at), promised_limit + paused_days)


def warning(case, today=None):
    """'red' once past the deadline, 'yellow' within the last fifth of the
    limit (at least the last working day), else ''."""
    if case.due_date is None or case.state not in ("accepted", "reviewing"):
        return ""
    today = today or timezone.localdate()
    if case.due_date < today:
        # Red from the first working day after the deadline: stop counting
        # there (a worklist of old cases would otherwise count years a row).
        day = case.due_date
        while day < today:
            day += dt.timedelta(days=1)
            if workdays.is_working_day(day):
                return "red"
        return "yellow"  # the deadline passed over a weekend or holiday: no working day left
    left = workdays.working_days_between(today, case.due_date)
    if left <= max(1, math.ceil(case.matter.promised_limit * 0.2)):
        return "yellow"
    return ""
