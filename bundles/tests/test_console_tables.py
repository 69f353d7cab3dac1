"""The 一件事问题清单 as a table (core.tables): filtered by state and bundle,
sorted by deadline and exported as the page lists it."""

import datetime as dt

import pytest

from bundles import services
from bundles.models import Bundle, Problem
from core.tests.tables_check import export_rows, page_rows, sort_state

from .helpers import user

pytestmark = pytest.mark.usefixtures("bundles_demo")


def test_problems_filter_sort_and_export(signed_in):
    bankruptcy, other = Bundle.objects.get(code="bankruptcy"), Bundle.objects.exclude(code="bankruptcy").first()
    today = dt.date.today()
    for i, bundle in enumerate([bankruptcy, bankruptcy, bankruptcy, other]):
        services.report_problem(
            user("manager"),
            bundle,
            title=f"表格问题{i}",
            kind="system",
            owner=bundle.lead,
            deadline=today + dt.timedelta(days=10 - i),
        )
    client = signed_in("manager")
    url = "/console/bundles/problems/"
    response = client.get(url, {"bundle": bankruptcy.pk, "q": "表格问题", "sort": "deadline"})
    assert sort_state(response, "完成时限") == "ascending"
    rows = page_rows(response)
    assert [r[0] for r in rows] == ["表格问题2", "表格问题1", "表格问题0"]
    assert {r[1] for r in rows} == {bankruptcy.name}
    exported = export_rows(
        client.get(url, {"bundle": bankruptcy.pk, "q": "表格问题", "sort": "deadline", "export": "xlsx"})
    )
    assert [r[0] for r in exported] == [r[0] for r in rows] and [r[1] for r in exported] == [r[1] for r in rows]
    handled = page_rows(client.get(url, {"state": Problem.State.HANDLED, "q": "表格问题"}))
    assert handled == []
