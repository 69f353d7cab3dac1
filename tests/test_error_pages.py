"""Production mode is the default, and every error a person or another
system meets is Chinese and tells nothing of the internals (issue 16)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_debug_is_off_unless_asked():
    env = {k: v for k, v in os.environ.items() if k != "TONGBAN_DEBUG"}
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='tongban.settings';django.setup();"
        "from django.conf import settings;print(settings.DEBUG)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "TONGBAN_DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def _page(response, title):
    text = response.content.decode()
    assert title in text
    assert "Traceback" not in text and "secret internals" not in text and "DEBUG" not in text
    assert "Page not found" not in text and "Server Error" not in text and "Forbidden" not in text


@pytest.mark.django_db
def test_a_missing_page_is_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _page(response, "页面不存在")


@pytest.mark.django_db
@pytest.mark.urls("tests.boom_urls")
def test_a_server_error_is_chinese_without_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    _page(response, "服务暂时不可用")
    response = client.get("/suspicious/")
    assert response.status_code == 400
    _page(response, "请求无法处理")


@pytest.mark.django_db
@pytest.mark.urls("tests.boom_urls")
def test_the_api_answers_errors_in_its_own_format():
    from django.test import RequestFactory

    from tongban.api import api

    response = api.on_exception(
        RequestFactory().get("/api/v1/cases"), RuntimeError("secret internals: /srv/tongban/settings.py")
    )
    assert response.status_code == 500
    body = __import__("json").loads(response.content)
    assert body["code"] == "server_error" and HAN.search(body["message"]) and body["errors"] == {}
    assert "secret" not in response.content.decode()
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and HAN.search(response.json()["message"])


@pytest.mark.django_db
def test_a_form_from_an_expired_page_is_told_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "clerk", "password": "x"})
    assert response.status_code == 403
    _page(response, "页面已过期")
