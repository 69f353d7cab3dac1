"""The demo year through the daily summary: the rebuild check finds no
difference over the whole year, and the bulletin's figures read exactly the
same through the dashboard, the statistics API and the bulletin. Uses the
session's demo year (root conftest `demo_year`), so it runs last."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import demo, stats

WEEK = {"start": "2024-11-04", "end": "2024-11-08"}
YEAR_TO_DATE = {"start": "2024-01-01", "end": "2024-11-08"}


@pytest.fixture
def year(demo_year, db):
    return demo_year


def _figures(body):
    return {
        name: int(re.search(rf'id="figure-{name}">.*?<span class="figure-value">(\d+)<', body).group(1))
        for name in stats.FIGURES
    }


def test_the_summary_is_the_events_over_the_whole_year(year, capsys):
    call_command("case_summary", "--start", "2024-01-01", "--end", "2024-12-31")
    assert "共 0 处差异" in capsys.readouterr().out


def test_the_figures_through_the_page_the_api_and_the_bulletin(year, signed_in, demo_user):
    client = signed_in("manager")
    assert (
        _figures(client.get(reverse("cases_console:stats"), WEEK).content.decode())
        == demo.WEEK
        == {"consultations": 1635, "acceptances": 879, "certificates": 1077, "transfers": 2909}
    )
    page = client.get(reverse("cases_console:stats"), YEAR_TO_DATE).content.decode()
    assert (
        _figures(page)
        == demo.YEAR_TO_DATE
        == {"consultations": 70371, "acceptances": 29107, "certificates": 148786, "transfers": 327744}
    )
    got = client.get("/api/v1/stats/figures", WEEK).json()
    assert got["figures"] == demo.WEEK and got["year_figures"] == demo.YEAR_TO_DATE
    assert (
        client.get("/api/v1/stats/figures", {"period": "ytd", "on": "2024-11-08"}).json()["figures"]
        == demo.YEAR_TO_DATE
    )
    from bulletin import services as bulletin

    draft = bulletin.build_draft(demo_user("editor"), week_start=dt.date(2024, 11, 4))
    text = bulletin.render_text(draft.blocks.get(source="windows"))
    assert text.startswith(
        "本周，共计咨询1635人次、受理879件、颁发1077件、流转2909件次。"
        "今年以来，累计咨询70371人次、受理29107件、颁发148786件、流转327744件次。"
    )
    # Certificates are counted under the departments that issue them, not all under the centre.
    by_department = stats.breakdown(stats.Period(dt.date(2024, 1, 1), dt.date(2024, 11, 8)), "department")
    top = max(by_department, key=lambda row: row["certificates"])
    assert top["certificates"] < demo.YEAR_TO_DATE["certificates"] / 2
    assert sum(row["certificates"] for row in by_department) == demo.YEAR_TO_DATE["certificates"]
