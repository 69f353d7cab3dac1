"""Two clerks pressing 受理 on the same case at the same moment, for real:
two threads, two database connections."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import Person, User
from cases import services
from cases.models import Case, CaseEvent, Channel
from core.errors import Conflict
from core.models import Region

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be shared by two connections"
)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_accept_at_once_one_wins(licence, hall_window):
    clerk = User.objects.get(username="clerk")
    other = User.objects.create(username="clerk2", name="何静", kind="staff", role="clerk", department=clerk.department)
    case = services.receive(
        clerk,
        matter=licence,
        situation=licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=hall_window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )
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
