"""The bundles API: bundles, applications and problems, in the platform's error format."""

import pytest

from bundles.models import Application, Problem

from .helpers import CREDIT_FACTS, apply, enterprise, finish, user

pytestmark = pytest.mark.usefixtures("bundles_demo")


def test_openapi_lists_the_bundle_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
        "/api/v1/bundles/{code}/applications",
        "/api/v1/bundles/applications/{number}",
        "/api/v1/bundles/applications/{number}/corrections",
        "/api/v1/bundles/problems",
        "/api/v1/bundles/problems/{pk}/handle",
        "/api/v1/bundles/stats",
        "/api/v1/bundles/applications/{number}/deferrals/{pk}/withdraw",
    ):
        assert path in paths


def test_bundles_and_their_structure(signed_in):
    client = signed_in("agent")
    codes = [b["code"] for b in client.get("/api/v1/bundles").json()]
    assert codes == ["credit-repair", "bankruptcy", "restaurant", "newborn", "relocation", "newborn-proactive"]
    detail = client.get("/api/v1/bundles/bankruptcy").json()
    assert [i["after"] for i in detail["items"]] == [[], [1], [2], [2], [2, 3, 4]]
    assert detail["mode_label"] == "关联事项集成办"


def test_an_application_without_its_materials_is_refused_in_the_error_format(signed_in):
    client = signed_in("agent")
    response = client.post(
        "/api/v1/bundles/credit-repair/applications",
        {"facts": {**CREDIT_FACTS, "phone": "1"}, "organisation_uscc": enterprise().uscc},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 422 and set(body) == {"code", "message", "errors"}
    assert body["errors"]["fact_phone"] == ["“联系电话”格式不正确：11位手机号码"]
    assert any(k.startswith("material_") for k in body["errors"])
    assert not Application.objects.exists()


def test_the_combined_status_and_one_answer(signed_in):
    application = apply()
    from cases import services as cases

    first = application.children.first().case
    cases.request_correction(user("clerk"), first, [{"material": "信用承诺书", "problem": "未盖章"}])
    client = signed_in("agent")
    body = client.get(f"/api/v1/bundles/applications/{application.number}").json()
    assert body["state_label"] == "待补正" and body["corrections"][0]["problem"] == "未盖章"
    body = client.post(
        f"/api/v1/bundles/applications/{application.number}/corrections",
        {"note": "已盖章"},
        content_type="application/json",
    ).json()
    assert body["state_label"] == "办理中"
    for child in application.children.select_related("case"):
        finish(child.case)
    body = client.get(f"/api/v1/bundles/applications/{application.number}").json()
    assert body["state_label"] == "已办结" and len(body["results"]) == 3
    assert signed_in("citizen").get(f"/api/v1/bundles/applications/{application.number}").status_code == 403


def test_problems_through_the_api(signed_in):
    client = signed_in("manager")
    created = client.post(
        "/api/v1/bundles/problems",
        {"bundle": "bankruptcy", "title": "银行开户信息未同步", "kind": "system", "measures": "人民银行协调"},
        content_type="application/json",
    )
    assert created.status_code == 201
    problem = created.json()
    stale = client.post(
        f"/api/v1/bundles/problems/{problem['id']}/handle",
        {"version": problem["version"] + 5},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    done = client.post(
        f"/api/v1/bundles/problems/{problem['id']}/handle",
        {"version": problem["version"]},
        content_type="application/json",
    ).json()
    assert done["state"] == "handled" and Problem.objects.get(pk=problem["id"]).handled_on is not None
    bad = client.post("/api/v1/bundles/problems", {"bundle": "nothing", "title": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]["bundle"] == ["一件事不存在"]
    assert signed_in("agent").get("/api/v1/bundles/problems").status_code == 403


def test_draft_review_confirm_over_the_api(signed_in):
    from catalog.models import Matter
    from core.models import Department

    tax, social = Matter.objects.get(name="税务登记"), Matter.objects.get(name="单位社会保险参保登记")
    text = {
        "name": "企业简易注销一件事",
        "mode": "linked",
        "lead_id": Department.objects.get(function="tax", region_id="510000").pk,
        "fields": [{"key": "name", "label": "企业名称", "kind": "text", "required": True}],
        "items": [
            {"matter": tax.implementation_code, "situation": "注销登记", "field_map": {"纳税人名称": "name"}},
            {"matter": social.implementation_code, "situation": "注销登记", "after": [1]},
        ],
        "note": "首次梳理",
    }
    client = signed_in("manager")
    put = lambda body: client.put("/api/v1/bundles/deregistration", body, content_type="application/json")  # noqa: E731
    bad = put({**text, "items": [{"matter": "nothing", "situation": "注销登记"}, text["items"][1]]})
    assert bad.status_code == 422 and bad.json()["errors"]["items"] == ["第1个事项：没有实施编码为“nothing”的事项"]
    response = put(text)
    created = response.json()
    assert response.status_code == 201 and (created["state"], created["version"]) == ("drafted", 1)
    assert put({**text, "note": "再改"}).status_code == 428  # a change names the version it read
    saved = put({**text, "version": 1, "note": "补充"})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = put({**text, "version": 1, "note": "旧页面"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    review = client.post(
        "/api/v1/bundles/deregistration/review", {"version": 2, "approve": False}, content_type="application/json"
    )
    assert review.status_code == 422 and review.json()["errors"]["comment"] == ["退回意见为必填项"]
    client.post(
        "/api/v1/bundles/deregistration/review", {"version": 2, "approve": True}, content_type="application/json"
    )
    confirm = {"path": "/api/v1/bundles/deregistration/confirm", "data": {"version": 2}}
    assert signed_in("agent").post(**confirm, content_type="application/json").status_code == 403
    assert signed_in("admin").post(**confirm, content_type="application/json").json()["state"] == "confirmed"
    assert "deregistration" in [b["code"] for b in signed_in("agent").get("/api/v1/bundles").json()]
