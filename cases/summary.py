"""The daily summary of the event log (DaySummary): kept, rebuilt, checked.

- add(event): called by cases.services._event for every event it writes, in
  the same transaction, so a rolled-back step leaves no count behind. One
  upsert (INSERT … ON CONFLICT … DO UPDATE) per event: two clerks counting on
  the same row never lose an increment; and one on the day's SummaryStamp,
  which tells readers (cases.stats) that the day's rows changed.
- rebuild(start, end): recount a period from the raw events (the demo
  loader's bulk insert, a repair); None for every day. One INSERT … SELECT …
  GROUP BY in the database, so a month of a province is recounted without
  passing its events through Python.
- differences(start, end): the period recounted in memory against the table,
  every row that differs (manage.py check_case_summary).

The event log stays the source of truth: the summary is derived and can be
thrown away and rebuilt at any time.
"""

from django.db import connection, models, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from core import audit

from .models import CaseEvent, DaySummary, SummaryStamp

KEY = ("day", "kind", "department", "window", "matter", "channel", "region")
VALUES = ("events", "working_days", "timed", "on_time", "judged")
Kind = CaseEvent.Kind


def _region(event):
    """Where an event is counted: the case's region, or for a consultation
    (no case) the region of its department."""
    if event.case_id:
        return event.case.region_id
    if event.department_id:
        return event.department.region_id
    return ""


def _conclusion(data):
    data = data or {}
    timed = "working_days" in data
    judged = "on_time" in data
    return (
        int(data["working_days"]) if timed else 0,
        int(timed),
        int(bool(data.get("on_time")) and judged),
        int(judged),
    )


def _values(kind, data):
    if kind == Kind.CONCLUDE:
        return (1, *_conclusion(data))
    return (1, 0, 0, 0, 0)


def key_of(event):
    return (
        event.day,
        event.kind,
        event.department_id or 0,
        event.window_id or 0,
        event.matter_id or 0,
        event.channel,
        _region(event) or "",
    )


def add(event):
    """Count one event just written (same transaction)."""
    ops = connection.ops
    table = ops.quote_name(DaySummary._meta.db_table)
    key = list(key_of(event))
    key[0] = ops.adapt_datefield_value(key[0])
    values = _values(event.kind, event.data)
    columns = ", ".join(ops.quote_name(c) for c in KEY + VALUES)
    conflict = ", ".join(ops.quote_name(c) for c in KEY)
    updates = ", ".join(
        f"{ops.quote_name(c)} = {table}.{ops.quote_name(c)} + excluded.{ops.quote_name(c)}" for c in VALUES
    )
    stamp = ops.quote_name(SummaryStamp._meta.db_table)
    # One order for the hot rows: the audit chain's head, the day's stamp, then
    # the summary row. Two steps taking them in different orders deadlocked.
    audit.hold_chain()
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {stamp} ("day", "version") VALUES (%s, 1) '
            f'ON CONFLICT ("day") DO UPDATE SET "version" = {stamp}."version" + 1',
            [key[0]],
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(KEY) + len(VALUES)))}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
            key + list(values),
        )


def recount(start=None, end=None):
    """{key: [events, working_days, timed, on_time, judged]} from the raw events."""
    qs = CaseEvent.objects.all()
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    qs = qs.annotate(where=Coalesce("case__region", "department__region")).order_by()
    dims = ("day", "kind", "department", "window", "matter", "channel", "where")
    out = {}
    for row in qs.values_list(*dims).annotate(n=Count("id")):
        *key, n = row
        out[_normal(key)] = [n, 0, 0, 0, 0]
    for *key, data in qs.filter(kind=Kind.CONCLUDE).values_list(*dims, "data"):
        totals = out[_normal(key)]
        for i, value in enumerate(_conclusion(data), start=1):
            totals[i] += value
    return out


def _normal(key):
    day, kind, department, window, matter, channel, region = key
    return (day, kind, department or 0, window or 0, matter or 0, channel, region or "")


def stored(start=None, end=None):
    qs = DaySummary.objects.all()
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    return {tuple(row[: len(KEY)]): list(row[len(KEY) :]) for row in qs.values_list(*KEY, *VALUES)}


def differences(start=None, end=None):
    """Rows where the table and a recount of the events disagree:
    [(key, stored values or None, recounted values or None)], sorted."""
    want, have = recount(start, end), stored(start, end)
    out = []
    for key in sorted(set(want) | set(have), key=lambda k: tuple(str(p) for p in k)):
        if want.get(key) != have.get(key):
            out.append((key, have.get(key), want.get(key)))
    return out


def _events(start, end):
    qs = CaseEvent.objects.all()
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    return qs


def _counted(start, end):
    """The recount as one grouped SELECT, columns in KEY + VALUES order: the
    same arithmetic as _values, in SQL (JSON keys read by the database)."""
    conclude = Q(kind=Kind.CONCLUDE)
    timed = conclude & Q(data__has_key="working_days")
    judged = conclude & Q(data__has_key="on_time")

    def ones(condition):
        return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))

    return (
        _events(start, end)
        .order_by()
        .annotate(
            k_department=Coalesce("department_id", Value(0)),
            k_window=Coalesce("window_id", Value(0)),
            k_matter=Coalesce("matter_id", Value(0)),
            k_region=Coalesce("case__region", "department__region", Value("")),
        )
        .values("day", "kind", "k_department", "k_window", "k_matter", "channel", "k_region")
        .annotate(
            n=Count("id"),
            w=Sum(
                Case(
                    When(timed, then=Cast(KT("data__working_days"), IntegerField())),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            t=ones(timed),
            o=ones(judged & Q(data__on_time=True)),
            j=ones(judged),
        )
    )


@transaction.atomic
def rebuild(start=None, end=None):
    """Replace the period's rows (all of them without a period) by a recount,
    and raise the days' stamps so every reader groups them afresh; returns how many rows."""
    qs = DaySummary.objects.all()
    stamps = SummaryStamp.objects.all()
    if start is not None:
        qs, stamps = qs.filter(day__gte=start), stamps.filter(day__gte=start)
    if end is not None:
        qs, stamps = qs.filter(day__lte=end), stamps.filter(day__lte=end)
    qs._raw_delete(qs.db)  # no signals or per-row fetch: the table is derived
    ops = connection.ops
    columns = ", ".join(ops.quote_name(c) for c in KEY + VALUES)  # the order of _counted's SELECT
    select, params = _counted(start, end).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ops.quote_name(DaySummary._meta.db_table)} ({columns}) {select}", params)
        rows = cursor.rowcount
    stamps.update(version=models.F("version") + 1)
    days = qs.order_by().values_list("day", flat=True).distinct()
    known = set(stamps.values_list("day", flat=True))
    SummaryStamp.objects.bulk_create(
        [SummaryStamp(day=day, version=1) for day in days if day not in known], batch_size=2000
    )
    return rows
