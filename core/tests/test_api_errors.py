"""The API's one error format and its documentation (tongban/api.py, core/api_errors.py)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due-date"
BEYOND = timezone.localdate().year + 2  # next year is registered (provisional at least); the one after is not


def _error_shape(body):
    assert set(body) == {"code", "message", "errors"}
    assert isinstance(body["errors"], dict)
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body["message"]


def test_due_date_answers_by_working_days(client):
    response = client.get(DUE, {"start": "2024-09-27", "days": 5})
    assert response.status_code == 200
    assert response.json() == {"start": "2024-09-27", "days": 5, "due": "2024-10-10"}


@pytest.mark.parametrize("start", ["2024-13-01", "not-a-date", "2024/09/27"])
def test_a_bad_start_date_names_the_field_in_chinese(client, start):
    response = client.get(DUE, {"start": start, "days": 5})
    assert response.status_code == 422
    body = response.json()
    _error_shape(body)
    assert body["code"] == "invalid"
    assert "起始日期" in body["message"]
    assert list(body["errors"]) == ["start"]
    assert body["errors"]["start"] and all("起始日期" in m for m in body["errors"]["start"])


def test_a_missing_start_date_is_required(client):
    body = client.get(DUE, {"days": 5}).json()
    assert body["code"] == "invalid"
    assert body["errors"]["start"] == ["起始日期为必填项"]


@pytest.mark.parametrize(
    "days, rule", [("-1", "工作日数不能小于0"), ("3651", "工作日数不能大于3650"), ("五", "工作日数应为整数")]
)
def test_a_bad_day_count_names_the_rule(client, days, rule):
    response = client.get(DUE, {"start": "2024-09-27", "days": days})
    assert response.status_code == 422
    assert response.json()["errors"]["days"] == [rule]


def test_a_date_beyond_next_year_is_calendar_not_available(client):
    response = client.get(DUE, {"start": f"{BEYOND}-01-04", "days": 5})
    assert response.status_code == 422
    body = response.json()
    _error_shape(body)
    assert body["code"] == "calendar_not_available"
    assert f"{BEYOND}年的节假日安排尚未录入工作日历" in body["message"]
    assert body["errors"] == {"start": [f"{BEYOND}年不在工作日历范围内"]}


def test_a_count_running_beyond_next_year_names_the_day_count(client):
    body = client.get(DUE, {"start": f"{BEYOND - 1}-12-28", "days": 10}).json()
    assert body["code"] == "calendar_not_available"
    assert body["errors"] == {"days": [f"{BEYOND}年不在工作日历范围内"]}


def test_a_count_into_next_year_is_answered_by_its_provisional_calendar(client):
    response = client.get(DUE, {"start": f"{BEYOND - 2}-12-28", "days": 10})
    assert response.status_code == 200
    assert response.json()["due"].startswith(f"{BEYOND - 1}-01-")


def test_me_without_authentication_is_401_in_the_same_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    _error_shape(body)
    assert body["code"] == "unauthenticated"
    assert body["errors"] == {}


def test_me_with_a_bad_token_is_401(client):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_unknown_region_is_404_in_the_same_shape(client):
    response = client.get("/api/v1/regions/519999")
    assert response.status_code == 404
    body = response.json()
    _error_shape(body)
    assert body["code"] == "not_found"


def test_openapi_schema_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "通办 API"
    for path in [
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/departments",
        "/api/v1/calendar/due-date",
        "/api/v1/me",
        "/api/v1/auth/token",
    ]:
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/calendar/due-date"]["get"]["parameters"]}
    assert params == {"start", "days"}


def test_docs_page_uses_only_local_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "/api/v1/openapi.json" in page
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert scripts, page
    for url in assets:
        assert url.startswith("/static/"), url
        # and the file is there to be served
        assert finders.find(url.removeprefix("/static/")), url
    for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "googleapis.com", "http://", "https://"):
        assert host not in page


def test_regions_api_lists_sichuan(client):
    cities = client.get("/api/v1/regions", {"level": "city"}).json()
    assert len(cities) == 21
    chengdu = client.get("/api/v1/regions", {"parent": "510100"}).json()
    assert {r["parent"] for r in chengdu} == {"510100"}
    assert any(r["name"] == "锦江区" for r in chengdu)
