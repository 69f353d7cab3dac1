"""Kill -9 during concurrent case transitions and find no partial state
(issue 16, "tests that attack it").

Several worker processes move cases through cases.services at once, on the
same and on different cases, each step in one transaction, some of them held
open a little (a slow request) so that a kill often lands inside one. The
test SIGKILLs workers at random moments and starts new ones, then checks
what a centre relies on:

- every case's row (state, holder, at the window, last move) is what its events say,
  replayed through the transition table (cases.transitions.replay);
- the audit log holds one create and one update per version of every case,
  the last update's state is the row's, one create per certificate, and the
  chain verifies;
- every certificate has exactly its issue event and every issue event its
  certificate; the serial counters have no gap and no double;
- the daily summary equals a recount of the events (manage.py case_summary).

Also a background task: an RQ worker killed mid-task leaves the task
visibly running, and RQ's clean-up of abandoned jobs marks it failed (with
AbandonedJobError) once its time is up; it is never lost silently.

PostgreSQL only: the processes share the test database, which an in-memory
SQLite database cannot be.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import task

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the crash test needs PostgreSQL: worker processes share the test database, "
    "which an in-memory SQLite database cannot be (run with DATABASE_URL=postgres://…)",
)
WORKERS = 4
# Until this many kills and committed steps; on a busy machine that takes longer, up to the limit.
KILLS, STEPS, LIMIT_SECONDS = 6, 24, 150
# Redis database for the task part, apart from the cache and the demo's queue.
REDIS_URL = os.environ.get("TONGBAN_CRASH_REDIS_URL", "redis://127.0.0.1:6379/7")


def _database_url():
    s = connection.settings_dict
    user = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _environ(**extra):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **env,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "TONGBAN_LOG_LEVEL": "ERROR",
        "TONGBAN_CONN_MAX_AGE": "0",
        **extra,
    }


def _spawn(call, log, **env):
    """A Python process that sets Django up and calls `call` (code text)."""
    return subprocess.Popen(
        [sys.executable, "-c", f"import django; django.setup()\nfrom tests import test_crash\n{call}"],
        cwd=ROOT,
        env=_environ(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


# --- the worker processes -----------------------------------------------------


def work(log_path, seed, matter_id, window_id):
    """One worker: forever, take the next step of a random open case (or
    receive a new one), as a clerk or the deciding reviewer would."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from accounts.models import Person, User
    from cases import services, summary, transitions
    from cases.models import Case
    from catalog.models import Matter
    from core import audit
    from core.errors import ServiceError
    from core.models import Region
    from hall.models import Window

    rng = random.Random(seed)
    clerk, reviewer = User.objects.get(username="clerk"), User.objects.get(username="reviewer")
    person = Person.objects.get(user__username="citizen")
    matter = Matter.objects.get(pk=matter_id)
    window, region = Window.objects.get(pk=window_id), Region.objects.get(code="510000")
    add = summary.add

    def slow_add(event):  # a kill between the event and its count is then likelier
        time.sleep(rng.random() * 0.005)
        add(event)

    summary.add = slow_add
    out = open(log_path, "a", buffering=1)
    import faulthandler

    faulthandler.register(signal.SIGUSR1, file=out)
    out.write("ready\n")
    n = 0
    while True:
        n += 1
        open_cases = list(Case.objects.exclude(state__in=transitions.FINAL).order_by("pk")[:6])
        r = rng.random()
        if len(open_cases) < 3 or r < 0.08:
            actor, step = (
                clerk,
                partial(
                    services.receive,
                    clerk,
                    matter=matter,
                    situation=matter.situations.first(),
                    channel="window",
                    region=region,
                    applicant_person=person,
                    window=window,
                ),
            )
        else:
            case = rng.choice(open_cases)
            actor, step = _next_step(case, r, rng, clerk, reviewer, matter.department)
        out.write(f"begin {n}\n")
        outcome = "ok"
        try:
            with audit.acting_as(actor), transaction.atomic():
                step()
                time.sleep(rng.random() * 0.03)  # committed only after this: a slow request
        except (ServiceError, PermissionDenied) as exc:  # Conflict included: another worker moved first
            outcome = type(exc).__name__
        out.write(f"done {n} {outcome}\n")


