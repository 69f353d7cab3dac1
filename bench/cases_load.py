"""Load benchmark of the case pages over the demo year.

    .venv/bin/python bench/cases_load.py              # SQLite file under bench/out/
    .venv/bin/python bench/cases_load.py --postgres   # PostgreSQL database tongban_bench

Sets up a fresh database (migrate, setup_demo, the demo catalogue and the demo
year), starts gunicorn with the platform on a free port, signs in as the clerk
and the centre manager, and fires concurrent requests at each endpoint,
printing p50/p95 latency and requests per second beside the bare /healthz.
Also times cases.stats.figures over the year to date in-process (no HTTP),
which is the bulletin's count on its own. Results go to bench/out/*.json.
See bench/README.md.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "Tongban@2024"  # accounts.demo.DEMO_PASSWORD
PG_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench"
WEEK = "start=2024-11-04&end=2024-11-08"
YTD = "start=2024-01-01&end=2024-11-08"


def environment(args):
    env = dict(
        os.environ,
        TONGBAN_DEBUG="0",
        TONGBAN_LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
        PYTHONWARNINGS="ignore::UserWarning",
    )  # WhiteNoise: no collected static (pages only)
    if args.postgres:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
        env["TONGBAN_VAR_DIR"] = str(OUT / "var")
    return env


def run(env, *command):
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if command[0] != "load_demo_cases" else None,
    )
    return time.monotonic() - started


def fresh_database(args, env):
    if args.postgres:
        import psycopg

        name = urllib.parse.urlparse(args.database_url).path.lstrip("/")
        admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        shutil.rmtree(OUT / "var", ignore_errors=True)
        (OUT / "var").mkdir(parents=True)
    timings = {"migrate": run(env, "migrate", "--noinput"), "setup_demo": run(env, "setup_demo", "--demo")}
    # the catalogue (setup_demo loads it too once the lead's hook is in; both are idempotent)
    timings["catalogue"] = run(env, "shell", "-c", "from catalog.demo import load_demo; load_demo()")
    timings["demo_year"] = run(env, "load_demo_cases")
    return timings


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, cookies=None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        conn.close()
        return response.status, data, response.headers, set_cookies

    def login(self, username):
        status, page, _, set_cookies = self.request("GET", "/accounts/login/")
        cookies = _cookies(set_cookies)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _, headers, set_cookies = self.request(
            "POST",
            "/accounts/login/",
            cookies=cookies,
            body={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"http://127.0.0.1:{self.port}/accounts/login/"},
        )
        cookies.update(_cookies(set_cookies))
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"login as {username} failed ({status})")
        return cookies


def _cookies(set_cookies):
    out = {}
    for header in set_cookies:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def measure(client, path, cookies, *, requests, concurrency, budget):
    """`requests` GETs, `concurrency` at a time (stops early after `budget` seconds)."""
    deadline = [float("inf")]  # the budget counts from the end of the warm-up (a cold grouping at scale is long)
    latencies, failures = [], 0

    def one(_):
        if time.monotonic() > deadline[0]:
            return None
        started = time.perf_counter()
        status, _, _, _ = client.request("GET", path, cookies=cookies)
        return status, time.perf_counter() - started

    # warm every worker (its statistics cache fills on its first request for a period)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(concurrency)))
    deadline[0] = time.monotonic() + budget
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for result in pool.map(one, range(requests)):
            if result is None:
                continue
            status, seconds = result
            latencies.append(seconds)
            failures += status != 200
    wall = time.perf_counter() - started
    return summary(latencies, wall, failures)


def summary(latencies, wall, failures=0):
    ordered = sorted(latencies)
    if not ordered:  # the budget went on warming the workers (a cold grouping at scale)
        return {"requests": 0, "failures": failures, "p50_ms": 0, "p95_ms": 0, "rps": 0}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "requests": len(ordered),
        "failures": failures,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "rps": round(len(ordered) / wall, 1),
    }


def in_process_figures(env, repeat):
    """cases.stats.figures over the year to date, timed in a Django shell (no HTTP)."""
    code = (
        "import datetime as dt, json, time\n"
        "from cases import stats\n"
        "p = stats.Period(dt.date(2024, 1, 1), dt.date(2024, 11, 8))\n"
        "stats.figures(p)\n"
        "t = []\n"
        f"for _ in range({repeat}):\n"
        "    s = time.perf_counter(); f = stats.figures(p); t.append(time.perf_counter() - s)\n"
        "print(json.dumps({'times': t, 'figures': f}))\n"
    )
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return summary(result["times"], sum(result["times"])), result["figures"]


def _shell(env, code):
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def in_process_bulletin(env, repeat):
    """The bulletin's eight figures (week and year to date), as bulletin.services computes them."""
    code = (
        "import datetime as dt, json, time\n"
        "from cases import stats\n"
        "w = stats.Period.week_of(dt.date(2024, 11, 4))\n"
        "stats.figures(w); stats.figures(w.year_to_end())\n"
        "t = []\n"
        f"for _ in range({repeat}):\n"
        "    s = time.perf_counter(); stats.figures(w); stats.figures(w.year_to_end())\n"
        "    t.append(time.perf_counter() - s)\n"
        "print(json.dumps({'times': t}))\n"
    )
    times = _shell(env, code)["times"]
    return summary(times, sum(times))


