"""Role × region × object matrix over every view and API route (issue 16,
"Tests that attack it"), generated from the URL configuration so a new route
cannot be missed: every pattern Django resolves (pages and the API's
operations) is opened by each role, with its path filled from a sample record
of 成都 (city A); the outcome per role is compared with EXPECTED, one row per
route. A route with no row fails the test, listed.

Beside the table, rules that hold whatever the table says: no response 500;
anonymous callers are sent to sign in from the console and told 401 by the
API's signed-in routes; and a region-bound role (a 成都 clerk, a 成都 reviewer)
opens no 绵阳 record by number or id, page or API.

The crawler (tests/test_crawler.py) follows links and submits forms; this
test reaches the routes no link leads to, and checks who may open each."""

import re
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Organisation, Role, User
from accounts.services import issue_token
from core.models import Department
from tests.test_crawler import seeded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# Not opened: the Django admin (a library's pages), signing out (it ends the
# session), the OpenID Connect provider's protocol endpoints (identity's own
# tests), and the API's docs page (a library's page).
SKIP = re.compile(r"^(admin/|accounts/logout/|oidc/|api/v1/docs)")
ROLES = ["anonymous", "citizen", "agent", "clerk_cd", "reviewer_cd", "manager", "editor", "admin"]
# Outcome letters: o 2xx, l sent to sign in, r another redirect, a 401, f 403,
# n 404, e another refusal (400, 405, 409, 422, 428), x 500 (never expected).
OUTCOMES = {200: "o", 201: "o", 204: "o", 401: "a", 403: "f", 404: "n"}


def outcome(response):
    status = response.status_code
    if status in (301, 302, 303):
        return "l" if "/accounts/login/" in response.get("Location", "") else "r"
    if status >= 500:
        return "x"
    return OUTCOMES.get(status, "o" if status < 300 else "e")


def routes():
    """Every URL pattern: (route as written, the pattern objects' converters)."""

    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    seen = []
    for route in walk(get_resolver()):
        if not SKIP.match(route) and route not in seen:
            seen.append(route)
    return seen


@pytest.fixture
def matrix_world(seeded):  # noqa: F811
    """The seeded database, plus region-bound staff of 成都 and a case in 成都
    and one in 绵阳 (the province clerk took both in)."""
    from cases import services as cases
    from cases.models import Case, Channel
    from core.models import Region

    for username, role, function in (
        ("clerk_cd", Role.CLERK, "service_centre"),
        ("reviewer_cd", Role.REVIEWER, "natural_resources"),
    ):
        User.objects.create(
            username=username,
            name=username,
            kind=User.Kind.STAFF,
            role=role,
            department=Department.objects.get(function=function, region_id="510100"),
        )
    first = Case.objects.order_by("pk").first()
    matter, situation = first.matter, first.situation
    clerk = User.objects.get(username="clerk")
    from accounts.models import Person

    citizen = Person.objects.get(user__username="citizen")
    made = {}
    for city in ("510100", "510700"):
        region = Region.objects.get(code=city)
        try:
            made[city] = cases.receive(
                clerk,
                matter=matter,
                situation=situation,
                channel=Channel.POST,
                region=region,
                applicant_person=citizen,
            )
        except Exception:  # the matter is received at the province level: place the case there
            case = cases.receive(
                clerk,
                matter=matter,
                situation=situation,
                channel=Channel.POST,
                region=Region.objects.get(code="510000"),
                applicant_person=citizen,
            )
            Case.objects.filter(pk=case.pk).update(region=region)
            case.refresh_from_db()
            made[city] = case
    # The catalogue's questions and manual versions are named by id: take real ones,
    # so the outcome does not depend on which tests loaded the demo catalogue before.
    from catalog.demo import load_demo_catalogue, load_demo_manuals
    from catalog.models import GuideQuestion, ManualVersion

    load_demo_catalogue()
    load_demo_manuals()
    version = ManualVersion.objects.select_related("manual").order_by("pk").first()
    return {
        "records": _first_records(),
        "catalog": {
            "question": GuideQuestion.objects.order_by("pk").first().pk,
            "situation": version.manual.situation_id,
            "version": version.number,
        },
        "case": {city: case.number for city, case in made.items()},
        "organisation": {
            "510100": Organisation.objects.get(region_id="510104", agent__isnull=False).pk,
            "510700": Organisation.objects.get(region_id="510703").pk,
        },
    }


