"""The JSON API as other systems and browsers call it: through a real HTTP
server, CSRF enforced (Django's test client skips the CSRF check, which is
how a token caller's writes came to be refused unnoticed; issue 10, finding 8).

- a bearer token needs no CSRF token, and its writes go through;
- a browser session's write without the CSRF token is refused in the API's
  error format; with it, it goes through.

Every write route of the API is tried (taken from the API itself, so a new
route cannot be missed); a case is carried from 受理 to 好差评 with a token,
and another with a session, so each case step is seen to succeed."""

import json
import re
import secrets
import urllib.error
import urllib.request

import pytest
from django.test import Client, override_settings

from accounts.models import Person, User
from accounts.services import issue_token
from cases import services as case_services
from cases.models import Case, Channel
from cases.tests.conftest import _matter
from core.models import Region
from hall.models import Window
from tongban.api import api

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module", autouse=True)
def fast_password_hashing():
    """The live server's database is emptied and the demo accounts re-created
    for each test; a fast hasher spares seconds of Argon2 (not under test)."""
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]
    ):
        yield


class Caller:
    """One HTTP client of the live server: a token, or a session cookie with
    or without the CSRF token a page would send."""

    def __init__(self, base, *, token=None, session=None, csrf=False):
        self.base, self.headers = base, {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        cookies = []
        if session:
            cookies.append(f"sessionid={session}")
        if csrf:
            secret = secrets.token_hex(16)  # 32 characters, as Django's own
            cookies.append(f"csrftoken={secret}")
            self.headers["X-CSRFToken"] = secret
        if cookies:
            self.headers["Cookie"] = "; ".join(cookies)

    def send(self, method, path, body=None):
        data = json.dumps(body if body is not None else {}).encode() if method in WRITES else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw.decode("utf-8", "replace")


def _session(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def _error_format(body):
    assert isinstance(body, dict) and set(body) == {"code", "message", "errors"}, body
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body


def _write_routes():
    """Every write operation the API serves, with its path parameters filled in."""
    routes = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    if method in WRITES and operation.auth_param is not None:  # auth=None: public
                        filled = re.sub(r"\{(\w+)\}", "1", (prefix + path).replace("//", "/")).lstrip("/")
                        routes.append((method, "/api/v1/" + filled))
    return sorted(set(routes))


def test_every_write_route_is_found():
    routes = _write_routes()
    assert ("POST", "/api/v1/cases/1/issue") in routes
    assert ("PATCH", "/api/v1/enterprises/1/profile") in routes
    assert len(routes) >= 25


def test_every_write_takes_a_token_and_refuses_a_session_without_csrf(live_server):
    """A token reaches every write's own checks (never a CSRF refusal); a
    session without the CSRF token is refused in the API's format; with it,
    it reaches the route's own checks too."""
    base = live_server.url
    token = Caller(base, token=issue_token(User.objects.get(username="admin")))
    session = _session("admin")
    bare = Caller(base, session=session)
    with_csrf = Caller(base, session=session, csrf=True)
    for method, path in _write_routes():
        status, body = token.send(method, path)
        assert status not in (401, 403), (method, path, status, body)
        assert status < 500, (method, path, status, body)
        status, body = bare.send(method, path)
        assert status == 403, (method, path, status, body)
        _error_format(body)
        assert body["code"] == "csrf_failed" and "CSRF" in body["message"]
        status, body = with_csrf.send(method, path)
        assert status not in (401, 403) and status < 500, (method, path, status, body)
    # An anonymous write is told to sign in, not about CSRF.
    status, body = Caller(base).send("POST", "/api/v1/cases/1/accept", {"version": 1})
    assert status == 401 and body["code"] == "unauthenticated"


def _case():
    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])
    return case_services.receive(
        User.objects.get(username="clerk"),
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=Window.objects.get(number="A01"),
        applicant_person=Person.objects.get(user__username="citizen"),
    )


def _walk(case, callers):
    """受理 → 流转 → 作出决定 → 颁发 → 送达 → 好差评, each by whom it falls to."""
    number, version = case.number, case.version

    def step(who, name, body):
        nonlocal version
        status, reply = callers[who].send("POST", f"/api/v1/cases/{number}/{name}", {"version": version, **body})
        assert status == 200, (name, status, reply)
        version = reply["version"]
        return reply

    step("clerk", "accept", {})
    step("clerk", "transfer", {"to_department": case.matter.department_id})
    step("reviewer", "decide", {"approved": True, "opinion": "准予许可"})
    issued = step("clerk", "issue", {"copies": 1})
    assert issued["state"] == "issued" or issued["certificates"], issued
    step("clerk", "hand-over", {"method": "window"})
    step("citizen", "evaluation", {"score": 5, "comment": "满意"})
    return Case.objects.get(number=number)


def test_a_case_is_carried_through_with_tokens(live_server):
    callers = {
        who: Caller(live_server.url, token=issue_token(User.objects.get(username=who)))
        for who in ("clerk", "reviewer", "citizen")
    }
    case = _walk(_case(), callers)
    assert case.certificates.count() == 1 and case.evaluation.score == 5


def test_a_case_is_carried_through_by_browser_sessions_with_csrf(live_server):
    callers = {
        who: Caller(live_server.url, session=_session(who), csrf=True) for who in ("clerk", "reviewer", "citizen")
    }
    case = _walk(_case(), callers)
    assert case.certificates.count() == 1
    # Without the CSRF token the same session changes nothing.
    status, body = Caller(live_server.url, session=_session("clerk")).send(
        "POST", f"/api/v1/cases/{case.number}/accept", {"version": case.version}
    )
    assert status == 403 and body["code"] == "csrf_failed"
