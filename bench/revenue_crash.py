"""Crash the revenue exchange for real: kill -9 the platform's exchange worker
(`manage.py tax_exchange --loop`) or the tax-bureau simulator at random moments,
restart it, and check after each run that no fee source was lost, none sent
twice to effect, no payment applied twice, and reconciliation finds zero
differences.

    .venv/bin/python bench/revenue_crash.py [--runs 50] [--sources 8] [--kills 4] [--seed 1]

Each run copies a prepared SQLite file (migrated, reference data, demo staff,
parameters; made once under bench/out/revenue_crash/), so the worker, the
simulator and this script are three processes sharing nothing but HTTP and
the platform's database file. Prints a line per run and a summary; writes
bench/out/revenue_crash.json.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "revenue_crash"
TEMPLATE = OUT / "template.sqlite3"
DB = OUT / "run.sqlite3"
PY = sys.executable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env():
    return dict(
        os.environ, DATABASE_URL=f"sqlite:///{DB}", TONGBAN_TAX_TIMEOUT="1", DJANGO_SETTINGS_MODULE="tongban.settings"
    )


def prepare():
    OUT.mkdir(parents=True, exist_ok=True)
    if TEMPLATE.exists():
        return
    e = dict(env(), DATABASE_URL=f"sqlite:///{TEMPLATE}")
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=e, check=True)
    subprocess.run(
        [
            PY,
            "-c",
            "import django; django.setup()\n"
            "from core.reference import load_all; load_all()\n"
            "from accounts.demo import load_demo; load_demo()\n"
            "from revenue import demo, rules; rules.load_parameters(); demo.load_users()",
        ],
        cwd=ROOT,
        env=e,
        check=True,
    )


class Proc:
    def __init__(self, args):
        self.args, self.p = args, None

    def start(self):
        self.p = subprocess.Popen(self.args, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def kill(self):
        if self.p and self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
            self.p.wait()


def wait_http(url):
    import urllib.request

    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(url)


def one_run(n, args, rng):
    for suffix in ("", "-wal", "-shm"):
        Path(str(DB) + suffix).unlink(missing_ok=True)
    shutil.copy(TEMPLATE, DB)
    port = free_port()
    simdb = OUT / "taxsim.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(simdb) + suffix).unlink(missing_ok=True)
    sim = Proc(
        [
            PY,
            "-m",
            "taxsim.server",
            "--port",
            str(port),
            "--db",
            str(simdb),
            "--duplicate-rate",
            "0.4",
            "--shuffle",
            "--pay",
            "mixed",
            "--pay-after",
            "0",
            "--fail-rate",
            "0.1",
            "--timeout-rate",
            "0.1",
            "--timeout-seconds",
            "2",
            "--seed",
            str(n),
        ]
    )
    os.environ["TONGBAN_TAX_URL"] = f"http://127.0.0.1:{port}"
    worker = Proc([PY, "manage.py", "tax_exchange", "--loop", "--interval", "0.1"])
    sim.start()
    wait_http(f"http://127.0.0.1:{port}/healthz")
    from django.db import connection

    from revenue.models import OutboxMessage
    from revenue.tests.helpers import approved_fee_source

    started = time.monotonic()
    ids = [approved_fee_source(i, amount=f"{1200000 + i * 7919}.{i % 100:02d}").pk for i in range(1, args.sources + 1)]
    connection.close()
    worker.start()
    killed = {"worker": 0, "simulator": 0}
    for _ in range(args.kills):
        time.sleep(rng.uniform(0.05, 0.8))
        victim = rng.choice(["worker", "simulator"])
        proc = worker if victim == "worker" else sim
        proc.kill()
        killed[victim] += 1
        time.sleep(rng.uniform(0, 0.3))
        proc.start()
        if victim == "simulator":
            wait_http(f"http://127.0.0.1:{port}/healthz")
    from django.utils import timezone

    from revenue import exchange, reconciliation
    from revenue.models import FeeSource, InboxMessage, Payment

    connection.close()
    deadline = time.monotonic() + 60
    differences = None
    while time.monotonic() < deadline:
        OutboxMessage.objects.filter(state="pending").update(next_attempt_at=timezone.now())
        try:
            # Settled: everything sent, every notice back (the bureau pays in the same
            # step as it serves the notice), and both ledgers agree.
            if (
                not OutboxMessage.objects.filter(state="pending").exists()
                and not FeeSource.objects.filter(pk__in=ids, notice__isnull=True).exists()
            ):
                differences = reconciliation.compare(exchange.platform_ledger(), exchange.ledger())
                if differences == []:
                    break
        except exchange.TaxUnavailable:
            pass
        time.sleep(0.2)
    worker.kill()
    rec = reconciliation.run()
    inbox = list(InboxMessage.objects.values_list("message_id", flat=True))
    tax_paid = sum(int(v["paid"].replace(".", "")) for v in exchange.ledger().values())
    our_paid = sum(int(str(p).replace(".", "")) for p in Payment.objects.values_list("amount", flat=True))
    sim.kill()
    result = {
        "run": n,
        "seconds": round(time.monotonic() - started, 2),
        "kills": killed,
        "lost": FeeSource.objects.filter(pk__in=ids, sent_at__isnull=True).count(),
        "dead": OutboxMessage.objects.filter(state="dead").count(),
        "inbox_duplicates": len(inbox) - len(set(inbox)),
        "paid_matches": tax_paid == our_paid,
        "differences": len(rec.differences),
        "error": rec.error,
    }
    connection.close()
    result["ok"] = (
        result["lost"] == 0
        and result["dead"] == 0
        and result["inbox_duplicates"] == 0
        and result["paid_matches"]
        and result["differences"] == 0
        and not result["error"]
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    prepare()
    os.environ.update(env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    rng = random.Random(args.seed)
    results = []
    for n in range(1, args.runs + 1):
        result = one_run(n, args, rng)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    ok = sum(r["ok"] for r in results)
    kills = sum(sum(r["kills"].values()) for r in results)
    summary = {
        "runs": len(results),
        "ok": ok,
        "kills": kills,
        "median_seconds": sorted(r["seconds"] for r in results)[len(results) // 2],
    }
    print(f"{ok}/{len(results)} runs clean after {kills} kills (worker or simulator)")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "revenue_crash.json").write_text(
        json.dumps({"summary": summary, "runs": results}, ensure_ascii=False, indent=1)
    )
    sys.exit(0 if ok == len(results) else 1)


if __name__ == "__main__":
    main()
