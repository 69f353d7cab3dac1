"""接入平台 as a table (core.tables): searched and exported without secrets."""

import pytest

from core.tests.tables_check import export_rows, header, page_rows

pytestmark = pytest.mark.django_db


def test_parties_search_and_export(signed_in):
    client = signed_in("admin")
    url = "/console/identity/"
    for name in ("成都市政务服务网", "绵阳市政务服务网"):
        response = client.post(
            "/console/identity/new/",
            {
                "name": name,
                "redirect_uris": "https://example.org/cb",
                "scopes": ["openid", "profile"],
                "required_level": "1",
            },
        )
        assert response.status_code == 200, response.content.decode()[:500]
    rows = page_rows(client.get(url, {"q": "成都"}))
    assert [r[0] for r in rows] == ["成都市政务服务网"]
    response = client.get(url, {"q": "成都", "export": "xlsx"})
    assert "操作" not in header(client.get(url, {"q": "成都", "export": "xlsx"}))
    exported = export_rows(response)
    assert [r[0] for r in exported] == ["成都市政务服务网"] and exported[0][1] == rows[0][1]
