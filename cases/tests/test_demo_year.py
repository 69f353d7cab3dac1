"""The demo year (cases.demo): exact to the bulletin, and every case a coherent life.

Loading the year takes about a minute, so it is loaded once per test session
by the root conftest's `demo_year` fixture (tests using it run last) and
removed again at the end."""

import datetime as dt
import random
from collections import defaultdict

import pytest
from django.db.models import Count

from accounts.models import Person
from cases import deadlines, demo, services, stats, transitions
from cases.identifiers import check_e_certificate_id
from cases.models import Case, CaseEvent, Certificate, Channel, Counter, Evaluation
from catalog.models import Matter
from core.models import Region
from core.validators import validate_resident_id, validate_uscc
from hall.models import Window

from .conftest import local

WEEK = stats.Period(dt.date(2024, 11, 4), dt.date(2024, 11, 8))
YEAR_TO_DATE = stats.Period(dt.date(2024, 1, 1), dt.date(2024, 11, 8))
Kind, State = CaseEvent.Kind, Case.State


@pytest.fixture
def year(demo_year, db):
    return demo_year


def test_the_bulletin_figures_exactly(year):
    assert (
        stats.figures(WEEK)
        == demo.WEEK
        == {"consultations": 1635, "acceptances": 879, "certificates": 1077, "transfers": 2909}
    )
    assert (
        stats.figures(YEAR_TO_DATE)
        == demo.YEAR_TO_DATE
        == {"consultations": 70371, "acceptances": 29107, "certificates": 148786, "transfers": 327744}
    )
    # the rest of the year goes on at the same pace
    rest = stats.figures(stats.Period(dt.date(2024, 11, 9), dt.date(2024, 12, 31)))
    assert 4000 < rest["acceptances"] < 9000 and rest["certificates"] > rest["acceptances"]


def test_the_year_has_the_expected_shape(year):
    assert year["cases"] > 30000 and year["events"] > 600000
    assert Case.objects.filter(window__kind=Window.Kind.COMPREHENSIVE).exists()
    assert set(Case.objects.values_list("channel", flat=True).distinct()) == {"window", "online", "post"}
    assert Case.objects.filter(channel=Channel.ONLINE, window__isnull=False).count() == 0
    assert Case.objects.filter(state=State.REFUSED).count() > 500
    assert CaseEvent.objects.filter(kind=Kind.CORRECTION_REQUESTED).count() > 2000
    assert CaseEvent.objects.filter(kind=Kind.REVIEW).exists()  # county → city → province
    assert Case.objects.exclude(region_id="510000").exists()
    assert Case.objects.filter(state__in=[State.ACCEPTED, State.REVIEWING, State.RECEIVED]).exists()  # open at year end
    assert Evaluation.objects.count() == CaseEvent.objects.filter(kind=Kind.EVALUATE).count() > 5000
    assert not CaseEvent.objects.filter(at__gte=local(2025, 1, 1, 0)).exists()
    assert not CaseEvent.objects.filter(at__lt=local(2024, 1, 1, 0)).exists()
    biggest = Certificate.objects.values("case").annotate(n=Count("id")).order_by("-n").first()
    assert 100 <= biggest["n"] <= 1000  # batches of hundreds


def test_every_case_is_a_coherent_life(year):
    """Every case's events replay through the one transition table
    (cases/transitions.py) to the state its row holds."""
    cases = {
        pk: (state, holder, at_window, moved_at)
        for pk, state, holder, at_window, moved_at in Case.objects.values_list(
            "pk", "state", "holder_id", "at_window", "moved_at"
        )
    }
    lives = defaultdict(list)
    for case, seq, kind, at, department, data in (
        CaseEvent.objects.filter(case__isnull=False)
        .order_by("case_id", "seq")
        .values_list("case_id", "seq", "kind", "at", "department_id", "data")
        .iterator(chunk_size=20000)
    ):
        lives[case].append((seq, kind, at, department, data))
    assert set(lives) == set(cases)
    for case, events in lives.items():
        try:
            assert transitions.replay(events) == cases[case]
        except AssertionError as failure:
            raise AssertionError(f"case {case}: {failure}; events {[e[:3] for e in events]}") from None


