"""Security headers, production settings and rate limits (issue 16)."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "TONGBAN_HTTPS": "1",
    "TONGBAN_DEBUG": "0",
    "TONGBAN_ALLOWED_HOSTS": "zwfw.example.gov.cn",
    "TONGBAN_SECRET_KEY": secrets.token_urlsafe(50),
    "TONGBAN_DATA_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(16)).decode(),
    "TONGBAN_DATA_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    "TONGBAN_VAR_DIR": "/tmp/tongban-check",
}


def _environ(extra):
    # The test run's own switch (conftest) is not part of a deployment.
    return {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **extra}


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/")
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # no form-action: signing in at the identity provider ends at a city's platform (settings)
    assert "form-action" not in policy
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_an_inline_script_or_handler():
    """What the policy forbids, the templates must not need."""
    found = []
    for path in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                found.append(f"{path.relative_to(ROOT)}: inline <script>")
        for match in re.finditer(r"\son[a-z]+=\"", text):
            found.append(f"{path.relative_to(ROOT)}: inline handler {match.group(0).strip()}")
    assert not found, found


def _run(code, env):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_environ(env), capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environ(PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    issues = [line for line in (result.stdout + result.stderr).splitlines() if re.match(r"^\?: \(|^\w.*: \(", line)]
    # The front-end assets are installed by `make` (npm ci); their absence is not a deployment setting.
    issues = [i for i in issues if not ("staticfiles.W004" in i and "node_modules" in i)]
    assert issues == [], result.stdout + result.stderr


def test_production_sends_hsts_and_secure_cookies():
    code = """
import django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'tongban.settings'
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
settings.ALLOWED_HOSTS = ['zwfw.example.gov.cn']
client = Client(HTTP_HOST='zwfw.example.gov.cn')
plain = client.get('/accounts/login/')
print('redirect', plain.status_code, plain.get('Location'))
secure = client.get('/accounts/login/', secure=True)
print('hsts', secure.get('Strict-Transport-Security'))
print('csrf-secure', secure.cookies['csrftoken']['secure'])
print('session-secure', settings.SESSION_COOKIE_SECURE)
"""
    result = _run(code, PRODUCTION)
    out = result.stdout
    assert "redirect 301 https://zwfw.example.gov.cn/accounts/login/" in out, result.stderr[-2000:]
    assert "hsts max-age=31536000; includeSubDomains; preload" in out
    assert "csrf-secure True" in out and "session-secure True" in out


@pytest.fixture
def tight_limits(settings):
    cache.clear()
    # Per hour, not per minute: django-ratelimit counts in fixed windows, and a
    # slow run crossing a minute's edge would start counting afresh mid-test.
    settings.TONGBAN_RATE_LIMITS = {
        **settings.TONGBAN_RATE_LIMITS,
        "verify": "3/h",
        "search": "3/h",
        "ask": "2/h",
        "login": "3/h",
        "suggest": "3/h",
    }
    yield
    cache.clear()


def _chinese_429(response):
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()


@pytest.mark.django_db
def test_public_verification_and_search_are_rate_limited(tight_limits):
    client = Client()
    for _ in range(3):
        assert client.get("/cases/verify/", {"q": "AAAA-BBBB-CCCC-1"}).status_code == 404
    _chinese_429(client.get("/cases/verify/", {"q": "AAAA-BBBB-CCCC-2"}))
    for _ in range(3):
        assert client.get("/policies/search/", {"q": "奖励"}).status_code == 200
    _chinese_429(client.get("/policies/search/", {"q": "补贴"}))
    # The API answers in its error format.
    for _ in range(3):
        assert client.get("/api/v1/policies/suggest", {"q": "高新"}).status_code == 200
    response = client.get("/api/v1/policies/suggest", {"q": "高新"})
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    # Another visitor (another address) is not held back.
    assert Client(REMOTE_ADDR="10.1.2.3").get("/cases/verify/", {"q": "x"}).status_code == 404


@pytest.mark.django_db
def test_login_and_consultation_are_rate_limited(tight_limits):
    client = Client()
    for i in range(3):
        assert client.post("/accounts/login/", {"username": f"nobody{i}", "password": "x"}).status_code == 200
    _chinese_429(client.post("/accounts/login/", {"username": "nobody9", "password": "x"}))
    assert client.get("/accounts/login/").status_code == 200  # reading the page is not limited
    for _ in range(2):
        assert client.post("/policies/ask/", {"question": "稳岗返还怎么申请？"}).status_code < 400
    _chinese_429(client.post("/policies/ask/", {"question": "稳岗返还怎么申请？"}))
