"""The statistics API (/api/v1/stats/...): the dashboard's figures, reach and errors."""

import pytest

from cases import services

from .conftest import local, receive_at_window

WEEK = {"start": "2024-11-04", "end": "2024-11-08"}


@pytest.fixture
def week_cases(demo_user, licence, hall_window):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = receive_at_window(clerk, licence, hall_window, at=local(2024, 11, 5, 9))
    services.accept(clerk, case, at=local(2024, 11, 5, 10))
    services.transfer(clerk, case, to_department=licence.department, at=local(2024, 11, 5, 11))
    services.decide(reviewer, case, approved=True, opinion="准予", at=local(2024, 11, 6, 15))
    services.issue(clerk, case, copies=2, at=local(2024, 11, 7, 9))
    services.record_consultation(
        clerk,
        asker="李女士",
        question="材料",
        answer="已告知",
        matter=licence,
        window=hall_window,
        at=local(2024, 3, 5, 9),
    )
    return case


def test_figures_breakdowns_and_cases_behind_them(signed_in, week_cases, licence):
    client = signed_in("manager")
    got = client.get("/api/v1/stats/figures", WEEK).json()
    assert got["figures"] == {"consultations": 0, "acceptances": 1, "certificates": 2, "transfers": 2}
    assert got["year"]["label"] == "2024-01-01 至 2024-11-08" and got["year_figures"]["consultations"] == 1
    assert got["handling"]["concluded"] == 1
    rows = client.get("/api/v1/stats/breakdown/department", WEEK).json()["rows"]
    assert {r["name"]: r["certificates"] for r in rows}[licence.department.name] == 2
    assert client.get("/api/v1/stats/breakdown/region", WEEK).json()["rows"][0]["key"] == "510000"
    days = client.get("/api/v1/stats/daily", WEEK).json()["days"]
    assert [d["day"] for d in days] == ["2024-11-05", "2024-11-06", "2024-11-07"]
    behind = client.get("/api/v1/stats/cases/certificates", WEEK).json()
    assert behind["count"] == 2 and {i["case"] for i in behind["items"]} == {week_cases.number}
    # 本周 of a day asked, not of today
    assert (
        client.get("/api/v1/stats/figures", {"on": "2024-11-06"}).json()["period"]["label"]
        == "2024-11-04 至 2024-11-08"
    )


def test_reach_and_errors(signed_in, week_cases, hall_window):
    from core.models import Department
    from hall.models import Hall, Window

    clerk = signed_in("clerk")
    got = clerk.get("/api/v1/stats/figures", {**WEEK, "window": hall_window.pk}).json()
    assert got["figures"]["acceptances"] == 1 and got["filters"]["window"] == hall_window.pk
    city = Department.objects.filter(region_id="510100").first()
    hall = Hall.objects.create(name="成都市政务服务大厅", region_id="510100", department=city)
    elsewhere = Window.objects.create(hall=hall, number="B01", name="综合窗口", kind=Window.Kind.COMPREHENSIVE)
    refused = clerk.get("/api/v1/stats/figures", {**WEEK, "window": elsewhere.pk})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad = clerk.get("/api/v1/stats/figures", {"start": "2024-11-08", "end": "2024-11-04"})
    assert bad.status_code == 422 and bad.json()["errors"] == {"end": ["截止日期不能早于起始日期"]}
    bad = clerk.get("/api/v1/stats/figures", {"start": "11月4日"})
    assert bad.status_code == 422 and "日期" in bad.json()["message"]
    assert clerk.get("/api/v1/stats/cases/nonsense", WEEK).status_code == 422
    citizen = signed_in("citizen").get("/api/v1/stats/figures")
    assert citizen.status_code == 403 and citizen.json()["message"].startswith("无权查看统计")
    client = signed_in("manager")
    client.logout()
    assert client.get("/api/v1/stats/figures").status_code == 401


def test_case_list_and_detail_need_no_query_per_row(signed_in, week_cases, django_assert_max_num_queries):
    client = signed_in("clerk")
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/cases").json()["count"] == 1
    with django_assert_max_num_queries(9):
        got = client.get(f"/api/v1/cases/{week_cases.number}").json()
    assert len(got["events"]) == 7 and got["events"][2]["department"] and len(got["certificates"]) == 2


def test_a_filter_no_record_can_match_counts_nothing(signed_in, week_cases):
    """A matter number beyond any id (PostgreSQL's planner proves the filter empty
    before grouping) answers zeros, as an unknown matter does, not a server error."""
    client = signed_in("manager")
    for matter in ("769469639479736139776", "999999"):
        got = client.get("/api/v1/stats/figures", {**WEEK, "matter": matter})
        assert got.status_code == 200, got.content
        assert got.json()["figures"] == {"consultations": 0, "acceptances": 0, "certificates": 0, "transfers": 0}
        assert client.get("/api/v1/stats/daily", {**WEEK, "matter": matter}).json()["days"] == []
