"""The daily summary (cases.summary) equals a recount of the raw events after
every kind of change a service makes, and the check command finds a drift."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum

from accounts.models import Person
from cases import services, stats, summary
from cases.models import CaseEvent, Channel, DaySummary, SummaryStamp
from core.models import Region

from .conftest import local

DIMENSIONS = ("day", "kind", "department", "window", "matter", "channel")


def _recount_by(dimension):
    """Events per value of one dimension, counted straight from the event log."""
    column = dimension if dimension in ("day", "kind", "channel") else f"{dimension}_id"
    return {
        (row[column] or 0) if dimension not in ("day", "kind", "channel") else row[column]: row["n"]
        for row in CaseEvent.objects.values(column).annotate(n=Count("id")).order_by()
    }


def _summary_by(dimension):
    return {
        row[dimension]: row["n"]
        for row in DaySummary.objects.values(dimension).annotate(n=Sum("events")).order_by()
        if row["n"]
    }


def _regions_from_events():
    counts = Counter()
    for case_region, department_region in CaseEvent.objects.values_list("case__region", "department__region"):
        counts[case_region or department_region or ""] += 1
    return dict(counts)


def _assert_summary_is_the_events():
    assert summary.differences() == []
    for dimension in DIMENSIONS:
        assert _summary_by(dimension) == _recount_by(dimension), dimension
    assert _summary_by("region") == _regions_from_events()


def _receive(clerk, matter, window, at, region="510000", channel=Channel.WINDOW):
    return services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=channel,
        region=Region.objects.get(code=region),
        applicant_person=Person.objects.get(user__username="citizen"),
        window=window if channel == Channel.WINDOW else None,
        at=at,
    )


def test_every_step_keeps_the_summary_equal_to_the_events(demo_user, licence, county_licence, hall_window):
    clerk, reviewer, citizen = demo_user("clerk"), demo_user("reviewer"), demo_user("citizen")
    county = demo_user("reviewer_jinjiang")
    # A full life with a correction, special procedure, certificates, hand-over and a rating.
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4, 9))
    services.request_correction(clerk, case, [{"material": "申请书", "problem": "缺签字"}], at=local(2024, 11, 4, 10))
    services.answer_correction(citizen, case, "已补签", at=local(2024, 11, 5, 9))
    services.accept(clerk, case, at=local(2024, 11, 5, 10))
    services.transfer(clerk, case, to_department=licence.department, at=local(2024, 11, 5, 11))
    services.suspend(reviewer, case, procedure="专家评审", reason="需论证", at=local(2024, 11, 6, 9))
    services.resume(reviewer, case, result="通过", at=local(2024, 11, 7, 9))
    services.decide(reviewer, case, approved=True, opinion="准予", at=local(2024, 11, 7, 15))
    services.issue(clerk, case, copies=3, valid_years=5, at=local(2024, 11, 8, 9))
    services.hand_over(clerk, case, method="window", at=local(2024, 11, 8, 10))
    services.evaluate(citizen, case, score=5, at=local(2024, 11, 8, 11))
    _assert_summary_is_the_events()

    # A transfer back: the department sends the case back to the window.
    back = _receive(clerk, licence, hall_window, local(2024, 11, 6, 9))
    services.accept(clerk, back, at=local(2024, 11, 6, 10))
    services.transfer(clerk, back, to_department=licence.department, at=local(2024, 11, 6, 11))
    services.transfer(reviewer, back, to_window=True, reason="材料原件需窗口核验", at=local(2024, 11, 6, 14))
    # A refusal, and a denial (decided, not approved).
    refused = _receive(clerk, licence, hall_window, local(2024, 11, 7, 9))
    services.refuse(
        clerk, refused, reasons="不属于本机关职权", legal_basis="《行政许可法》第三十二条", at=local(2024, 11, 7, 10)
    )
    denied = _receive(clerk, licence, hall_window, local(2024, 11, 11, 9))
    services.accept(clerk, denied, at=local(2024, 11, 11, 10))
    services.transfer(clerk, denied, to_department=licence.department, at=local(2024, 11, 11, 11))
    services.decide(reviewer, denied, approved=False, opinion="不符合条件", at=local(2024, 11, 12, 15))
    # A county case: reviewed at the county and the city, decided by the province.
    up = _receive(clerk, county_licence, hall_window, local(2024, 11, 4, 9), region="510104")
    services.accept(clerk, up, at=local(2024, 11, 4, 10))
    services.transfer(clerk, up, to_department=up.holder, at=local(2024, 11, 4, 11))
    services.review(county, up, opinion="初审通过", at=local(2024, 11, 5, 9))
    # Consultations at the window, with and without a matter, and online policy questions.
    services.record_consultation(
        clerk,
        asker="李女士",
        question="材料",
        answer="已告知",
        matter=licence,
        window=hall_window,
        at=local(2024, 11, 5, 9),
    )
    services.record_consultation(clerk, asker="赵先生", question="地点", answer="已告知", at=local(2024, 11, 5, 10))
    services.record_policy_consultation(None, question="研发费用加计扣除", answer="见政策", at=local(2024, 11, 5, 11))
    _assert_summary_is_the_events()

    # The figures read from the summary are the events' own counts.
    week = stats.Period(dt.date(2024, 11, 4), dt.date(2024, 11, 10))
    assert stats.figures(week) == {
        "consultations": CaseEvent.objects.filter(kind="consult").count(),
        "acceptances": CaseEvent.objects.filter(kind="accept", day__lte=week.end).count(),
        "certificates": 3,
        "transfers": CaseEvent.objects.filter(kind="transfer", day__lte=week.end).count(),
    }
    handled = stats.handling(stats.Period(dt.date(2024, 11, 1), dt.date(2024, 11, 30)))
    assert handled["concluded"] == 2 and handled["on_time_rate"] == 100.0
    # Certificates are counted under the department that decided, not the window's centre.
    by_department = {row["key"]: row["certificates"] for row in stats.breakdown(week, "department")}
    assert by_department[licence.department.pk] == 3
    assert stats.figures(week, region="510100")["acceptances"] == 1  # the Jinjiang case, by its city
    # The rebuild (one grouped INSERT … SELECT in the database) counts what the steps counted,
    # handling sums of the decisions included.
    kept = summary.stored()
    summary.rebuild()
    assert summary.stored() == kept
    _assert_summary_is_the_events()


def test_a_step_rolled_back_leaves_no_count(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4, 9))
    before = stats.figures(stats.Period.week_of(dt.date(2024, 11, 4)))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.accept(clerk, case, at=local(2024, 11, 4, 10))
        raise RuntimeError("the request failed after the step")
    assert stats.figures(stats.Period.week_of(dt.date(2024, 11, 4))) == before
    _assert_summary_is_the_events()


def test_the_check_command_lists_every_difference_and_rebuilds(demo_user, licence, hall_window, capsys):
    clerk = demo_user("clerk")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4, 9))
    services.accept(clerk, case, at=local(2024, 11, 4, 10))
    call_command("case_summary", "--start", "2024-11-01", "--end", "2024-11-30")
    assert "共 0 处差异" in capsys.readouterr().out
    # Someone edits the table by hand: the check names the row, the rebuild repairs it.
    DaySummary.objects.filter(kind="accept").update(events=7)
    DaySummary.objects.filter(kind="receive").delete()
    with pytest.raises(CommandError, match="汇总与原始环节不一致"):
        call_command("case_summary", "--start", "2024-11-01", "--end", "2024-11-30")
    out = capsys.readouterr().out
    assert "kind=accept" in out and "汇总 [7, 0, 0, 0, 0]，重新统计 [1, 0, 0, 0, 0]" in out
    assert "kind=receive" in out and "共 2 处差异" in out
    call_command("case_summary", "--start", "2024-11-01", "--end", "2024-11-30", "--rebuild")
    assert summary.differences() == []
    with pytest.raises(CommandError, match="日期"):
        call_command("case_summary", "--start", "2024-13-01")


def test_groupings_kept_in_memory_follow_every_new_event(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    year = stats.Period(dt.date(2024, 1, 1), dt.date(2024, 11, 8))
    case = _receive(clerk, licence, hall_window, local(2024, 3, 4, 9))
    services.accept(clerk, case, at=local(2024, 3, 4, 10))
    assert stats.figures(year)["acceptances"] == 1
    # A step written later but dated in a month already grouped (a backdated entry) is seen.
    late = _receive(clerk, licence, hall_window, local(2024, 3, 5, 9))
    services.accept(clerk, late, at=local(2024, 3, 5, 10))
    assert stats.figures(year)["acceptances"] == 2
    assert stats.breakdown(year, "window")[0]["acceptances"] == 2
    # Whatever moves a day's stamp, in any process, makes every reader group it
    # afresh: here a hand edit of the table announced by a stamp...
    DaySummary.objects.filter(kind="accept", day=dt.date(2024, 3, 5)).update(events=5)
    SummaryStamp.objects.filter(day=dt.date(2024, 3, 5)).update(version=F("version") + 1)
    assert stats.figures(year)["acceptances"] == 6
    # ...and the rebuild that repairs it (which raises the stamps of every day it recounts).
    summary.rebuild(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert stats.figures(year)["acceptances"] == 2
    assert SummaryStamp.objects.get(day=dt.date(2024, 3, 4)).version == 3  # two events, one rebuild