def in_process_write_cost(env, cases):
    """Receive and accept `cases` window cases with the daily summary kept, and
    with cases.summary.add made a no-op (what a step cost before); rolled back."""
    code = (
        "import datetime as dt, json, time\n"
        "from django.db import transaction\n"
        "from accounts.models import Person, User\n"
        "from cases import services, summary\n"
        "from cases.models import Channel\n"
        "from catalog.models import Matter\n"
        "from core.models import Region\n"
        "from hall.models import Window\n"
        "clerk = User.objects.select_related('department').get(username='clerk')\n"
        "matter = Matter.objects.filter(review_levels=['province'], active=True).first()\n"
        "situation, region = matter.situations.first(), Region.objects.get(code='510000')\n"
        "window, person = Window.objects.get(number='A01'), Person.objects.first()\n"
        "# a day of the demo year: a deadline from today may fall in a year the calendar does not have yet\n"
        "at = dt.datetime(2024, 11, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))\n"
        "def run(n):\n"
        "    s = time.perf_counter()\n"
        "    for _ in range(n):\n"
        "        case = services.receive(clerk, matter=matter, situation=situation, channel=Channel.WINDOW,\n"
        "                                region=region, window=window, applicant_person=person, at=at)\n"
        "        services.accept(clerk, case, at=at)\n"
        "    return (time.perf_counter() - s) / n\n"
        "out = {}\n"
        "real = summary.add\n"
        "for label in ('without summary', 'with summary', 'without summary', 'with summary'):\n"
        "    summary.add = real if label == 'with summary' else (lambda event: None)\n"
        "    try:\n"
        "        with transaction.atomic():\n"
        f"            out.setdefault(label, []).append(run({cases}))\n"
        "            raise RuntimeError\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "summary.add = real\n"
        "best = {k: min(v) * 1000 for k, v in out.items()}\n"
        "best['ratio'] = best['with summary'] / best['without summary']\n"
        "print(json.dumps({k: round(v, 2) for k, v in best.items()}))\n"
    )
    return _shell(env, code)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (database tongban_bench) instead of SQLite")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run (no reload)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per endpoint (default 60)")
    parser.add_argument("--only", default="", help="only the endpoints whose label has one of these (comma-separated)")
    parser.add_argument("--in-process", action=argparse.BooleanOptionalAction, default=True, help="in-process timings")
    args = parser.parse_args()
    backend = "postgresql" if args.postgres else "sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    env = environment(args)
    timings = {}
    if not args.reuse:
        print(f"setting up a fresh {backend} database with the demo year …", flush=True)
        timings = fresh_database(args, env)
        print("  " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()), flush=True)

    port = free_port()
    server = subprocess.Popen(
        [
            GUNICORN,
            "tongban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        client = Client(port)
        for _ in range(100):
            try:
                if client.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not come up")
        clerk, manager = client.login("clerk"), client.login("manager")
        worklist = "/console/cases/"
        note = ""
        if client.request("GET", worklist, cookies=clerk)[0] == 404:
            worklist, note = "/api/v1/cases", "（/console/cases/ 不存在，改测接口 /api/v1/cases）"
        c, b = args.concurrency, args.budget
        plan = [
            ("healthz (floor)", "/healthz", None, 2000),
            ("clerk worklist" + note, worklist, clerk, 400),
            ("clerk worklist, API", "/api/v1/cases", clerk, 400),
            ("dashboard, bulletin week", f"/console/cases/stats/?{WEEK}", manager, 200),
            ("dashboard, year to date", f"/console/cases/stats/?{YTD}", manager, 200),
            ("dashboard, clerk's window, YTD", f"/console/cases/stats/?{YTD}", clerk, 200),
            ("API /stats/figures, YTD", f"/api/v1/stats/figures?{YTD}", manager, 200),
            ("API /stats/breakdown/matter, YTD", f"/api/v1/stats/breakdown/matter?{YTD}", manager, 200),
        ]
        if args.only:
            plan = [p for p in plan if p[0].startswith("healthz") or any(o in p[0] for o in args.only.split(","))]
        results = {}
        for label, path, cookies, count in plan:
            print(f"  {label:<28} {path} …", flush=True)
            results[label] = measure(client, path, cookies, requests=count, concurrency=c, budget=b)
            print(f"    {results[label]} load average {os.getloadavg()}", flush=True)  # kept if a later step fails
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still inside a long request
            server.kill()
            server.wait()
    counted, write_cost = None, {}
    if args.in_process:
        figures, counted = in_process_figures(env, 20)
        results["stats.figures YTD, in-process"] = figures
        results["bulletin figures (week + YTD), in-process"] = in_process_bulletin(env, 20)
        try:
            write_cost = in_process_write_cost(env, 60)
        except subprocess.CalledProcessError as failed:  # the requests' figures still count: print them
            write_cost = {"failed": (failed.stderr or "")[-400:]}

    floor = results["healthz (floor)"]
    print(
        f"\n{backend}, gunicorn {args.workers} workers, {args.concurrency} concurrent, "
        f"{os.cpu_count()} CPUs, {platform.python_version()}"
    )
    print(
        f"{'endpoint':<42}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>9}{'p50 ×floor':>12}{'p95 ×floor':>12}"
        f"{'req/s ÷floor':>14}"
    )
    for label, r in results.items():
        ratio = f"{r['p50_ms'] / floor['p50_ms']:.1f}" if r is not floor else "1.0"  # 0: none in the budget
        ratio95 = f"{r['p95_ms'] / floor['p95_ms']:.1f}" if r is not floor else "1.0"
        rate = f"{floor['rps'] / r['rps']:.1f}" if r["rps"] else "-"
        failures = f"  ({r['failures']} not 200)" if r.get("failures") else ""
        print(
            f"{label:<42}{r['requests']:>6}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['rps']:>9}{ratio:>12}{ratio95:>12}"
            f"{rate:>14}{failures}"
        )
    print(f"year to date as counted: {counted}")
    print(f"write cost, receive + accept at the window: {write_cost}")
    print(f"load average: {os.getloadavg()}")
    report = {
        "backend": backend,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "setup_seconds": timings,
        "results": results,
        "year_to_date": counted,
        "write_cost": write_cost,
        "at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    (OUT / f"results-{backend}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
