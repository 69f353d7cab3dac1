"""The event log partitioned by month on PostgreSQL (declarative partitioning).

`cases_caseevent` is a partitioned table (PARTITION BY RANGE (day)) with one
partition a month, `cases_caseevent_yYYYYmMM`, and a default partition
`cases_caseevent_default` that catches a day no month has been made for, so a
write never fails for want of a partition. `manage.py case_partitions` (run
monthly, and by migration 0007) makes the months ahead, and moves into its
own month whatever the default partition holds.

What Django sees is unchanged: `id` is the primary key of the model. In the
database the primary key is (id, day) and the uniqueness of a case's step
numbers is (case_id, seq, day), because PostgreSQL wants the partition key in
every unique constraint of a partitioned table; ids still come from one
sequence, and a case's step numbers are still handed out under the lock on
its row (cases.services._locked), which is what keeps them unique. SQLite
keeps the plain table.
"""

import datetime as dt

from django.db import connection, transaction

TABLE = "cases_caseevent"
DEFAULT = f"{TABLE}_default"


def is_partitioned(cursor=None):
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = %s", [TABLE]
        )
        return cursor.fetchone() is not None


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def name_of(month):
    return f"{TABLE}_y{month:%Y}m{month:%m}"


def existing():
    """Names of the month partitions there are."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def make_month(month, cursor):
    """Create the partition of `month`, taking over the default partition's rows of that month."""
    start, end = month_start(month), next_month(month)
    name = name_of(start)
    cursor.execute(
        f'CREATE TEMPORARY TABLE "moving" ON COMMIT DROP AS SELECT * FROM "{DEFAULT}" WHERE day >= %s AND day < %s',
        [start, end],
    )
    cursor.execute(f'DELETE FROM "{DEFAULT}" WHERE day >= %s AND day < %s', [start, end])
    cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" FOR VALUES FROM (%s) TO (%s)', [start, end])
    cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "moving"')
    cursor.execute('DROP TABLE "moving"')
    return name


def ensure(until=None, since=None):
    """Month partitions from `since` (default: the first month with an event
    in the default partition, else this month) to `until` (default: three
    months ahead); returns the names created. PostgreSQL only; idempotent."""
    if not is_partitioned():
        return []
    today = dt.date.today()
    until = month_start(until or next_month(next_month(next_month(today))))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SELECT MIN(day) FROM "{DEFAULT}"')
        oldest = cursor.fetchone()[0]
        start = month_start(min(d for d in (since, oldest, today) if d is not None))
        have, made = existing(), []
        month = start
        while month <= until:
            if name_of(month) not in have:
                made.append(make_month(month, cursor))
            month = next_month(month)
    return made


def analyze():
    """PostgreSQL: refresh the planner's statistics of the event log and its
    derived tables after a bulk load. Autovacuum never analyzes a partitioned
    table itself (only its partitions, and only some time later), and a plan
    made on empty-table estimates read the year's summary rows by the wrong
    path (docs/performance.md)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}, cases_case, cases_daysummary, cases_summarystamp")
