"""PostgreSQL: the event log is partitioned by month, and Django works on it
as before (cases/partitions.py). On SQLite the table stays plain."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Person
from cases import partitions, services, stats, summary
from cases.models import CaseEvent, Channel
from core.models import Region

from .conftest import local

pytestmark = pytest.mark.django_db


def _partition_of(event):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cases_caseevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def _receive(clerk, matter, window, at):
    return services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        applicant_person=Person.objects.get(user__username="citizen"),
        window=window,
        at=at,
    )


def test_sqlite_keeps_the_plain_table(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL partitions the table")
    assert not partitions.is_partitioned()
    call_command("case_partitions")
    assert "未分区" in capsys.readouterr().out


def test_events_go_to_their_month_and_the_default_partition_is_emptied(demo_user, licence, hall_window, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("partitioning is PostgreSQL's")
    assert partitions.is_partitioned()
    clerk = demo_user("clerk")
    # A month no partition was made for yet: the write still succeeds, in the default partition.
    case = _receive(clerk, licence, hall_window, local(2025, 5, 6, 9))
    services.accept(clerk, case, at=local(2025, 5, 6, 10))
    events = list(case.events.order_by("seq"))
    assert [_partition_of(e) for e in events] == [partitions.DEFAULT] * 2
    # The monthly command makes the months up to it and moves the rows into their month.
    made = partitions.ensure(until=dt.date(2025, 5, 1))
    assert "cases_caseevent_y2025m05" in made
    assert [_partition_of(e) for e in events] == ["cases_caseevent_y2025m05"] * 2
    assert partitions.ensure(until=dt.date(2025, 5, 1)) == []  # idempotent
    # Django reads, filters and counts them as before; step numbers still follow each other.
    assert list(CaseEvent.objects.filter(case=case).values_list("seq", flat=True)) == [1, 2]
    assert CaseEvent.objects.get(pk=events[1].pk).kind == "accept"
    services.transfer(clerk, case, to_department=licence.department, at=local(2025, 5, 7, 9))
    assert case.events.count() == 3
    assert stats.figures(stats.Period(dt.date(2025, 5, 1), dt.date(2025, 5, 31)))["acceptances"] == 1
    assert summary.differences() == []
    call_command("case_partitions", "--months", "1")
    assert "已建立" in capsys.readouterr().out
