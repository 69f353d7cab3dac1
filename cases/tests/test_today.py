"""Real use starts today (2026-12-03), not in the demo year: the steps that
broke on today's date, each through the pages a person uses."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from cases import identifiers, services
from cases.models import Case, Certificate, Channel
from core.models import Region

from .conftest import local


def _decided(demo_user, matter, window, at):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = services.receive(clerk, matter=matter, situation=matter.situations.first(), channel=Channel.WINDOW,
                            region=Region.objects.get(code="510000"), window=window,
                            applicant_person=Person.objects.get(user__username="citizen"), at=at)
    services.accept(clerk, case, at=at + dt.timedelta(minutes=10))
    services.transfer(clerk, case, to_department=matter.department, at=at + dt.timedelta(minutes=20))
    services.decide(reviewer, case, approved=True, opinion="准予", at=at + dt.timedelta(hours=2))
    return case


def test_a_certificate_issued_today_after_a_2024_one_with_the_same_serial(signed_in, demo_user, licence,
                                                                           hall_window):
    old = _decided(demo_user, licence, hall_window, local(2024, 11, 4, 9))
    first = services.issue(demo_user("clerk"), old, at=local(2024, 11, 5, 9))[0]
    assert first.number.endswith("20240000001")
    today = timezone.localtime()
    case = _decided(demo_user, licence, hall_window, today - dt.timedelta(hours=3))
    case.refresh_from_db()
    response = signed_in("clerk").post(reverse("cases_console:step", args=[case.number, "issue"]),
                                       {"version": case.version, "copies": 1})
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Certificate.objects.get(case=case)
    assert new.number.endswith(f"{today:%Y}0000001")           # the serial restarts each year …
    assert new.e_certificate_id != first.e_certificate_id      # … the identifier never repeats
    assert identifiers.check_e_certificate_id(new.e_certificate_id)
    assert f".{today:%Y}0000001." in new.e_certificate_id
    case.refresh_from_db()
    assert case.state == Case.State.ISSUED


def test_identifiers_carry_the_year_so_no_two_years_meet():
    a = identifiers.e_certificate_id("110101", "11510000MB0000000X", 1, year=2024)
    b = identifiers.e_certificate_id("110101", "11510000MB0000000X", 1, year=2026)
    assert a != b and identifiers.check_e_certificate_id(a) and identifiers.check_e_certificate_id(b)
    with pytest.raises(ValueError):
        identifiers.e_certificate_id("110101", "11510000MB0000000X", 1)   # no year: refused, never guessed
