"""A synthetic province for the statistics benchmark: the demo year copied
`--factor` times over (10 = ten times the centre's year), each copy's cases
moved to another city's region, then the daily summary rebuilt, and one
month's rebuild timed on its own.

    .venv/bin/python bench/province_synth.py --factor 10          # SQLite, bench/out/var (after cases_load.py)
    .venv/bin/python bench/cases_load.py --reuse                    # then measure
    DATABASE_URL=postgres://…/tongban_bench .venv/bin/python bench/province_synth.py --factor 30   # PostgreSQL
    .venv/bin/python bench/cases_load.py --postgres --reuse

Copies are plain SQL (INSERT … SELECT), cases numbered `<number>P<k>` so
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
        cursor.execute(f"SELECT COUNT(*) FROM {quote(CaseEvent._meta.db_table)} WHERE case_id IS NULL")
        consultations = cursor.fetchone()[0]
    offset = 10 ** len(str(top))  # copy k's case ids are k*offset + the original id
    started = time.monotonic()
    partitions.ensure(since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 1))  # PostgreSQL: the year's months
    for k in range(1, args.factor):
        region = cities[k % len(cities)]
        t0 = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cols = ", ".join(quote(c) for c in case_columns)
            cursor.execute(
                f"INSERT INTO {quote(Case._meta.db_table)} (id, number, region_id, {cols}) "
                f"SELECT id + %s, number || %s, %s, {cols} FROM {quote(Case._meta.db_table)} WHERE id <= %s",
                [k * offset, f"P{k}", region, top],
            )
            cols = ", ".join(quote(c) for c in event_columns)
            cursor.execute(
                f"INSERT INTO {quote(CaseEvent._meta.db_table)} (case_id, {cols}) "
                f"SELECT case_id + %s, {cols} FROM {quote(CaseEvent._meta.db_table)} "
                f"WHERE case_id IS NOT NULL AND case_id <= %s",
                [k * offset, top],
            )
            cursor.execute(
                f"INSERT INTO {quote(CaseEvent._meta.db_table)} (case_id, {cols}) "
                f"SELECT NULL, {cols} FROM {quote(CaseEvent._meta.db_table)} WHERE case_id IS NULL "
                f"ORDER BY id LIMIT %s",
                [consultations],
            )
        print(f"copy {k}: region {region}, {time.monotonic() - t0:.0f}s", flush=True)
    if connection.vendor == "postgresql":  # the copies chose their own ids: move the sequence past them
        with connection.cursor() as cursor:
            table = Case._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {quote(table)}")
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


if __name__ == "__main__":
    main()
