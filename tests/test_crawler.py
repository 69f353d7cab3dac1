"""The crawler (issue 10, "Why they escaped"): as anonymous and as every demo
role, follow every link reachable from the portal and the console (at most
PER_ROUTE URLs per URL pattern), and submit every form once empty and once
with hostile input (very long strings, markup and script, wrong types,
numbers out of range, other people's ids, stale versions), with DEBUG off,
on today's date, over a small seeded database (not the demo year).

It passes with 0 responses >= 500, no English or debug page, every refusal a
Chinese page or the API's error format, and no submitted script echoed
unescaped. Each role also tries the pages the other roles found (others'
cases, organisations, profiles...), which must be refused in Chinese or shown."""

import datetime as dt
import json
import re
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.demo import logins
from accounts.models import Person, User

pytestmark = pytest.mark.django_db

PER_ROUTE = 3
MAX_REQUESTS = 260  # per role, a safety net; the bound per pattern keeps it well below
SEEDS = [
    "/",
    "/accounts/home/",
    "/console/",
    "/matters/",
    "/cases/mine/",
    "/cases/verify/",
    "/policies/",
    "/policies/search/?q=奖励",
    "/matching/",
    "/matching/publicity/",
    "/accounts/me/",
]
# Not crawled: the Django admin (a library's pages), static files, the API's
# interactive docs (a library's page), signing out (it would end the crawl).
SKIP = re.compile(r"^/(admin/|static/|media/|api/v1/docs|accounts/logout/)")
SCRIPT = "<script>alert('通办')</script>"
LONG = SCRIPT + "长" * 5000 + "'; DROP TABLE cases_case; --"
DEBUG_MARKERS = (
    "Traceback",
    "Exception Value",
    "Page not found",
    "Server Error",
    "Forbidden (403)",
    "CSRF verification failed",
    "Bad Request (400)",
    "Request Method:",
    "DEBUG = True",
    "This field is required",
    "Enter a valid",
    "Select a valid choice",
    "Ensure this value",
)
TIMES = {}
HAN = re.compile(r"[\u4e00-\u9fff]")


class Page(HTMLParser):
    """The links and forms of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get") and tag != "form":
            self.links.append(a["hx-get"])
        if tag == "form":
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            self._form = {
                "action": a.get("hx-post") or a.get("hx-get") or a.get("action") or "",
                "method": method,
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            field = {
                "name": a["name"],
                "tag": tag,
                "type": (a.get("type") or "text").lower(),
                "value": a.get("value") or "",
                "options": [],
            }
            self._form["fields"].append(field)
            if tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _hostile(field):
    name, kind, value = field["name"], field["type"], field["value"]
    if name == "version" or name.endswith("_version"):
        return str(int(value) - 1) if value.lstrip("-").isdigit() else "abc"  # a stale version
    if kind == "hidden":
        return "1" if value.isdigit() else LONG  # another's id
    if kind == "number":
        return "99999999999999999999999"
    if kind == "date":
        return "2026-02-30"
    if kind in ("checkbox", "radio"):
        return "<b>on</b>"
    if kind == "email":
        return "x@" + SCRIPT
    if field["tag"] == "select":
        return "999999999"
    return LONG


def _route(path):
    try:
        return resolve(path).route
    except Resolver404:
        return None


class Crawler:
    def __init__(self, client, role, seeds):
        self.client, self.role = client, role
        self.seen, self.per_route, self.forms_done = set(), Counter(), set()
        self.found_urls, self.problems, self.requests = [], [], 0
        self.queue = deque(seeds)

    def _problem(self, method, url, status, why):
        self.problems.append(f"{self.role}: {method} {url} → {status}: {why}")

    def _check(self, method, url, response, *, sent_script=False):
        status = response.status_code
        kind = response.get("Content-Type", "")
        if status >= 500:
            self._problem(method, url, status, getattr(response, "crawler_error", "server error"))
            return None
        if "json" in kind:
            if status >= 400:
                body = json.loads(response.content)
                if not (isinstance(body, dict) and {"code", "message"} <= set(body) and HAN.search(body["message"])):
                    self._problem(method, url, status, f"API error not in the platform's format: {body}")
            return None
        if "html" not in kind:
            return None
        text = response.content.decode("utf-8", "replace")
        markers = [m for m in DEBUG_MARKERS if m in text]
        if markers:
            self._problem(method, url, status, f"English or debug page ({', '.join(markers)})")
        if status >= 400 and not HAN.search(text):
            self._problem(method, url, status, "refusal without a Chinese message")
        if sent_script and SCRIPT in text:
            self._problem(method, url, status, "submitted script shown unescaped")
        return text

    def _get(self, url):
        self.requests += 1
        started = time.perf_counter()
        response = self.client.get(url)
        TIMES[f"{self.role} GET {url}"] = time.perf_counter() - started
        text = self._check("GET", url, response)
        if response.status_code in (301, 302, 303) and response.get("Location", "").startswith("/"):
            self._enqueue(response["Location"])
        return text

    def _enqueue(self, href, base="/"):
        url = urljoin(base, href.split("#")[0])
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            return
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url and not SKIP.match(parts.path) and url not in self.seen:
            self.queue.append(url)

    def crawl(self):
        while self.queue and self.requests < MAX_REQUESTS:
            url = self.queue.popleft()
            route = _route(urlsplit(url).path)
            if url in self.seen or route is None or self.per_route[route] >= PER_ROUTE:
                continue
            self.seen.add(url)
            self.per_route[route] += 1
            text = self._get(url)
            if text is None:
                continue
            self.found_urls.append(url)
            page = Page()
            page.feed(text)
            for href in page.links:
                self._enqueue(href, url)
            for form in page.forms:
                self._submit(url, form)
        return self

    def _submit(self, page_url, form):
        action = urljoin(page_url, form["action"] or page_url)
        path = urlsplit(action).path
        route = _route(path)
        key = (form["method"], route)
        if route is None or SKIP.match(path) or key in self.forms_done:
            return
        self.forms_done.add(key)
        fields = [f for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]
        for variant in ("empty", "hostile"):
            data, files = {}, {}
            for f in fields:
                if f["type"] == "file":
                    if variant == "hostile":
                        files[f["name"]] = SimpleUploadedFile("恶意.pdf", SCRIPT.encode(), "application/pdf")
                    continue
                if f["type"] in ("submit", "button", "image", "reset"):
                    continue
                data[f["name"]] = "" if variant == "empty" else _hostile(f)
            self.requests += 1
            started = time.perf_counter()
            if form["method"] == "get":
                url = path + "?" + urlencode(data)
                response = self.client.get(url)
            else:
                url = action
                response = self.client.post(action, {**data, **files})
            TIMES[f"{self.role} {form['method']} {url[:80]} {variant}"] = time.perf_counter() - started
            self._check(form["method"].upper(), url, response, sent_script=variant == "hostile")


@pytest.fixture
def seeded(demo_user):
    """A few cases in several states, a small policy library, profiles and a
    bulletin week, created through the services on today's date."""
    from cases import services as cases
    from cases.models import Channel
    from cases.tests.conftest import _matter
    from core.models import Region
    from hall.models import Window
    from matching import services as matching
    from policies.search import samples

    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])
    window = Window.objects.get(number="A01")
    province = Region.objects.get(code="510000")
    citizen = Person.objects.get(user__username="citizen")

    def new_case():
        return cases.receive(
            clerk,
            matter=matter,
            situation=matter.situations.first(),
            channel=Channel.WINDOW,
            region=province,
            window=window,
            applicant_person=citizen,
        )

    new_case()  # 收件
    accepted = new_case()
    cases.accept(clerk, accepted)
    reviewing = new_case()
    cases.accept(clerk, reviewing)
    cases.transfer(clerk, reviewing, to_department=matter.department)
    issued = new_case()
    cases.accept(clerk, issued)
    cases.transfer(clerk, issued, to_department=matter.department)
    cases.decide(reviewer, issued, approved=True, opinion="准予许可")
    cases.issue(clerk, issued)
    samples.load_samples()
    agent = demo_user("agent")
    org = agent.person.organisations.first() if hasattr(agent, "person") else None
    if org is not None:
        matching.save_profile(
            demo_user("manager"),
            uscc=org.uscc,
            name=org.name,
            values={"region": "510104", "industry": "I6511", "employees": 80, "revenue": "1200"},
        )
    from bulletin import services as bulletin

    bulletin.build_draft(demo_user("editor"), week_start=dt.date(2026, 11, 23))
    from hall import services as hall

    hall.submit_activity(
        clerk, date=dt.date(2026, 12, 2), title="综合窗口开展上门服务", text="为园区企业上门收件。", kind="home_service"
    )
    from policies import consultation

    consultation.open_ticket(agent, "专精特新企业用地有什么支持？")


