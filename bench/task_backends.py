"""The background-task backends side by side: django-tasks' database
backend (db_worker) and RQ on Redis (django-tasks-rq, rqworker), each with
two workers, on PostgreSQL. Enqueues N tiny tasks from the web side and
times (a) the enqueue call, (b) until every task has run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench .venv/bin/python bench/task_backends.py [N]

Prints the figures and their ratio (RQ / database) measured in the same run."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
BIN = ROOT / ".venv" / "bin"
BACKENDS = {
    "database": ("django_tasks_db.DatabaseBackend", ["db_worker", "--no-startup-delay", "--interval", "0.1"]),
    "rq": (
        "django_tasks_rq.RQBackend",
        ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--worker-class", "rq.worker.SimpleWorker"],
    ),
}


def run(name):
    backend, worker_args = BACKENDS[name]
    env = dict(
        os.environ,
        TONGBAN_TASK_BACKEND=backend,
        TONGBAN_REDIS_URL="redis://127.0.0.1:6379/13",
        TONGBAN_LOG_LEVEL="ERROR",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from core.tasks import ping

    workers = [
        subprocess.Popen(
            [str(BIN / "python"), "manage.py", *worker_args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # workers up
    try:
        enqueue_ms, results = [], []
        start = time.perf_counter()
        for i in range(N):
            t = time.perf_counter()
            results.append(ping.enqueue(i))
            enqueue_ms.append((time.perf_counter() - t) * 1000)
        pending = list(results)
        while pending:
            for result in list(pending):
                result.refresh()
                if result.is_finished:
                    pending.remove(result)
            if pending:
                time.sleep(0.05)
        total = time.perf_counter() - start
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(10)
    q = statistics.quantiles(enqueue_ms, n=20)
    return {
        "enqueue_p50_ms": statistics.median(enqueue_ms),
        "enqueue_p95_ms": q[18],
        "all_done_s": total,
        "per_s": N / total,
    }


if __name__ == "__main__":
    name = sys.argv[2] if len(sys.argv) > 2 else None
    if name:  # one backend per process: the backends are read once per process
        print(run(name))
        sys.exit(0)
    figures = {}
    for name in BACKENDS:
        out = subprocess.run(
            [str(BIN / "python"), __file__, str(N), name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=dict(os.environ),
        )
        if out.returncode:
            print(out.stderr[-2000:])
            sys.exit(1)
        figures[name] = eval(out.stdout.strip().splitlines()[-1])  # our own dict literal
    print(f"load average {os.getloadavg()[0]:.2f}; {N} tasks, 2 workers each")
    for key in ("enqueue_p50_ms", "enqueue_p95_ms", "all_done_s", "per_s"):
        db, rq = figures["database"][key], figures["rq"][key]
        print(f"{key:16} database {db:8.2f}   rq {rq:8.2f}   rq/database {rq / db:5.2f}")