def _next_step(case, r, rng, clerk, reviewer, department):
    """(who, the service call) for the next step of `case`, as the transition table allows."""
    from cases import services
    from cases.models import Case

    State, v = Case.State, case.version
    if case.state == State.RECEIVED and r < 0.2:
        return clerk, partial(
            services.request_correction, clerk, case, [{"material": "申请书", "problem": "缺少签字"}], version=v
        )
    if case.state == State.RECEIVED and r < 0.25:
        return clerk, partial(
            services.refuse, clerk, case, reasons="不符合条件", legal_basis="行政许可法第三十二条", version=v
        )
    if case.state == State.RECEIVED:
        return clerk, partial(services.accept, clerk, case, version=v)
    if case.state == State.CORRECTION:
        return clerk, partial(services.answer_correction, clerk, case, "已补齐", version=v)
    if case.state == State.ACCEPTED and case.at_window:
        return clerk, partial(services.transfer, clerk, case, to_department=department, version=v)
    if case.state == State.REVIEWING and r < 0.15:
        return reviewer, partial(services.suspend, reviewer, case, procedure="专家评审", reason="需专家论证", version=v)
    if case.state == State.REVIEWING:
        return reviewer, partial(services.decide, reviewer, case, approved=r < 0.85, opinion="审查意见", version=v)
    if case.state == State.SUSPENDED:
        return reviewer, partial(services.resume, reviewer, case, result="评审通过", version=v)
    if case.state == State.APPROVED:
        return clerk, partial(services.issue, clerk, case, copies=rng.randint(1, 2), valid_years=5, version=v)
    return clerk, partial(services.hand_over, clerk, case, method="window", version=v)  # issued, denied


@task()
def slow(seconds):
    """A task that takes its time, for the worker to be killed in."""
    time.sleep(seconds)
    return seconds


def task_crash(log_path):
    """Run in a process with the RQ backend: enqueue `slow`, start a worker,
    kill it mid-task, then print what the task's result says before and
    after RQ's clean-up of abandoned jobs."""
    import django_rq
    from django_tasks import default_task_backend
    from rq.registry import StartedJobRegistry

    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    result = slow.enqueue(60)
    with open(log_path, "a") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
                "--worker-class",
                "rq.worker.SimpleWorker",
            ],
            cwd=ROOT,
            env=os.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while result.status != "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
        result = default_task_backend.get_result(result.id)
    was = result.status
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    after_kill = default_task_backend.get_result(result.id).status
    # The worker held the job for its timeout (900 s) plus 60 s; any worker's
    # maintenance (every 10 minutes) then finds it abandoned. Look as it would then.
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 960 + 1)
    final = default_task_backend.get_result(result.id)
    sys.stdout.write(
        json.dumps(
            {
                "running_before_kill": was,
                "after_kill": after_kill,
                "after_cleanup": final.status,
                "errors": [e.traceback for e in final.errors],
                "in_failed_registry": result.id in queue.failed_job_registry.get_job_ids(),
            }
        )
        + "\n"
    )
    queue.connection.flushdb()


# --- the test -----------------------------------------------------------------


def _committed(folder):
    return sum(p.read_text().count(" ok\n") for p in folder.glob("worker*.log"))


def _last_line(path):
    lines = Path(path).read_text().splitlines()
    return lines[-1] if lines else ""


