"""Crashes at random points of the exchange: the worker dies between any two
steps (an exception at that point leaves the database as a kill would: each
step is one transaction) and the simulator is killed and restarted. After
recovery nothing is lost, nothing applied twice, and reconciliation finds
zero differences. bench/revenue_crash.py does the same with real process
kills, 50 runs and more."""

import random
from decimal import Decimal

import pytest

from revenue import exchange, reconciliation, services
from revenue.models import FeeSource, InboxMessage, OutboxMessage, Payment

from .helpers import approved_fee_source, drain

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The worker process dying (not an Exception, so nothing catches it)."""


def crashing(rng, rate, fn):
    def wrapped(*args, **kwargs):
        if rng.random() < rate:
            raise Crash("before")
        result = fn(*args, **kwargs)
        if rng.random() < rate:
            raise Crash("after")
        return result

    return wrapped


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_crashes_lose_nothing_and_apply_nothing_twice(revenue_setup, taxsim, monkeypatch, seed):
    rng = random.Random(seed)
    sim = taxsim("--duplicate-rate", "0.5", "--shuffle", "--pay", "mixed", "--pay-after", "0", "--seed", str(seed))
    sources = [approved_fee_source(n, amount=f"{1500000 + n * 1000}.{n:02d}") for n in range(1, 6)]
    for name, module in [
        ("mark_sent", services),
        ("_apply_inbox", services),
        ("receive", services),
        ("_call", exchange),
    ]:
        monkeypatch.setattr(module, name, crashing(rng, 0.15, getattr(module, name)))
    crashes = kills = 0
    for _ in range(30):
        if rng.random() < 0.15:
            sim.restart()  # kill -9 and start again on the same database
            kills += 1
        try:
            drain(passes=1)
        except Crash:
            crashes += 1
    monkeypatch.undo()

    # Settled: all sent, every notice back (the bureau pays in the step that serves it), ledgers agree.
    def settled():
        return (
            not OutboxMessage.objects.filter(state="pending").exists()
            and not FeeSource.objects.filter(notice__isnull=True).exists()
            and reconciliation.compare(exchange.platform_ledger(), exchange.ledger()) == []
        )

    assert drain(passes=80, until=settled)
    assert crashes > 0
    rec = reconciliation.run()
    assert rec.checked == len(sources) and rec.differences == []
    assert FeeSource.objects.filter(pk__in=[f.pk for f in sources], sent_at__isnull=True).count() == 0
    ids = list(InboxMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == len(set(ids))
    tax = exchange.ledger()
    assert sum(Decimal(v["paid"]) for v in tax.values()) == sum(p.amount for p in Payment.objects.all())