# Routes naming a record by id, opened with the first such record the seeded
# world holds: ids differ between databases and runs (PostgreSQL does not give
# back the ids of rolled-back rows), so "id 1" may name nothing there.
RECORD_ROUTES = (
    (r"(policies/documents/|documents/<int:document_pk>)", "policies.PolicyDocument"),
    (r"(policies/items/|matching/items/|api/v1/items/)", "policies.BenefitItem"),
    (r"policies/tickets/", "policies.PolicyTicket"),
    (r"hall/activities/", "hall.ActivityReport"),
    (r"hall/departments/", "core.Department"),
    (r"hall/windows/", "hall.Window"),
    (r"(console/bulletin/|api/v1/bulletins/)", "bulletin.Bulletin"),
    (r"^messages/", "messaging.Message"),
    (r"(matters/<int:pk>|matters/<int:matter_pk>|apply/<int:matter_id>|api/v1/matters/<matter_id>)", "catalog.Matter"),
    (r"(situations/<int:pk>|situations/<int:situation_pk>)", "catalog.Situation"),
    (r"materials/<int:pk>", "catalog.Material"),
)


def _first_records():
    from django.apps import apps

    first = {}
    for _, label in RECORD_ROUTES:
        record = apps.get_model(label).objects.order_by("pk").first()
        first[label] = record.pk if record else 1
    from bulletin.models import Block

    block = Block.objects.filter(bulletin_id=first["bulletin.Bulletin"]).order_by("pk").first()
    first["block"] = block.pk if block else 1
    return first


def _record_ids(path, world):
    for pattern, label in RECORD_ROUTES:
        if re.search(pattern, path):
            pk = str(world["records"][label])
            path = re.sub(r"<(int:)?(pk|item_id|document_pk|matter_pk|matter_id|situation_pk)>", pk, path, count=1)
            return path.replace("<int:block_pk>", str(world["records"]["block"]))
    return path


