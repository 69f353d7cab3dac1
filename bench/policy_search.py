"""Search latency of the policy zone at demo scale and at 100x the demo corpus.

    .venv/bin/python bench/policy_search.py              # SQLite files under bench/out/
    .venv/bin/python bench/policy_search.py --postgres   # PostgreSQL databases tb_search_bench(_x100)
    .venv/bin/python bench/policy_search.py --scale 10   # a smaller multiple
    .venv/bin/python bench/policy_search.py --reuse      # keep the databases of the last run
    .venv/bin/python bench/policy_search.py --new-only   # only the engine since issue 12 (no FTS copy at scale)

1. The demo database: migrate, reference data, the demo library
   (policies.demo.load_demo, which builds the search index).
2. The scaled database: a copy of it whose search entries are duplicated
   (scale - 1) times in SQL, each copy moved to another city and given new
   object ids, and the full-text index rebuilt (FTS5 'rebuild'; on
   PostgreSQL the GIN index is dropped and created again after the copy).
3. In each database, in-process: every query of the relevance set
   (tests/relevance/queries.txt), each alone and with a city filter, through
   policies.search.search() (the two-phase engine: its shared tantivy index
   on disk under bench/out/index-*, built on the first query when missing —
   its build time is reported; first page of 20, highlighting; wall and CPU
   time); beside it, in the same run, the engine before issue 12
   (policies.search.engine: FTS5 bm25() / PostgreSQL ts_rank over the
   tokens, AND then OR, first page of 20). p50/p95 are printed and written to
   bench/out/policy_search*.json.
Kept out of `make test`: the 100x database takes minutes to build.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432/"
PG_DEMO, PG_SCALED = "tb_search_bench", "tb_search_bench_x{scale}"
LARGE = 200_000  # entries above which the measurement takes a sample of the queries


def _run(url, *args, index_dir=None):
    env = dict(
        os.environ,
        **({"TONGBAN_SEARCH_INDEX": str(index_dir)} if index_dir else {}),
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        TONGBAN_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="tongban.settings",
        PYTHONWARNINGS="ignore",
    )
    out = subprocess.run([PYTHON, __file__, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- phases, each in its own process (one database per process) ---


def _setup():
    import django

    django.setup()


def phase_demo():
    _setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from accounts.demo import load_demo as load_accounts
    from core.models import Region
    from core.reference import load_all
    from policies import demo, search
    from policies.models import SearchEntry

    if not Region.objects.exists():
        load_all()
    load_accounts()
    demo.load_demo()
    if not SearchEntry.objects.exists():
        search.rebuild()
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    entries = search.rebuild()
    return {"setup_s": setup_s, "rebuild_s": time.perf_counter() - t, "entries": entries}


def phase_scale(scale, new_only=False):
    _setup()
    from django.db import connection, transaction

    from policies.models import SearchEntry
    from policies.search import index

    cols = (
        "kind, object_id, document_id, title, text, tokens, region_code, city_code, department_id, item_kind, "
        "delivery, industries, sizes, status, date"
    )
    t = time.perf_counter()
    base = SearchEntry.objects.count()
    top = SearchEntry.objects.order_by("-id").values_list("id", flat=True).first()
    with transaction.atomic(), connection.cursor() as cursor:
        sqlite = connection.vendor == "sqlite"
        if sqlite:
            create, drop = index._sqlite_triggers()
            for sql in drop:
                cursor.execute(sql)
        else:
            cursor.execute("DROP INDEX IF EXISTS policies_searchentry_tsv")
        cities = [
            "510100",
            "510300",
            "510400",
            "510500",
            "510600",
            "510700",
            "510800",
            "510900",
            "511000",
            "511100",
            "511300",
            "511400",
            "511500",
            "511600",
            "511700",
            "511800",
            "511900",
            "512000",
            "513200",
            "513300",
            "513400",
        ]
        tokens = "''" if new_only else "tokens"  # the old engine's column, not read by the new one
        for n in range(1, scale):
            city = cities[n % len(cities)]
            cursor.execute(
                f"INSERT INTO policies_searchentry ({cols}) SELECT kind, object_id + %s, document_id + %s, title, text, "
                f"{tokens}, region_code, CASE WHEN city_code = '' THEN '' ELSE %s END, department_id, item_kind, "
                f"delivery, industries, sizes, status, date FROM policies_searchentry WHERE id <= %s",
                [n * 100_000_000, n * 100_000_000, city, top],
            )
        copied_s = time.perf_counter() - t
        if new_only:
            pass  # the engine before issue 12 is not measured: its full-text index is left out
        elif sqlite:
            cursor.execute("INSERT INTO policies_searchentry_fts(policies_searchentry_fts) VALUES ('rebuild')")
            for sql in create:
                cursor.execute(sql)
        else:
            cursor.execute("CREATE INDEX policies_searchentry_tsv ON policies_searchentry USING gin (tsv)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE policies_searchentry")
    return {
        "base_entries": base,
        "entries": SearchEntry.objects.count(),
        "copy_s": copied_s,
        "build_s": time.perf_counter() - t,
    }


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def phase_measure(rounds, new_only=False):
    """Latency of search() in this database. The shared index lives in
    TONGBAN_SEARCH_INDEX when set (on disk, as in production; built here
    when missing or behind the table), else in memory."""
    _setup()
    import resource

    from django.core.paginator import Paginator

    from policies import search
    from policies.models import SearchEntry
    from policies.search import engine as fts
    from policies.search import ranker, segment
    from tests.relevance.corpus import queries as relevance_queries

    entries = SearchEntry.objects.count()
    queries = [q.text for q in relevance_queries()]
    if entries > LARGE:
        rounds = 1
    cases = [(q, "") for q in queries] + [(q, "510100") for q in queries]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    ranker.current()  # builds the shared index when it is missing or behind the table
    build_s = time.perf_counter() - t
    search.search("文岗返还")  # the sound-alike vocabulary of the titles, built on the first typo
    first_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
    engine, cpu, old, found, nones = [], [], [], [], 0
    for _ in range(rounds):
        for q, city in cases:
            f = search.SearchFilters(city=city)
            t, c = time.perf_counter(), time.process_time()
            r = search.search(q, f)
            engine.append(1000 * (time.perf_counter() - t))
            cpu.append(1000 * (time.process_time() - c))
            found.append(r.count)
            nones += r.no_answer
            if new_only:
                continue
            # The engine before issue 12: AND over segmented words in FTS5 / tsvector, OR when nothing has them all.
            t = time.perf_counter()
            terms = segment.query_terms(q)
            if terms:
                qs, _ = fts.ranked(fts.entries(f), terms)
                page = Paginator(qs, 20).get_page(1)
                list(page.object_list)
            old.append(1000 * (time.perf_counter() - t))
    return {
        "queries": len(cases),
        "rounds": rounds,
        "entries": entries,
        "index_build_s": build_s,
        "first_typo_s": first_s - build_s,
        "index_rss_mb": rss / 1024,
        "engine_p50_ms": statistics.median(engine),
        "engine_p95_ms": _pct(engine, 95),
        "engine_cpu_p50_ms": statistics.median(cpu),
        "engine_cpu_p95_ms": _pct(cpu, 95),
        "old_p50_ms": statistics.median(old) if old else None,
        "old_p95_ms": _pct(old, 95) if old else None,
        "median_results": statistics.median(found),
        "no_answer": nones,
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }


# --- orchestration ---


def _pg_exists(name):
    out = subprocess.run(
        ["psql", PG + "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def _pg(sql):
    subprocess.run(["psql", PG + "postgres", "-qc", sql], check=True, capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep databases of the last run")
    parser.add_argument(
        "--new-only",
        action="store_true",
        help="measure only the engine since issue 12 (the scaled copy skips the old engine's full-text index)",
    )
    parser.add_argument("--phase", choices=["demo", "scale", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "demo":
        print(json.dumps(phase_demo()))
        return
    if args.phase == "scale":
        print(json.dumps(phase_scale(args.scale, args.new_only)))
        return
    if args.phase == "measure":
        print(json.dumps(phase_measure(args.rounds, args.new_only)))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    kind = "postgres" if args.postgres else "sqlite"
    if args.postgres:
        demo_name, scaled_name = PG_DEMO, PG_SCALED.format(scale=args.scale)
        demo_url, scaled_url = PG + demo_name, PG + scaled_name
    else:
        demo_file, scaled_file = OUT / "policy_search.sqlite3", OUT / f"policy_search_x{args.scale}.sqlite3"
        demo_url, scaled_url = f"sqlite:///{demo_file}", f"sqlite:///{scaled_file}"
    report = {"backend": kind, "scale": args.scale}
    only_scale = ["--new-only"] if args.new_only else []
    fresh = not args.reuse
    if fresh:
        if args.postgres:
            for name in (demo_name, scaled_name):
                _pg(f"DROP DATABASE IF EXISTS {name}")
            _pg(f"CREATE DATABASE {demo_name}")
        else:
            for path in (demo_file, scaled_file):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        report["demo"] = _run(demo_url, "--phase", "demo")
        print(
            f"demo library: {report['demo']['entries']} search entries; setup {report['demo']['setup_s']:.0f} s, "
            f"search.rebuild() {report['demo']['rebuild_s']:.1f} s",
            flush=True,
        )
        if args.postgres:
            _pg(f"CREATE DATABASE {scaled_name} TEMPLATE {demo_name}")
        else:
            shutil.copyfile(demo_file, scaled_file)
        report["scaled"] = _run(scaled_url, "--phase", "scale", "--scale", str(args.scale), *only_scale)
        print(
            f"x{args.scale}: {report['scaled']['entries']} search entries, built in {report['scaled']['build_s']:.0f} s",
            flush=True,
        )
    # The shared index on disk, one per database, as in production (built on the first query when missing).
    only = ["--new-only"] if args.new_only else []
    report["measure_demo"] = _run(
        demo_url, "--phase", "measure", "--rounds", str(args.rounds), *only, index_dir=OUT / f"index-{kind}-demo"
    )
    report["measure_scaled"] = _run(
        scaled_url,
        "--phase",
        "measure",
        "--rounds",
        str(args.rounds),
        *only,
        index_dir=OUT / f"index-{kind}-x{args.scale}",
    )
    print(f"\nSearch latency ({kind}), in-process (first page of 20, highlighting):")
    print(
        "| corpus | entries | searches | index build | engine p50 | engine p95 | CPU p50 | CPU p95 | "
        "old engine p50 | old engine p95 | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, m in (("demo", report["measure_demo"]), (f"{args.scale}x demo", report["measure_scaled"])):
        old = f"{m['old_p50_ms']:.1f} ms | {m['old_p95_ms']:.1f} ms" if m["old_p50_ms"] is not None else "— | —"
        print(
            f"| {label} | {m['entries']:,} | {m['queries'] * m['rounds']} | {m['index_build_s']:.1f} s | "
            f"{m['engine_p50_ms']:.1f} ms | {m['engine_p95_ms']:.1f} ms | {m['engine_cpu_p50_ms']:.1f} ms | "
            f"{m['engine_cpu_p95_ms']:.1f} ms | {old} | {' '.join(m['loadavg'])} |"
        )
    (OUT / f"policy_search_{kind}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