def test_every_issue_has_its_certificate(year):
    issued = {
        (case, data["certificate"])
        for case, data in CaseEvent.objects.filter(kind=Kind.ISSUE)
        .values_list("case_id", "data")
        .iterator(chunk_size=20000)
    }
    certificates = set(Certificate.objects.values_list("case_id", "number"))
    assert Certificate.objects.count() == CaseEvent.objects.filter(kind=Kind.ISSUE).count() == len(certificates)
    assert issued == certificates
    assert all(check_e_certificate_id(e) for e in Certificate.objects.values_list("e_certificate_id", flat=True))
    sample = random.Random(1).sample(list(Certificate.objects.values_list("holder_code", flat=True)), 3000)
    for code in sample:  # people's IDs are of Sichuan (51…); credit codes start with their authority
        (validate_resident_id if code.startswith("51") else validate_uscc)(code)


def test_deadlines_and_decisions_follow_the_calendar(year):
    """The Case row's due date and each decision's working days are what
    cases.deadlines makes of the events (a sample of the year)."""
    picked = random.Random(2).sample(list(Case.objects.exclude(accepted_at=None).values_list("pk", flat=True)), 1500)
    for case in Case.objects.filter(pk__in=picked).select_related("matter"):
        events = list(case.events.order_by("seq"))
        last = events[-1].at
        assert case.due_date == deadlines.due_date(
            case.accepted_at, case.matter.promised_limit, _paused_to_last_recompute(events)
        )
        for i, event in enumerate(events):
            if event.kind == Kind.CONCLUDE:
                used = deadlines.workdays.working_days_between(
                    deadlines.local_date(case.accepted_at), deadlines.local_date(event.at)
                ) - deadlines.paused_working_days(events[:i], until=event.at)
                assert event.data["working_days"] == used
                assert event.data["on_time"] == (deadlines.local_date(event.at) <= case.due_date)
        assert last < local(2025, 1, 1, 0)


def _paused_to_last_recompute(events):
    """The services recompute the due date when a pause ends (answer or resume)."""
    ends = [i for i, e in enumerate(events) if e.kind in (Kind.CORRECTION_ANSWERED, Kind.RESUME)]
    if not ends:
        return 0
    upto = events[: ends[-1] + 1]
    return deadlines.paused_working_days(upto, until=upto[-1].at)


def test_one_more_acceptance_counts_in_its_week_only(year, demo_user):
    clerk = demo_user("clerk")
    matter = Matter.objects.filter(review_levels=["province"], department__region_id="510000").first()
    window = Window.objects.get(number="A01")
    person = Person.objects.get(user__username="citizen")

    def received(day):
        return services.receive(
            clerk,
            matter=matter,
            situation=matter.situations.first(),
            channel=Channel.WINDOW,
            region=Region.objects.get(code="510000"),
            window=window,
            applicant_person=person,
            at=local(*day, 9),
        )

    inside, outside = received((2024, 11, 6)), received((2024, 11, 11))
    assert inside.number.startswith("51000020241106") and int(inside.number[-6:]) > 1  # after the demo's serials
    services.accept(clerk, inside, at=local(2024, 11, 6, 10))
    assert stats.figures(WEEK)["acceptances"] == demo.WEEK["acceptances"] + 1
    assert stats.figures(YEAR_TO_DATE)["acceptances"] == demo.YEAR_TO_DATE["acceptances"] + 1
    services.accept(clerk, outside, at=local(2024, 11, 12, 10))
    assert stats.figures(WEEK)["acceptances"] == demo.WEEK["acceptances"] + 1
    assert stats.figures(YEAR_TO_DATE)["acceptances"] == demo.YEAR_TO_DATE["acceptances"] + 1
    # the demo's certificate serials were taken: a new certificate gets the next one
    case = Case.objects.filter(state=State.APPROVED).first()
    if case is not None:
        issued = services.issue(clerk, case, at=case.concluded_at)
        assert check_e_certificate_id(issued[0].e_certificate_id) and issued[0].number.endswith(
            f"{Counter.objects.get(key=f'cert:{case.matter.certificate_type_code or case.matter.catalogue_code[:6]}:2024').value:07d}"
        )


def test_loading_again_adds_nothing(year):
    counts = (Case.objects.count(), CaseEvent.objects.count(), Certificate.objects.count())
    assert demo.load_demo_year() is None
    assert (Case.objects.count(), CaseEvent.objects.count(), Certificate.objects.count()) == counts
