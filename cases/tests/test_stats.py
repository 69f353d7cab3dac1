import datetime as dt

import pytest
from django.db import connection

from accounts.models import Person
from cases import services, stats
from cases.models import Channel
from core.models import Region

from .conftest import local

WEEK = stats.Period(dt.date(2024, 11, 4), dt.date(2024, 11, 8))


def _full_case(demo_user, matter, window, day):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=window,
        applicant_person=Person.objects.get(user__username="citizen"),
        at=local(*day, 9),
    )
    services.accept(clerk, case, at=local(*day, 10))
    services.transfer(clerk, case, to_department=matter.department, at=local(*day, 11))
    services.decide(reviewer, case, approved=True, opinion="准予", at=local(*day, 15))
    services.issue(clerk, case, copies=2, at=local(*day, 16))
    return case


def test_figures_count_events_inside_the_week_only(demo_user, licence, hall_window):
    assert stats.figures(WEEK) == {"consultations": 0, "acceptances": 0, "certificates": 0, "transfers": 0}
    _full_case(demo_user, licence, hall_window, (2024, 11, 5))
    services.record_consultation(
        demo_user("clerk"),
        asker="李女士",
        question="需要什么材料",
        answer="已告知",
        matter=licence,
        window=hall_window,
        at=local(2024, 11, 8, 23),
    )
    services.record_consultation(
        demo_user("clerk"), asker="赵先生", question="何时办结", answer="已告知", at=local(2024, 11, 10, 9)
    )
    # 23:30 on Sunday 3 November Beijing time is 15:30 UTC on the 3rd: outside.
    services.record_consultation(
        demo_user("clerk"), asker="钱先生", question="办理地点", answer="已告知", at=local(2024, 11, 3, 23)
    )
    counts = stats.figures(WEEK)
    # One transfer to the department, one back to the window after the decision.
    assert counts == {"consultations": 1, "acceptances": 1, "certificates": 2, "transfers": 2}


def test_breakdown_and_handling(demo_user, licence, hall_window):
    _full_case(demo_user, licence, hall_window, (2024, 11, 4))
    _full_case(demo_user, licence, hall_window, (2024, 11, 6))
    by_matter = stats.breakdown(WEEK, "matter")
    assert by_matter[0]["name"] == licence.name and by_matter[0]["acceptances"] == 2
    by_channel = stats.breakdown(WEEK, "channel")
    assert by_channel[0]["name"] == "窗口"
    handled = stats.handling(WEEK)
    assert handled == {"concluded": 2, "average_working_days": 0.0, "on_time_rate": 100.0}
    assert [row["day"] for row in stats.daily(WEEK)] == [dt.date(2024, 11, 4), dt.date(2024, 11, 6)]
    assert stats.figures(WEEK, department=licence.department)["acceptances"] == 2
    assert stats.figures(WEEK, channel=Channel.ONLINE)["acceptances"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GROUPING SETS: PostgreSQL's grouping of a month")
def test_the_database_groups_a_month_as_python_does(demo_user, licence, hall_window):
    """PostgreSQL sums a month's summary rows itself (cases.stats._group_in_database);
    every total, breakdown, day and handling sum is the one Python makes of the rows."""
    _full_case(demo_user, licence, hall_window, (2024, 11, 4))
    _full_case(demo_user, licence, hall_window, (2024, 11, 6))
    services.record_consultation(
        demo_user("clerk"), asker="李女士", question="需要什么材料", answer="已告知", at=local(2024, 11, 5, 9)
    )
    month = stats.Period(dt.date(2024, 11, 1), dt.date(2024, 11, 30))
    for filters in ({}, {"window": hall_window}, {"department": licence.department}, {"region": "510000"}):
        rows = stats._rows(month, **filters).filter(kind__in=[*stats.FIGURES.values(), stats.Kind.CONCLUDE])
        in_database, in_python = stats._group_in_database(rows), stats._group_in_python(rows)
        assert in_database == in_python, filters
    whole = stats._group_in_database(stats._rows(month).filter(kind__in=[*stats.FIGURES.values(), stats.Kind.CONCLUDE]))
    assert whole["totals"] == {"consultations": 1, "acceptances": 2, "certificates": 4, "transfers": 4}
    assert whole["by"]["matter"][licence.pk]["acceptances"] == 2
    assert whole["handled"][1] == 2  # two decisions timed
