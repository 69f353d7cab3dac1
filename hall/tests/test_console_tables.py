"""政务工作动态 as a table (core.tables): filtered by kind, sorted by date and
exported as the editor sees it."""

import datetime as dt

import pytest

from core.tests.tables_check import export_rows, page_rows, sort_state
from hall import services

pytestmark = pytest.mark.django_db


def test_activities_filter_sort_and_export(signed_in, demo_user):
    for day, kind, title in [(4, "home_service", "上门一"), (6, "publicity", "宣传一"), (5, "home_service", "上门二")]:
        services.submit_activity(demo_user("clerk"), date=dt.date(2024, 11, day), title=title, text="内容", kind=kind)
    client = signed_in("editor")
    url = "/console/hall/activities/"
    response = client.get(url, {"kind": "home_service", "sort": "-date"})
    assert sort_state(response, "日期") == "descending"
    rows = page_rows(response)
    assert [r[1] for r in rows] == ["上门二", "上门一"] and {r[2] for r in rows} == {"上门服务"}
    exported = export_rows(client.get(url, {"kind": "home_service", "sort": "-date", "export": "xlsx"}))
    assert [r[1] for r in exported] == ["上门二", "上门一"]
    assert [r[0][:10] for r in exported] == ["2024-11-05", "2024-11-04"]