def fill(route, world, city="510100"):
    """The route's path with sample values: 成都's (or 绵阳's) record where the
    route names a case or an organisation, the first record's id otherwise."""
    path = route.replace("^", "").replace("$", "").replace("\\", "")
    case, org = world["case"][city], world["organisation"][city]
    path = re.sub(r"\(\?P<number>[^)]*\)", case, path)
    path = re.sub(r"\(\?P<\w+>\[a-z_?\]\+\)", "accept", path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", path)
    catalog = world["catalog"]
    if "manuals/<int:situation_pk>" in path:  # a situation that has a manual, and its version
        path = path.replace("<int:situation_pk>", str(catalog["situation"]))
        path = path.replace("<int:number>", str(catalog["version"]))
    path = _record_ids(path, world)
    if path.startswith("console/catalog/questions/<int:pk>/"):
        path = path.replace("<int:pk>", str(catalog["question"]))
    path = re.sub(r"<number>|<str:number>", case, path)
    if "organisations/" in path:
        path = re.sub(r"<(int:)?(pk|org_id)>", str(org), path)
    path = re.sub(r"<int:year>", "2026", path)
    path = re.sub(r"<(int:)?\w+>", "1", path)
    path = re.sub(r"<(str|slug):\w+>", "x", path)
    path = re.sub(r"<\w+>", "1", path)
    return "/" + path


def client_for(role):
    client = Client(raise_request_exception=False)
    token = None
    if role != "anonymous":
        user = User.objects.get(username=role)
        client.force_login(user)
        token = issue_token(user)
    return client, token


def open_route(client, token, path):
    if path.startswith("/api/"):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get(path, **headers)
    return client.get(path)


# The observed outcome per role, in ROLES' order, reviewed: one row per route.
EXPECTED = {
    # route: anonymous citizen agent clerk_cd reviewer_cd manager editor admin
    "healthz": "oooooooo",
    "readyz": "oooooooo",
    "metrics": "oooooooo",
    "display/": "eeeeeeee",
    "": "oooooooo",
    "search/": "oooooooo",
    "themes/<slug:slug>/": "nnnnnnnn",
    "accounts/login/": "orrrrrrr",
    "accounts/register/": "oooooooo",
    "accounts/home/": "lrrrrrrr",
    "accounts/me/": "looooooo",
    "accounts/me/organisations/new/": "loofffff",
    "accounts/me/organisations/<int:pk>/agents/": "lfoooofo",
    "accounts/me/agents/<int:pk>/revoke/": "leeeeeee",
    "accounts/me/act-for/": "leeeeeee",
    "console/": "lffooooo",
    "console/organisations/": "lffooofo",
    "console/organisations/new/": "lffofofo",
    "console/organisations/<int:pk>/": "lffooofo",
    "console/organisations/<int:pk>/edit/": "lffffofo",
    "console/persons/new/": "lffofofo",
    "console/persons/verify/": "lffofofo",
    "console/staff/": "lffffofo",
    "console/staff/new/": "lffffffo",
    "console/audit/": "lffffofo",
    "console/audit/verify/": "leeeeeee",
    "console/audit/verify/<str:result_id>/": "lffffffn",
    "console/calendar/": "lffooooo",
    "console/calendar/add/": "leeeeeee",
    "console/calendar/<int:year>/": "lffooooo",
    "matters/": "oooooooo",
    "matters/<int:pk>/": "oooooooo",
    "console/catalog/": "lffooooo",
    "console/catalog/matters/new/": "lffffofo",
    "console/catalog/matters/<int:pk>/": "lffooooo",
    "console/catalog/matters/<int:pk>/edit/": "lffffofo",
    "console/catalog/matters/<int:matter_pk>/situations/new/": "lffffofo",
    "console/catalog/situations/<int:pk>/edit/": "lffffofo",
    "console/catalog/situations/<int:situation_pk>/materials/new/": "lffffofo",
    "console/catalog/materials/<int:pk>/edit/": "lffffofo",
    "console/catalog/materials/<int:pk>/delete/": "lffeeeee",
    "console/catalog/matters/<int:matter_pk>/questions/new/": "lffffofo",
    "console/catalog/questions/<int:pk>/edit/": "lffffofo",
    "console/catalog/import/": "lffffofo",
    "console/catalog/export/": "lffooooo",
    "console/catalog/manuals/": "lffooooo",
    "console/catalog/manuals/progress/": "lffooooo",
    "console/catalog/manuals/<int:situation_pk>/": "lffooooo",
    "console/catalog/manuals/<int:situation_pk>/edit/": "lfffffff",
    "console/catalog/manuals/<int:situation_pk>/versions/<int:number>/": "lffooooo",
    "console/catalog/manuals/<int:situation_pk>/review/": "lffeeeee",
    "console/catalog/manuals/<int:situation_pk>/confirm/": "lffeeeee",
    "console/cases/": "lffooofo",
    "console/cases/new/": "lffoffff",
    "console/cases/consult/": "lffofoff",
    "console/cases/stats/": "lffooooo",
    "console/cases/stats/export.xlsx": "lffooooo",
    "console/cases/stats/cases/<str:figure>/": "lffnnnnn",
    "console/cases/certificates/<str:number>/": "lffnnnnn",
    "console/cases/^(?P<number>\\d{8,32})/$": "lffooofo",
    # 显示完整号码 is a POST (audited); a GET is refused.
    "console/cases/^(?P<number>\\d{8,32})/personal/$": "lffeeeee",
    "console/cases/^(?P<number>\\d{8,32})/steps/(?P<step>[a-z_]+)/$": "lffeeeee",
    "console/cases/^(?P<number>\\d{8,32})/files/(?P<pk>\\d+)/$": "lffnnnfn",
    "console/cases/^(?P<number>\\d{8,32})/notices/(?P<kind>[a-z]+)/$": "lffnnnfn",
    "cases/": "loorrrrr",
    "cases/apply/<int:matter_id>/": "loofffff",
    "cases/verify/": "oooooooo",
    "cases/verify/<str:key>/": "nnnnnnnn",
    "cases/^(?P<number>\\d{8,32})/$": "lofooofo",
    "cases/^(?P<number>\\d{8,32})/correction/$": "leeeeeee",
    "cases/^(?P<number>\\d{8,32})/evaluation/$": "leeeeeee",
    "policies/": "oooooooo",
    "policies/city/<str:code>/": "nnnnnnnn",
    "policies/documents/<int:pk>/": "oooooooo",
    "policies/items/<int:pk>/": "oooooooo",
    "policies/search/": "oooooooo",
    "policies/suggest/": "oooooooo",
    "policies/ask/": "oooooooo",
    "policies/tickets/": "looooooo",
    "policies/tickets/<int:pk>/": "lnonnnnn",
    "console/policies/": "lffooooo",
    "console/policies/vocabulary/": "lffooooo",
    "console/policies/documents/new/": "lfffoofo",
    "console/policies/documents/<int:pk>/": "lffffooo",
    "console/policies/documents/<int:pk>/edit/": "lffffofo",
    "console/policies/documents/<int:pk>/step/": "lffeeeee",
    "console/policies/documents/<int:pk>/attachments/": "lffeeeee",
    "console/policies/attachments/<int:pk>/remove/": "lffeeeee",
    "console/policies/documents/<int:document_pk>/items/new/": "lffffofo",
    "console/policies/documents/<int:document_pk>/interpretations/new/": "lffffofo",
    "console/policies/interpretations/<int:pk>/step/": "lffeeeee",
    "console/policies/items/": "lffooooo",
    "console/policies/items/<int:pk>/": "lffffooo",
    "console/policies/items/<int:pk>/edit/": "lffffofo",
    "console/policies/items/<int:pk>/step/": "lffeeeee",
    "console/policies/review/": "lffffofo",
    "console/policies/overdue/": "lffffofo",
    "console/policies/import/": "lfffoofo",
    "console/policies/export/": "lffooooo",
    "console/policies/tickets/": "lfffoofo",
    "console/policies/tickets/<int:pk>/": "lfffnofo",
    "matching/": "loofffff",
    "matching/inbox/": "loofffff",
    "matching/inbox/<int:pk>/read/": "leeeeeee",
    "matching/grants/": "loofffff",
    "matching/grants/<int:pk>/decide/": "leeeeeee",
    "matching/publicity/": "oooooooo",
    "console/matching/": "lffooooo",
    "console/matching/profiles/": "lffooooo",
    "console/matching/profiles/upload/": "lfffoofo",
    "console/matching/profiles/<str:uscc>/": "lffnnnnn",
    "console/matching/items/<int:item_id>/rule/": "lffffooo",
    "console/matching/items/<int:item_id>/rule/preview/": "leeeeeee",
    "console/matching/items/<int:item_id>/grant/": "leeeeeee",
    "console/matching/grants/": "lffooooo",
    "console/matching/grants/<int:pk>/": "lffnnnnn",
    "console/matching/grants/<int:pk>/publish/": "leeeeeee",
    "console/matching/grants/<int:pk>/objection/": "leeeeeee",
    "console/matching/grants/<int:pk>/payout/": "leeeeeee",
    "console/hall/activities/": "lffooooo",
    "console/hall/activities/<int:pk>/": "lffnnooo",
    "console/hall/activities/<int:pk>/photos/<int:photo>/": "lffnnnnn",
    "console/hall/duty/": "lffofooo",
    "console/hall/duty/<int:pk>/<str:step>/": "lffeeeee",
    "console/hall/key-work/": "lffffooo",
    "console/hall/departments/": "lffffofo",
    "console/hall/departments/new/": "lffffofo",
    "console/hall/departments/<int:pk>/": "lffffofo",
    "console/hall/windows/": "lffffofo",
    "console/hall/windows/new/": "lffffofo",
    "console/hall/windows/<int:pk>/": "lffffofo",
    "console/accounts/tokens/": "lffffofo",
    "console/accounts/tokens/new/": "lffffofo",
    "console/accounts/tokens/<int:pk>/revoke/": "lffeeeee",
    "console/bulletin/": "lffffooo",
    "console/bulletin/lists/": "lffffooo",
    "console/bulletin/<int:pk>/": "lffffooo",
    "console/bulletin/<int:pk>/header/": "lffeeeee",
    "console/bulletin/<int:pk>/distribution/": "lffeeeee",
    "console/bulletin/<int:pk>/refresh/": "lffeeeee",
    "console/bulletin/<int:pk>/blocks/": "lffeeeee",
    "console/bulletin/<int:pk>/blocks/<int:block_pk>/": "lffffooo",
    "console/bulletin/<int:pk>/export.docx": "lffffooo",
    "console/bulletin/<int:pk>/pdf/": "lffeeeee",
    "console/bulletin/<int:pk>/pdf/<str:result_id>/": "lffffnnn",
    "console/bulletin/<int:pk>/files/<int:file_pk>/": "lffffnnn",
    "console/bulletin/<int:pk>/issue/": "lffeeeee",
    "messages/": "looooooo",
    "messages/<int:pk>/": "lonnnnnn",
    "console/revenue/": "lfffoffo",
    "console/revenue/export.xlsx": "lfffoffo",
    "console/revenue/rights/": "lfffoffo",
    "console/revenue/rights/<int:pk>/": "lfffnffn",
    "console/revenue/worklist/": "lfffoffo",
    "console/revenue/fee-sources/<int:pk>/": "lfffnffn",
    "console/revenue/outbox/": "lffffffo",
    "console/revenue/outbox/<int:pk>/replay/": "lffeeeee",
    "console/revenue/reconciliation/": "lffffffo",
    "identity/step-up/": "looooooo",
    "identity/consents/": "looooooo",
    "identity/consents/<int:pk>/withdraw/": "leeeeeee",
    "console/identity/": "lffffffo",
    "console/identity/new/": "lffffffo",
    "console/identity/<int:pk>/secret/": "lffeeeee",
    "bundles/": "oooooooo",
    "bundles/applications/": "looooooo",
    "bundles/applications/<str:number>/": "lnnnnnnn",
    "bundles/<slug:code>/": "nnnnnnnn",
    "console/bundles/": "lffooofo",
    "console/bundles/problems/": "looooofo",
    "console/bundles/problems/<int:pk>/": "lfffnnfn",
    "console/bundles/applications/<str:number>/": "lnnnnnnn",
    "console/bundles/<slug:code>/": "lffnnnfn",
    "console/bundles/new/": "lffffofo",
    "console/bundles/<slug:code>/edit/": "lnnnnnnn",
    "console/bundles/<slug:code>/demonstration/": "leeeeeee",
    "api/v1/openapi.json": "oooooooo",
    "api/v1/regions": "oooooooo",
    "api/v1/regions/<code>": "nnnnnnnn",
    "api/v1/departments": "oooooooo",
    "api/v1/calendar/due-date": "eeeeeeee",
    "api/v1/auth/token": "eeeeeeee",
    "api/v1/me": "aooooooo",
    "api/v1/organisations": "aooooofo",
    "api/v1/organisations/<org_id>": "afoooofo",
    "api/v1/persons": "eeeeeeee",
    "api/v1/cases": "aooooofo",
    "api/v1/cases/<number>": "aofooofo",
    "api/v1/cases/<number>/accept": "eeeeeeee",
    "api/v1/cases/<number>/accept-tolerant": "eeeeeeee",
    "api/v1/cases/<number>/refuse": "eeeeeeee",
    "api/v1/cases/<number>/correction": "eeeeeeee",
    "api/v1/cases/<number>/correction/answer": "eeeeeeee",
    "api/v1/cases/<number>/transfer": "eeeeeeee",
    "api/v1/cases/<number>/review": "eeeeeeee",
    "api/v1/cases/<number>/decide": "eeeeeeee",
    "api/v1/cases/<number>/issue": "eeeeeeee",
    "api/v1/cases/<number>/hand-over": "eeeeeeee",
    "api/v1/cases/<number>/evaluation": "eeeeeeee",
    "api/v1/matters": "aooooooo",
    "api/v1/matters/<matter_id>": "aooooooo",
    "api/v1/stats/figures": "affooooo",
    "api/v1/stats/breakdown/<by>": "aeeeeeee",
    "api/v1/stats/daily": "affooooo",
    "api/v1/stats/cases/<figure>": "aeeeeeee",
    "api/v1/policies/documents": "oooooooo",
    "api/v1/policies/documents/<pk>": "oooooooo",
    "api/v1/policies/items": "oooooooo",
    "api/v1/policies/items/<pk>": "oooooooo",
    "api/v1/policies/documents/<pk>/step": "eeeeeeee",
    "api/v1/policies/documents/<pk>/items": "eeeeeeee",
    "api/v1/policies/items/<pk>/step": "eeeeeeee",
    "api/v1/policies/search": "oooooooo",
    "api/v1/policies/suggest": "oooooooo",
    "api/v1/policies/ask": "eeeeeeee",
    "api/v1/policies/tickets": "aoofoofo",
    "api/v1/policies/tickets/<pk>": "anonnono",
    "api/v1/policies/tickets/<pk>/reply": "eeeeeeee",
    "api/v1/enterprises/<uscc>/profile": "annnnnnn",
    "api/v1/enterprises/<uscc>/matches": "annnnnnn",
    "api/v1/items/<item_id>/rule": "affffnnn",
    "api/v1/grants/entries/<entry_id>/decision": "eeeeeeee",
    "api/v1/activity-reports": "affooooo",
    "api/v1/activity-reports/<pk>/accept": "eeeeeeee",
    "api/v1/activity-reports/<pk>/return": "eeeeeeee",
    "api/v1/key-work": "affffooo",
    "api/v1/bulletins": "affffooo",
    "api/v1/bulletins/<pk>": "affffooo",
    "api/v1/bulletins/<pk>/refresh": "eeeeeeee",
    "api/v1/revenue/rights": "afffoffo",
    "api/v1/revenue/fee-sources": "afffoffo",
    "api/v1/revenue/fee-sources/<pk>": "afffnffn",
    "api/v1/revenue/fee-sources/<pk>/approve": "eeeeeeee",
    "api/v1/revenue/fee-sources/<pk>/return": "eeeeeeee",
    "api/v1/revenue/dashboard": "afffoffo",
    "api/v1/revenue/tax/messages": "eeeeeeee",
    "api/v1/bundles": "aooooooo",
    "api/v1/bundles/stats": "aeeeeeee",
    "api/v1/bundles/problems": "afffoofo",
    "api/v1/bundles/problems/<pk>": "eeeeeeee",
    "api/v1/bundles/problems/<pk>/handle": "eeeeeeee",
    "api/v1/bundles/applications": "aooooofo",
    "api/v1/bundles/applications/<number>": "annnnnnn",
    "api/v1/bundles/applications/<number>/corrections": "eeeeeeee",
    "api/v1/bundles/<code>": "annnnnnn",
    "api/v1/bundles/<code>/review": "eeeeeeee",
    "api/v1/bundles/<code>/confirm": "eeeeeeee",
    "api/v1/bundles/applications/<number>/deferrals/<pk>/withdraw": "eeeeeeee",
    "api/v1/bundles/<code>/applications": "eeeeeeee",
    "api/v1/": "nnnnnnnn",
}


def test_every_route_as_every_role_and_region(matrix_world):
    started = time.perf_counter()
    table, problems = {}, []
    clients = {role: client_for(role) for role in ROLES}
    for route in routes():
        path = fill(route, matrix_world)
        row = ""
        for role in ROLES:
            client, token = clients[role]
            got = outcome(open_route(client, token, path))
            row += got
            if got == "x":
                problems.append(f"{role}: GET {path} → 500")
        table[route] = row
        if route.startswith("console/") and row[0] != "l":
            problems.append(f"anonymous: GET {path} → {row[0]}, not sent to sign in")
    # Another region's records, by number or id, page and API.
    for route in routes():
        if not re.search(r"number|organisations/<", route):
            continue
        path = fill(route, matrix_world, city="510700")
        if path == fill(route, matrix_world):
            continue  # names no case or organisation (a manual's version <int:number>): no region to cross
        for role in ("clerk_cd", "reviewer_cd"):
            client, token = clients[role]
            got = outcome(open_route(client, token, path))
            if got == "o":
                problems.append(f"{role} (成都) opens a 绵阳 record: GET {path}")
    # Anonymous API writes are told to sign in.
    from tests.test_api_live import _write_routes

    anonymous = Client(raise_request_exception=False)
    for method, path in _write_routes():
        response = anonymous.generic(method, path, "{}", content_type="application/json")
        if response.status_code != 401:
            problems.append(f"anonymous: {method} {path} → {response.status_code}, not 401")
    elapsed = time.perf_counter() - started
    print(f"{len(table)} routes × {len(ROLES)} roles in {elapsed:.0f}s")
    missing = sorted(set(table) - set(EXPECTED))
    differ = [
        f"{r!r}: expected {EXPECTED[r]!r}, got {table[r]!r}" for r in table if r in EXPECTED and EXPECTED[r] != table[r]
    ]
    if missing or differ:
        print("Observed (", " ".join(ROLES), "):")
        for route, row in table.items():
            print(f"    {route!r}: {row!r},")
    assert not problems, "\n".join(problems[:80])
    assert not missing, f"{len(missing)} routes have no expectation in EXPECTED:\n" + "\n".join(missing)
    assert not differ, "\n".join(differ)
