"""A synthetic province for the statistics benchmark: the demo year copied
`--factor` times over (10 = ten times the centre's year), each copy's cases
moved to another city's region, then the daily summary rebuilt, and one
month's rebuild timed on its own.

    .venv/bin/python bench/province_synth.py --factor 10          # SQLite, bench/out/var (after cases_load.py)
    .venv/bin/python bench/cases_load.py --reuse                    # then measure
    DATABASE_URL=postgres://…/tongban_bench .venv/bin/python bench/province_synth.py --factor 30   # PostgreSQL
    .venv/bin/python bench/cases_load.py --postgres --reuse

Copies are plain SQL (INSERT … SELECT from the originals read once into a
scratch table; on PostgreSQL without per-row foreign-key triggers and with the
event log's secondary indexes made again at the end), cases numbered
`<number><k as two digits>` (digits only, as the case pages' URLs want) so
numbers stay unique; the events keep their days, kinds, departments, windows
and matters, so every figure is the demo year's times the factor. Bench only:
never against a real database.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=int, default=10, help="how many times the demo year (default 10)")
    parser.add_argument("--var", default=str(ROOT / "bench" / "out" / "var"), help="TONGBAN_VAR_DIR of the database")
    parser.add_argument(
        "--budget", type=float, default=0, help="stop copying after this many seconds (0: no limit); says where"
    )
    args = parser.parse_args()
    os.environ.setdefault("TONGBAN_VAR_DIR", args.var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    import datetime as dt

    from django.db import connection, transaction

    from cases import partitions, summary
    from cases.models import Case, CaseEvent
    from core.models import Region

    quote = connection.ops.quote_name
    cities = list(
        Region.objects.filter(code__endswith="00").exclude(code__endswith="0000").values_list("code", flat=True)
    )
    case_columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "number", "region_id")]
    event_columns = [f.column for f in CaseEvent._meta.concrete_fields if f.column not in ("id", "case_id")]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {quote(Case._meta.db_table)}")
        top = cursor.fetchone()[0] or 0
    offset = 10 ** len(str(top))  # copy k's case ids are k*offset + the original id
    started = time.monotonic()
    partitions.ensure(since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 1))  # PostgreSQL: the year's months
    postgres = connection.vendor == "postgresql"
    events = quote(CaseEvent._meta.db_table)
    dropped = []
    with connection.cursor() as cursor:
        # The originals read once into a scratch table, so copy k does not scan the k-1 copies before it.
        cols = ", ".join(quote(c) for c in event_columns)
        cursor.execute("DROP TABLE IF EXISTS synth_events")
        cursor.execute(
            f"CREATE TEMP TABLE synth_events AS SELECT case_id, {cols} FROM {events} "
            f"WHERE case_id IS NULL OR case_id <= %s ORDER BY id",
            [top],
        )
        if postgres:
            # Bench only, on a database of its own: no foreign-key triggers per row (the copies point at
            # rows that exist), no commit wait, and the event log's secondary indexes made again once at the
            # end (sorted, much faster than 25 M single inserts); the primary key and unique stay.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [CaseEvent._meta.db_table, CaseEvent._meta.db_table],
            )
            dropped = cursor.fetchall()
            for name, _definition in dropped:
                cursor.execute(f"DROP INDEX {quote(name)}")
    for k in range(1, args.factor):
        region = cities[k % len(cities)]
        t0 = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cols = ", ".join(quote(c) for c in case_columns)
            cursor.execute(
                f"INSERT INTO {quote(Case._meta.db_table)} (id, number, region_id, {cols}) "
                f"SELECT id + %s, number || %s, %s, {cols} FROM {quote(Case._meta.db_table)} WHERE id <= %s",
                [k * offset, f"{k:02d}", region, top],
            )
            cols = ", ".join(quote(c) for c in event_columns)
            cursor.execute(
                f"INSERT INTO {events} (case_id, {cols}) SELECT case_id + %s, {cols} FROM synth_events "
                f"WHERE case_id IS NOT NULL",
                [k * offset],
            )
            cursor.execute(
                f"INSERT INTO {events} (case_id, {cols}) SELECT NULL, {cols} FROM synth_events WHERE case_id IS NULL"
            )
        print(f"copy {k}: region {region}, {time.monotonic() - t0:.0f}s", flush=True)
        if args.budget and time.monotonic() - started > args.budget and k + 1 < args.factor:
            print(f"budget spent: {k + 1} times the demo year, not {args.factor}", flush=True)
            break
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE synth_events")
        for name, definition in dropped:
            t0 = time.monotonic()
            # pg_indexes gives a partitioned index as ON ONLY (the parent alone): made so, no partition has it
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
            print(f"index {name} made again: {time.monotonic() - t0:.0f}s", flush=True)
        if postgres:
            cursor.execute("SET session_replication_role = DEFAULT")
            t0 = time.monotonic()
            cursor.execute(f"VACUUM ANALYZE {events}")
            cursor.execute(f"VACUUM ANALYZE {quote(Case._meta.db_table)}")
            print(f"vacuum analyze: {time.monotonic() - t0:.0f}s", flush=True)
    if connection.vendor == "postgresql":  # the copies chose their own ids: move the sequence past them
        with connection.cursor() as cursor:
            table = Case._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {quote(table)}")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET work_mem = '256MB'")
    t0 = time.monotonic()
    rows = summary.rebuild()
    print(
        f"summary rebuilt: {rows} rows in {time.monotonic() - t0:.0f}s; "
        f"{CaseEvent.objects.count()} events, {Case.objects.count()} cases; "
        f"total {time.monotonic() - started:.0f}s",
        flush=True,
    )
    t0 = time.monotonic()
    rows = summary.rebuild(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    print(f"one month (2024-03) rebuilt: {rows} rows in {time.monotonic() - t0:.1f}s", flush=True)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_daysummary")
            cursor.execute("VACUUM ANALYZE cases_summarystamp")
    print(f"load average {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
