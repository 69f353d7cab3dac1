"""Schemathesis over every operation of the JSON API (issue 16, "Tests that
attack it"): the schema the live server serves at /api/v1/openapi.json is
loaded, and for each role (anonymous, and each demo login with an API token)
every operation is called with data generated from the schema, valid and
invalid, and again with the path naming real records of a small seeded
database (a case, an organisation, a policy document ...), so bodies reach
the services and not only the 404.

It passes with 0 responses >= 500, every status documented in the OpenAPI
(`response={200: ..., 404: ErrorOut, ...}` in each app's api.py), every body
matching its documented schema, and every error in the platform's format
(code, a Chinese message, errors by field: core.errors, core.api_errors).

Bounded: a few examples per operation and mode (EXAMPLES), no shrinking, no
example database; the figures are printed per role."""

import logging
import re
import time
from collections import defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Organisation, User
from accounts.services import issue_token
from tests.test_api_live import fast_password_hashing  # noqa: F401 (a fixture)
from tests.test_crawler import seeded  # noqa: F401 (a fixture)

# Anonymous, the public (a resident, an enterprise's agent) and each kind of staff.
ROLES = [None, "citizen", "agent", "clerk", "reviewer", "manager", "admin"]
# Cases per operation, each sent as every role: generated valid, generated
# invalid, valid with real records in the path.
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2, "real": 3}
HAN = re.compile(r"[\u4e00-\u9fff]")


def error_format(ctx, response, case):
    """Every refusal in the platform's one format, its message in Chinese."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"错误响应不是 JSON：{response.text[:200]}") from None
    assert isinstance(body, dict) and set(body) == {"code", "message", "errors"}, f"错误格式不符：{body}"
    assert isinstance(body["errors"], dict), body
    assert HAN.search(body["message"] or ""), f"错误信息不是中文：{body}"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_format,
]


class ServerErrors(logging.Handler):
    """The tracebacks the API logged for its 500s (tongban.api), for the report."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def _real_path_parameters(operation):
    """Real records for the path's parameters, where the seeded database has one."""
    from bulletin.models import Bulletin
    from cases.models import Case
    from catalog.models import Matter
    from hall.models import ActivityReport
    from policies.models import BenefitItem, PolicyDocument, PolicyTicket

    path = operation.path
    first = lambda qs: qs.order_by("pk").first()  # noqa: E731
    values = {}
    for name in re.findall(r"\{(\w+)\}", path):
        record = None
        if name == "number" and path.startswith("/api/v1/cases/"):
            record = first(Case.objects.exclude(state="received")) or first(Case.objects)
            values[name] = record.number if record else None
            continue
        if name == "org_id":
            record = first(Organisation.objects)
        elif name == "matter_id":
            record = first(Matter.objects)
        elif name == "uscc":
            org = Organisation.objects.filter(agent__isnull=False).first()
            values[name] = org.uscc if org else None
            continue
        elif name == "pk" and "/policies/documents/" in path:
            record = first(PolicyDocument.objects)
        elif name == "pk" and "/policies/items/" in path:
            record = first(BenefitItem.objects)
        elif name == "pk" and "/policies/tickets/" in path:
            record = first(PolicyTicket.objects)
        elif name == "pk" and "/activity-reports/" in path:
            record = first(ActivityReport.objects)
        elif name == "pk" and "/bulletins/" in path:
            record = first(Bulletin.objects)
        elif name == "item_id":
            record = first(BenefitItem.objects)
        values[name] = record.pk if record else None
    if not values or None in values.values():
        return None
    return values


def _generate(operation, *, mode, examples, path_parameters=None):
    """A few cases for one operation, generated once and sent as every role
    (generating is most of the cost; the cases do not depend on who sends them)."""
    kwargs = {"path_parameters": path_parameters} if path_parameters else {}
    strategy = operation.as_strategy(generation_mode=mode, **kwargs)
    cases = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def collect(case):
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # no invalid value exists for this operation's inputs (e.g. one string in the path)
        pass
    return cases


def _cases(schema):
    """Every operation's cases: valid, invalid, and valid with real records in the path."""
    cases, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases += _generate(operation, mode=mode, examples=EXAMPLES[mode])
        real = _real_path_parameters(operation)
        if real:
            cases += _generate(operation, mode=GenerationMode.POSITIVE, examples=EXAMPLES["real"], path_parameters=real)
    return operations, cases


