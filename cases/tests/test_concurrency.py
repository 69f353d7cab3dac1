"""Two clerks pressing 受理 on the same case at the same moment, for real:
two threads, two database connections."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import User
from cases import services
from cases.models import Case, CaseEvent
from core.errors import Conflict

from .conftest import receive_at_window

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be shared by two connections"
)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_accept_at_once_one_wins(licence, hall_window):
    clerk = User.objects.get(username="clerk")
    other = User.objects.create(username="clerk2", name="何静", kind="staff", role="clerk", department=clerk.department)
    case = receive_at_window(clerk, licence, hall_window)
    version = case.version
    barrier, outcomes = threading.Barrier(2), []

    def press(user):
        try:
            barrier.wait()
            services.accept(user, Case.objects.get(pk=case.pk), version=version)
            outcomes.append("accepted")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in (clerk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=len)[0] == "accepted"
    assert outcomes.count("accepted") == 1
    assert any("已被处理" in o for o in outcomes)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ACCEPT).count() == 1
