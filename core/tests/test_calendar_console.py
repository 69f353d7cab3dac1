"""The working-day calendar in the console: a system administrator registers a
new year and its holidays; others may look but not change it."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEntry, CalendarDay, CalendarYear
from core.workdays import CalendarNotAvailable, add_working_days, working_days_between

pytestmark = pytest.mark.django_db

D = dt.date


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    return client


@pytest.fixture
def without_2027():
    """2027 as if never registered (the loader registers it provisionally
    while the package lacks it): a year an administrator adds anew."""
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()


def test_sysadmin_registers_2027_and_its_holidays_are_honoured(admin_client, without_2027):
    with pytest.raises(CalendarNotAvailable):
        add_working_days(D(2027, 1, 4), 1)

    response = admin_client.post("/console/calendar/add/", {"year": "2027", "source": "国办发明电〔2026〕X号"})
    assert response.status_code == 302
    assert response["Location"] == "/console/calendar/2027/"
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕X号"

    # Registered with no holidays yet: plain Monday to Friday.
    assert add_working_days(D(2027, 1, 4), 1) == D(2027, 1, 5)  # this also fills the 60-second cache

    for date, kind, name in [
        ("2027-01-01", "holiday", "元旦"),
        ("2027-01-05", "holiday", "测试假日"),
        ("2027-01-09", "workday", "调休"),
    ]:
        admin_client.post("/console/calendar/2027/", {"date": date, "kind": kind, "name": name})
    assert CalendarDay.objects.filter(date__year=2027).count() == 3

    # Honoured at once, not after the cache expires.
    assert add_working_days(D(2027, 1, 4), 1) == D(2027, 1, 6)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert working_days_between(D(2027, 1, 8), D(2027, 1, 11)) == 2  # make-up Saturday 9th and Monday 11th

    page = admin_client.get("/console/calendar/2027/").content.decode()
    assert "测试假日" in page and "国办发明电〔2026〕X号" in page

    # Removing the day restores it as a working day, at once.
    admin_client.post("/console/calendar/2027/", {"date": "2027-01-05", "remove": "1"})
    assert add_working_days(D(2027, 1, 4), 1) == D(2027, 1, 5)


def test_the_api_counts_in_2027_once_registered(admin_client, client, without_2027):
    admin_client.post("/console/calendar/add/", {"year": "2027", "source": "测试"})
    admin_client.post("/console/calendar/2027/", {"date": "2027-02-08", "kind": "holiday", "name": "春节"})
    response = admin_client.get("/api/v1/calendar/due-date", {"start": "2027-02-05", "days": 1})
    assert response.status_code == 200
    assert response.json()["due"] == "2027-02-09"


def test_calendar_pages_offer_the_form_to_the_sysadmin_only(client, demo_user):
    client.force_login(demo_user("admin"))
    page = client.get("/console/calendar/").content.decode()
    assert "登记年度" in page
    assert 'value="2027"' in page  # the next year to register

    client.force_login(demo_user("clerk"))
    response = client.get("/console/calendar/")
    assert response.status_code == 200
    assert "2026年" in response.content.decode()
    assert "登记年度" not in response.content.decode()


def test_clerk_cannot_add_a_year(client, demo_user, without_2027):
    client.force_login(demo_user("clerk"))
    response = client.post("/console/calendar/add/", {"year": "2027", "source": "窗口人员"})
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_clerk_cannot_add_or_remove_a_day(client, demo_user):
    client.force_login(demo_user("clerk"))
    response = client.post("/console/calendar/2026/", {"date": "2026-03-02", "kind": "holiday", "name": "自己放假"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date="2026-03-02").exists()

    response = client.post("/console/calendar/2026/", {"date": "2026-10-01", "remove": "1"})
    assert response.status_code == 403
    assert CalendarDay.objects.filter(date="2026-10-01").exists()


def test_a_citizen_cannot_reach_the_calendar_console(client, demo_user, without_2027):
    client.force_login(demo_user("citizen"))
    assert client.get("/console/calendar/").status_code == 403
    assert client.post("/console/calendar/add/", {"year": "2027", "source": "x"}).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_weekday_make_up_day_is_refused(admin_client):
    assert D(2026, 3, 4).weekday() == 2
    response = admin_client.post("/console/calendar/2026/", {"date": "2026-03-04", "kind": "workday"}, follow=True)
    assert response.status_code == 200
    messages = _messages(response)
    assert any("调休上班日应为周六或周日" in m for m in messages)
    assert not CalendarDay.objects.filter(date="2026-03-04").exists()


def test_a_day_in_an_unregistered_year_is_refused(admin_client):
    response = admin_client.post("/console/calendar/2028/", {"date": "2028-01-03", "kind": "holiday"}, follow=True)
    assert any("请先登记2028年的工作日历年度" in m for m in _messages(response))
    assert not CalendarDay.objects.filter(date="2028-01-03").exists()


def test_a_date_of_another_year_is_refused_on_a_year_page(admin_client):
    response = admin_client.post("/console/calendar/2026/", {"date": "2025-03-04", "kind": "holiday"}, follow=True)
    assert any("不在2026年内" in m for m in _messages(response))
    assert not CalendarDay.objects.filter(date="2025-03-04").exists()


def test_a_bad_date_or_kind_is_refused(admin_client):
    response = admin_client.post("/console/calendar/2026/", {"date": "2026-02-30", "kind": "holiday"}, follow=True)
    assert any("YYYY-MM-DD" in m for m in _messages(response))
    response = admin_client.post("/console/calendar/2026/", {"date": "2026-03-02", "kind": "vacation"}, follow=True)
    assert _messages(response) and not any("已保存" in m for m in _messages(response))
    assert not CalendarDay.objects.filter(date="2026-03-02").exists()


def test_a_registered_year_cannot_be_added_twice(admin_client):
    before = CalendarYear.objects.get(year=2026).source
    response = admin_client.post("/console/calendar/add/", {"year": "2026", "source": "另一份"}, follow=True)
    assert any("2026年已在工作日历中" in m for m in _messages(response))
    assert CalendarYear.objects.get(year=2026).source == before


@pytest.mark.parametrize("year", ["0", "20277", "abc", ""])
def test_an_implausible_year_is_refused(admin_client, year):
    count = CalendarYear.objects.count()
    response = admin_client.post("/console/calendar/add/", {"year": year, "source": "手误"}, follow=True)
    assert response.redirect_chain[-1][0] == "/console/calendar/"
    assert _messages(response)
    assert CalendarYear.objects.count() == count


def test_a_year_needs_a_source(admin_client, without_2027):
    response = admin_client.post("/console/calendar/add/", {"year": "2027", "source": ""}, follow=True)
    assert _messages(response)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_changing_a_day_replaces_what_it_was(admin_client):
    admin_client.post("/console/calendar/2026/", {"date": "2026-10-10", "kind": "holiday", "name": "改为休息"})
    day = CalendarDay.objects.get(date="2026-10-10")
    assert (day.kind, day.name) == ("holiday", "改为休息")
    assert CalendarDay.objects.filter(date="2026-10-10").count() == 1


def test_a_provisional_year_is_flagged_and_the_notice_makes_it_official(client, demo_user):
    year = timezone.localdate().year + 1
    assert CalendarYear.objects.get(year=year).provisional
    warning = f"{year}年节假日安排为暂定（未含调休）"
    client.force_login(demo_user("clerk"))
    assert warning not in client.get("/console/").content.decode()  # a clerk cannot act on it
    client.force_login(demo_user("admin"))
    admin_client = client
    assert warning in admin_client.get("/console/").content.decode()
    assert warning in admin_client.get("/console/calendar/").content.decode()
    page = admin_client.get(f"/console/calendar/{year}/").content.decode()
    assert warning in page and "按通知转为正式" in page and "春节" in page

    response = admin_client.post(
        "/console/calendar/add/", {"year": str(year), "source": "国办发明电〔2026〕X号"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/console/calendar/{year}/"
    assert any(f"{year}年已按通知转为正式" in m for m in _messages(response))
    entry = CalendarYear.objects.get(year=year)
    assert not entry.provisional and entry.source == "国办发明电〔2026〕X号"
    assert CalendarDay.objects.filter(date=dt.date(year, 1, 1), kind="holiday").exists()  # the statutory days stay
    assert warning not in admin_client.get("/console/").content.decode()
    change = AuditEntry.objects.filter(object_type="core.CalendarYear", object_id=str(year)).latest("seq")
    assert change.action == "update" and change.actor_id == demo_user("admin").pk
    assert change.before and change.after
    assert change.before["provisional"] is True and change.after["provisional"] is False

    # Once official, registering it again is refused as before.
    response = admin_client.post("/console/calendar/add/", {"year": str(year), "source": "另一份"}, follow=True)
    assert any(f"{year}年已在工作日历中" in m for m in _messages(response))