def _send(case, *, headers, base_url, problems, statuses):
    # A new connection each time: on a kept-alive one the test server's replies
    # wait out the client's delayed ACK (~40 ms each).
    response = case.call(base_url=base_url, headers=headers)
    statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (Exception, BaseExceptionGroup) as exc:  # a check failed: record it, go on with the next case
        failures = getattr(exc, "exceptions", None) or [exc]
        title = "; ".join(sorted({getattr(f, "title", type(f).__name__) for f in failures}))
        key = f"{case.operation.method.upper()} {case.operation.path} [{response.status_code}] {title}"
        problems[key].append(str(exc)[:1500])


def test_every_api_operation_as_every_role(seeded, live_server):  # noqa: F811
    # 127.0.0.1, not "localhost": each new connection would try IPv6 first.
    base_url = live_server.url.replace("localhost", "127.0.0.1")
    schema = schemathesis.openapi.from_url(base_url + "/api/v1/openapi.json")
    started = time.perf_counter()
    operations, cases = _cases(schema)
    print(f"{operations} operations, {len(cases)} cases generated in {time.perf_counter() - started:.0f}s")
    assert operations >= 80
    problems = defaultdict(list)
    logged = ServerErrors()
    logging.getLogger("tongban.api").addHandler(logged)
    try:
        for role in ROLES:
            started, statuses = time.perf_counter(), defaultdict(int)
            headers = {"Authorization": f"Bearer {issue_token(User.objects.get(username=role))}"} if role else {}
            found = defaultdict(list)
            for case in cases:
                _send(case, headers=headers, base_url=base_url, problems=found, statuses=statuses)
            for key, seen in found.items():
                problems[f"{role or 'anonymous'}: {key}"] += seen
            elapsed = time.perf_counter() - started
            print(
                f"{role or 'anonymous'}: {sum(statuses.values())} calls in {elapsed:.0f}s",
                dict(sorted(statuses.items())),
            )
    finally:
        logging.getLogger("tongban.api").removeHandler(logged)
    report = [f"{key} ×{len(found)}\n{found[0]}" for key, found in sorted(problems.items())]
    assert not problems, (
        f"{len(problems)} kinds of problem:\n"
        + "\n\n".join(report[:40])
        + ("\n\nServer tracebacks:\n" + "\n".join(logged.records[:5]) if logged.records else "")
    )


def test_every_operation_documents_the_refusals_it_can_give():
    """Read from the API itself, so a new route cannot forget them: a route
    behind sign-in documents 401 and 403, one with a record in its path 404,
    one with inputs 422; every refusal in the one error format; no two
    schemas share a name (django-ninja keeps only one of them, and the other
    route's documented answer is wrong: bundles' and policies' ItemOut)."""
    from tongban.api import api

    openapi = api.get_openapi_schema()
    missing = []
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            documented = {int(s) for s in operation["responses"]}
            expected = set()
            if operation.get("security"):
                expected |= {401, 403}
            if "{" in path and not (method == "put" and 201 in documented):
                expected |= {404}  # a PUT that creates what is missing never answers 404
            if operation.get("parameters") or operation.get("requestBody"):
                expected |= {422}
            if expected - documented:
                missing.append(f"{method.upper()} {path}: {sorted(expected - documented)}")
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status, ref)
    assert not missing, "\n".join(missing)
    names = [name for _, router in api._routers for name in _schema_names(router)]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def _schema_names(router):
    """The names of the schemas one router's operations take and answer with."""
    import inspect

    from ninja import Schema

    names = set()
    for view in router.path_operations.values():
        for operation in view.operations:
            module = inspect.getmodule(operation.view_func)
            names |= {
                name
                for name, value in vars(module).items()
                if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__
            }
    return names


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/organisations", "/api/v1/policies/documents"])
def test_a_very_large_offset_is_refused_naming_the_field(path, signed_in):
    """Found by schemathesis: an offset past what the database can hold was a
    500; it is refused in Chinese, naming 起始位置 and its bound (core.paging)."""
    response = signed_in("admin").get(path, {"offset": 10**20})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid" and "起始位置不能大于10000000" in body["errors"]["offset"], body


def test_a_body_that_is_not_json_is_refused_in_chinese(client):
    """Found by schemathesis: django-ninja's own "Cannot parse request body"."""
    response = client.post("/api/v1/auth/token", b"\x00", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_json",
        "message": "请求正文不是有效的 JSON",
        "errors": {"body": ["请求正文应为 UTF-8 编码的 JSON"]},
    }
