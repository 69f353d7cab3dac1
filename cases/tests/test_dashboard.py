"""The statistics dashboard and its Excel export: figures from cases.stats."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Person
from cases import services, stats
from cases.models import Channel
from core.models import Region

from .conftest import local

URL = reverse("cases_console:stats")
EXPORT = reverse("cases_console:stats_export")


def figure(body, name):
    match = re.search(
        rf'id="figure-{name}"><span class="figure-label">[^<]*</span><span class="figure-value">(\d+)<', body
    )
    return int(match.group(1))


def receive(demo_user, matter, window, at=None):
    return services.receive(
        demo_user("clerk"),
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=window,
        applicant_person=Person.objects.get(user__username="citizen"),
        at=at,
    )


@pytest.mark.parametrize(
    "username, status",
    [("manager", 200), ("editor", 200), ("admin", 200), ("clerk", 200), ("reviewer", 200), ("citizen", 403)],
)
def test_who_sees_the_dashboard(signed_in, username, status):
    client = signed_in(username)
    assert client.get(URL).status_code == status
    assert client.get(EXPORT).status_code == status


def test_figures_move_when_a_case_is_accepted(signed_in, demo_user, licence, hall_window):
    client = signed_in("manager")
    body = client.get(URL, {"period": "week"}).content.decode()
    before = {name: figure(body, name) for name in stats.FIGURES}
    case = receive(demo_user, licence, hall_window)
    services.accept(demo_user("clerk"), case)
    services.record_consultation(
        demo_user("clerk"), asker="李女士", question="材料", answer="已告知", matter=licence, window=hall_window
    )
    body = client.get(URL, {"period": "week"}).content.decode()
    assert figure(body, "acceptances") == before["acceptances"] + 1
    assert figure(body, "consultations") == before["consultations"] + 1
    assert licence.name in body and "窗口" in body
    # Filtered to a channel with no events: zero.
    body = client.get(URL, {"period": "week", "channel": "online"}).content.decode()
    assert figure(body, "acceptances") == 0


def test_custom_period_demo_week_handling_and_chart(signed_in, demo_user, licence, hall_window):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = receive(demo_user, licence, hall_window, at=local(2024, 11, 5, 9))
    services.accept(clerk, case, at=local(2024, 11, 5, 10))
    services.transfer(clerk, case, to_department=licence.department, at=local(2024, 11, 5, 11))
    services.decide(reviewer, case, approved=True, opinion="准予", at=local(2024, 11, 6, 15))
    services.issue(clerk, case, copies=3, at=local(2024, 11, 7, 9))
    client = signed_in("manager")
    body = client.get(URL).content.decode()
    assert "start=2024-11-04&amp;end=2024-11-08" in body  # the demo week link
    assert "vendor/chartjs/chart.umd.js" in body and 'id="daily-data"' in body
    body = client.get(URL, {"start": "2024-11-04", "end": "2024-11-08"}).content.decode()
    assert "2024-11-04 至 2024-11-08" in body
    assert figure(body, "acceptances") == 1 and figure(body, "certificates") == 3 and figure(body, "transfers") == 2
    filtered = client.get(
        URL, {"start": "2024-11-04", "end": "2024-11-08", "department": licence.department.pk}
    ).content.decode()
    assert figure(filtered, "acceptances") == 1 and f"部门：{licence.department.name}" in filtered
    assert 'id="handling-concluded">1<' in body and "100.0%" in body and "1.0 个工作日" in body
    assert "11-05" in body and "11-08" in body  # every day of the period on the chart
    body = client.get(URL, {"start": "2024-11-08", "end": "2024-11-04"}).content.decode()
    assert "截止日期不能早于起始日期" in body


def test_excel_export_holds_the_figures(signed_in, demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    case = receive(demo_user, licence, hall_window, at=local(2024, 11, 4, 9))
    services.accept(clerk, case, at=local(2024, 11, 4, 10))
    services.record_consultation(
        clerk, asker="张先生", question="q", answer="a", matter=licence, window=hall_window, at=local(2024, 11, 6, 9)
    )
    response = signed_in("manager").get(EXPORT, {"start": "2024-11-04", "end": "2024-11-08"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["概况", "每日", "按部门", "按窗口", "按事项", "按渠道"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if row and row[0]}
    assert overview["统计期间"] == "2024-11-04 至 2024-11-08"
    assert overview["受理（件）"] == 1 and overview["咨询（人次）"] == 1 and overview["颁发（件）"] == 0
    matters = list(book["按事项"].iter_rows(values_only=True))
    assert matters[0][0] == "名称" and matters[1][0] == licence.name and matters[1][2] == 1
    days = list(book["每日"].iter_rows(values_only=True))
    assert len(days) == 1 + 5  # header and every day of the period
    windows = {row[0]: row for row in book["按窗口"].iter_rows(values_only=True)}
    assert windows[hall_window.name][1] == 1  # the consultation at A01


def test_year_to_date(signed_in, demo_user, licence, hall_window):
    client = signed_in("manager")
    body = client.get(URL, {"period": "ytd"}).content.decode()
    today = timezone.localdate()
    assert f"{today.year}-01-01 至 {today:%Y-%m-%d}" in body


def test_each_role_sees_its_own_figures_and_the_cases_behind_them(
    signed_in, demo_user, licence, hall_window, county_licence
):
    from hall.models import Window

    clerk = demo_user("clerk")
    other_window = Window.objects.filter(hall=hall_window.hall).exclude(pk=hall_window.pk).first()
    for window in (hall_window, hall_window, other_window):
        case = receive(demo_user, licence, window, at=local(2024, 11, 5, 9))
        services.accept(clerk, case, at=local(2024, 11, 5, 10))
    county_case = services.receive(
        clerk,
        matter=county_licence,
        situation=county_licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510104"),
        window=other_window,
        at=local(2024, 11, 5, 9),
        applicant_person=Person.objects.get(user__username="citizen"),
    )
    services.accept(clerk, county_case, at=local(2024, 11, 5, 10))
    services.transfer(clerk, county_case, to_department=county_case.holder, at=local(2024, 11, 5, 11))
    week = {"start": "2024-11-04", "end": "2024-11-08"}
    # The manager: everything.
    body = signed_in("manager").get(URL, week).content.decode()
    assert figure(body, "acceptances") == 4
    # A clerk: one window of their hall at a time (the one chosen, else the first).
    client = signed_in("clerk")
    body = client.get(URL, {**week, "window": hall_window.pk}).content.decode()
    assert figure(body, "acceptances") == 2 and f"窗口：{hall_window}" in body
    body = client.get(URL, {**week, "window": other_window.pk}).content.decode()
    assert figure(body, "acceptances") == 2
    cases = client.get(
        reverse("cases_console:stats_cases", args=["acceptances"]), {**week, "window": hall_window.pk}
    ).content.decode()
    assert 'id="drill-count">2<' in cases and "受理（件）明细" in cases
    # The Jinjiang reviewer: their own bureau's figures only (its case, accepted for it and sent to it).
    body = signed_in("reviewer_jinjiang").get(URL, week).content.decode()
    assert figure(body, "acceptances") == 1 and figure(body, "transfers") == 1
    cases = (
        signed_in("reviewer_jinjiang")
        .get(reverse("cases_console:stats_cases", args=["transfers"]), week)
        .content.decode()
    )
    assert county_case.number in cases and 'id="drill-count">1<' in cases
    assert signed_in("manager").get(reverse("cases_console:stats_cases", args=["nonsense"])).status_code == 404


def test_year_to_date_is_of_the_period_asked(signed_in, demo_user, licence, hall_window):
    case = receive(demo_user, licence, hall_window, at=local(2024, 3, 5, 9))
    services.accept(demo_user("clerk"), case, at=local(2024, 3, 5, 10))
    client = signed_in("manager")
    body = client.get(URL, {"start": "2024-11-04", "end": "2024-11-08"}).content.decode()
    assert "period=ytd&amp;on=2024-11-08" in body
    assert "今年以来（2024-01-01 至 2024-11-08）" in body and 'id="year-acceptances">1<' in body
    body = client.get(URL, {"period": "ytd", "on": "2024-11-08"}).content.decode()
    assert "2024-01-01 至 2024-11-08" in body and figure(body, "acceptances") == 1


def test_every_way_to_ask_for_figures_shows_that_counting_is_under_way(signed_in):
    """A long period is never a blank page: the period buttons and the filter
    form load the figures in place (htmx) and name the 正在统计 notice, which
    htmx shows while the request runs."""
    body = signed_in("manager").get(URL, {"period": "ytd"}).content.decode()
    notice = re.search(r'<p id="stats-loading" class="htmx-indicator" role="status"[^>]*>([^<]+)</p>', body)
    assert notice and "正在统计" in notice.group(1)
    asking = re.findall(r"<(?:a|form)[^>]* hx-get=", body)
    assert len(asking) >= 4  # 本周, 今年以来, 示例周, the filter form
    for tag in re.findall(r"<(?:p|form)[^>]*hx-target=\"#stats-body\"[^>]*>", body):
        assert 'hx-indicator="#stats-loading"' in tag