@pytest.mark.django_db(transaction=True)
def test_killed_workers_leave_no_partial_case_state(tmp_path):
    from django.core.management import call_command

    from cases import summary, transitions
    from cases.models import Case, CaseEvent, Certificate, Counter
    from cases.tests.conftest import _matter
    from core import audit
    from core.models import AuditEntry
    from hall.models import Window

    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])
    window = Window.objects.get(number="A01")
    rng = random.Random(16)
    workers, kills, in_flight, n = {}, 0, 0, 0

    def start():
        nonlocal n
        n += 1
        path = tmp_path / f"worker{n}.log"
        path.touch()
        log = open(path, "ab")
        proc = _spawn(f"test_crash.work({str(path)!r}, {n}, {matter.pk}, {window.pk})", log)
        workers[n] = (proc, path)

    for _ in range(WORKERS):
        start()
    try:
        limit = time.monotonic() + LIMIT_SECONDS
        while time.monotonic() < limit and (kills < KILLS or _committed(tmp_path) < STEPS):
            time.sleep(rng.uniform(0.3, 1.2))
            ready = [k for k, (p, path) in workers.items() if "done" in path.read_text()]
            if not ready:
                continue
            victim = rng.choice(ready)
            proc, path = workers.pop(victim)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            in_flight += _last_line(path).startswith("begin")
            start()
    finally:
        for proc, _path in workers.values():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
    for _proc, path in workers.values():
        in_flight += _last_line(path).startswith("begin")
    logs = [p.read_text() for p in tmp_path.glob("worker*.log")]
    done = _committed(tmp_path)
    tracebacks = [t for t in logs if "Traceback" in t]
    assert not tracebacks, tracebacks[0][-3000:]
    seen = f"{kills} kills, {in_flight} of them inside a step; {done} steps committed"
    sys.stderr.write(seen + "\n")  # shown with -s
    assert kills >= KILLS and in_flight >= 1 and done >= STEPS, seen + "\n" + "\n".join(t[-500:] for t in logs)

    cases = list(Case.objects.order_by("pk"))
    assert cases
    for case in cases:
        events = list(case.events.order_by("seq").values_list("seq", "kind", "at", "department_id", "data"))
        assert events[0][1] == CaseEvent.Kind.RECEIVE
        replayed = transitions.replay(events)
        assert (case.state, case.holder_id, case.at_window, case.moved_at) == replayed, case.number
        entries = AuditEntry.objects.filter(object_type="cases.Case", object_id=str(case.pk))
        assert entries.filter(action="create").count() == 1, case.number
        assert entries.filter(action="update").count() == case.version, case.number
        assert entries.order_by("-seq").first().after["state"] == case.state, case.number

    issued = CaseEvent.objects.filter(kind=CaseEvent.Kind.ISSUE)
    certificates = Certificate.objects.all()
    assert sorted(e.data["certificate"] for e in issued) == sorted(c.number for c in certificates)
    for certificate in certificates:
        assert issued.filter(case=certificate.case_id, data__certificate=certificate.number).count() == 1
    assert AuditEntry.objects.filter(object_type="cases.Certificate", action="create").count() == len(certificates)
    counters = dict(Counter.objects.values_list("key", "value"))
    assert sum(v for k, v in counters.items() if k.startswith("case:")) == len(cases)  # no gap, no double
    assert sum(v for k, v in counters.items() if k.startswith("cert:")) == len(certificates)
    assert len({c.e_certificate_id for c in certificates}) == len(certificates)

    assert summary.differences() == []
    call_command("case_summary", stdout=open(os.devnull, "w"))  # raises on any difference
    report = audit.verify_chain()
    assert report.ok, report.message()


def test_killed_task_worker_leaves_the_task_visibly_failed(tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    log = tmp_path / "task.log"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup()\nfrom tests import test_crash\ntest_crash.task_crash({str(log)!r})",
        ],
        cwd=ROOT,
        env=_environ(TONGBAN_TASK_BACKEND="django_tasks_rq.RQBackend", TONGBAN_REDIS_URL=REDIS_URL),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:] + log.read_text()[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["running_before_kill"] == "RUNNING"
    assert seen["after_kill"] == "RUNNING"  # still shown as running, not vanished
    assert seen["after_cleanup"] == "FAILED"
    assert seen["in_failed_registry"]
    assert any("AbandonedJobError" in e for e in seen["errors"]), seen
