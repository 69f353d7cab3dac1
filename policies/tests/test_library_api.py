"""The library's JSON API: public reads of listed records, staff changes
through the services with Chinese errors and version conflicts."""

import pytest

from policies.models import PolicyDocument, Status

pytestmark = pytest.mark.django_db

TEXT = "第一条 为支持企业发展，制定本措施。\n第二条 对首次认定的高新技术企业给予20万元奖励。"


def test_public_reads_listed_records_only(client, library):
    published = library.document("published")
    draft = library.document(number="川自然资发〔2024〕8号")
    data = client.get("/api/v1/policies/documents").json()
    ids = [d["id"] for d in data["results"]]
    assert published.pk in ids and draft.pk not in ids
    detail = client.get(f"/api/v1/policies/documents/{published.pk}").json()
    assert detail["articles"][1]["heading"] == "第二条" and detail["status_label"] == "已发布"
    assert client.get(f"/api/v1/policies/documents/{draft.pk}").status_code in (401, 403)
    items = client.get("/api/v1/policies/items?city=510100").json()
    assert items["count"] >= 1 and items["results"][0]["phone"] == "028-86012345"


def test_staff_create_submit_and_centre_approves(signed_in):
    client = signed_in("deptadmin")
    response = client.post(
        "/api/v1/policies/documents",
        {
            "title": "关于工业用地保障的通知",
            "number": "川自然资发〔2024〕30号",
            "issuers": "四川省自然资源厅",
            "issued_on": "2024-05-06",
            "text": TEXT,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    doc = response.json()
    assert len(doc["articles"]) == 2 and doc["status"] == "draft"
    item = client.post(
        f"/api/v1/policies/documents/{doc['id']}/items",
        {
            "title": "用地保障",
            "kind": "权益",
            "delivery": "依申请",
            "target": "工业企业",
            "conditions": "符合规划",
            "amount": "弹性年期出让",
            "industries": ["C"],
            "sizes": ["small"],
        },
        content_type="application/json",
    )
    assert item.status_code == 201 and item.json()["kind"] == "entitlement"
    step = client.post(
        f"/api/v1/policies/documents/{doc['id']}/step",
        {"step": "submit", "version": doc["version"]},
        content_type="application/json",
    )
    assert step.json()["status"] == "review"
    refused = client.post(
        f"/api/v1/policies/documents/{doc['id']}/step", {"step": "approve"}, content_type="application/json"
    )
    assert refused.status_code == 403
    manager = signed_in("manager")
    stale = manager.post(
        f"/api/v1/policies/documents/{doc['id']}/step",
        {"step": "approve", "version": 0},
        content_type="application/json",
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["message"]
    ok = manager.post(
        f"/api/v1/policies/documents/{doc['id']}/step", {"step": "approve"}, content_type="application/json"
    )
    assert (
        ok.json()["status"] == "published"
        and PolicyDocument.objects.get(pk=doc["id"]).items.get().status == Status.PUBLISHED
    )


def test_invalid_input_gets_chinese_field_errors(signed_in):
    response = signed_in("deptadmin").post(
        "/api/v1/policies/documents",
        {
            "title": "测试",
            "number": "bad",
            "issuers": "四川省自然资源厅",
            "issued_on": "2024-05-06",
            "expires_on": "2024-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "文号" in body["errors"]["number"][0] and "失效日期" in body["errors"]["expires_on"][0]