# Every demo login but the second county reviewer (the same role and reach as the first).
ROLES = [None] + [username for username, *_ in logins() if username != "reviewer_qingyang"]
# Those whose pages the others then try (others' cases, organisations, ...).
FIRST = ["admin", "manager", "clerk", "reviewer", "deptadmin", "editor", "agent", "citizen"]


def test_every_page_and_form_as_every_role(seeded, settings):
    errors = []
    got_request_exception.connect(
        lambda sender, request=None, **kw: errors.append(request.path), weak=False, dispatch_uid="crawler"
    )
    ordered = [r for r in FIRST if r in ROLES] + [r for r in ROLES if r not in FIRST]
    assert not settings.DEBUG
    found, problems, counts, routes = [], [], {}, set()
    try:
        for role in ordered:
            client = Client(raise_request_exception=False)
            if role:
                client.force_login(User.objects.get(username=role))
            crawler = Crawler(client, role or "anonymous", SEEDS + found).crawl()
            found += [u for u in crawler.found_urls if u not in found]
            problems += crawler.problems
            counts[role or "anonymous"] = (crawler.requests, len(crawler.seen), len(crawler.forms_done))
            routes |= set(crawler.per_route) | {r for _, r in crawler.forms_done}
    finally:
        got_request_exception.disconnect(dispatch_uid="crawler")
    print("requests, pages, forms per role:", counts)
    print("slowest:", sorted(TIMES.items(), key=lambda kv: -kv[1])[:10])
    print("routes never reached:", sorted(set(_all_routes()) - routes))
    assert all(c[1] >= 5 for c in counts.values()), counts
    assert not problems, f"{len(problems)} problems (server errors at {sorted(set(errors))}):\n" + "\n".join(
        problems[:60]
    )


def _all_routes():
    from django.urls import get_resolver

    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p, prefix + str(p.pattern))
            else:
                yield (prefix + str(p.pattern)).replace("/^", "/")  # as ResolverMatch.route joins them

    return [r for r in walk(get_resolver()) if not SKIP.match("/" + r) and not r.startswith("api/")]


@pytest.mark.urls("tests.boom_urls")
def test_the_crawler_sees_a_server_error_and_an_english_page():
    """The crawler itself can fail: a route that raises, and one that answers
    in English, are both reported."""
    client = Client(raise_request_exception=False)
    crawler = Crawler(client, "anonymous", ["/boom/", "/english/"]).crawl()
    assert any("/boom/ → 500" in p for p in crawler.problems), crawler.problems
    assert any("/english/ → 400" in p and "Chinese" in p for p in crawler.problems), crawler.problems
