"""What staff and other systems see: pages, the API, roles and reach."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from core.models import AuditEntry
from revenue import exchange, services
from revenue.models import FeeSource, MiningRight, OutboxMessage, Review

from .helpers import RIGHT, approved_fee_source, colleague, right, user

pytestmark = pytest.mark.django_db


def _post(client, url, payload):
    return client.post(url, json.dumps(payload, default=str), content_type="application/json")


def test_a_bad_credit_code_is_refused_naming_the_field_and_nothing_is_saved(revenue_setup, signed_in):
    client = signed_in("nr_renhe")
    data = {k: str(v) for k, v in RIGHT.items()} | {"licence_no": "C510411X", "holder_uscc": "91510411MA6CXXXXX1"}
    page = client.post("/console/revenue/rights/", data)
    assert page.status_code == 200
    assert "统一社会信用代码" in page.content.decode() and "GB 32100" in page.content.decode()
    assert not MiningRight.objects.exists()


def test_county_city_province_approve_by_api_and_the_outbox_row_comes_with_the_approval(revenue_setup, client):
    client.force_login(user("nr_renhe"))
    r = _post(client, "/api/v1/revenue/rights", {k: str(v) for k, v in RIGHT.items()} | {"licence_no": "C1"})
    assert r.status_code == 201, r.content
    r = _post(
        client,
        "/api/v1/revenue/fee-sources",
        {
            "right_id": r.json()["id"],
            "kind": "proceeds_amount",
            "amount": "12000000.00",
            "trigger_date": "2026-11-24",
            "instalments": [
                {"due_date": "2026-12-31", "amount": "4800000.00"},
                {"due_date": "2027-12-31", "amount": "7200000.00"},
            ],
        },
    )
    assert r.status_code == 201, r.content
    fs = r.json()
    assert fs["chain"] == ["city", "province"] and fs["current_level"] == "city"
    # The province cannot approve before the city.
    client.force_login(user("reviewer"))
    assert (
        _post(client, f"/api/v1/revenue/fee-sources/{fs['id']}/approve", {"version": fs["version"]}).status_code == 403
    )
    client.force_login(user("nr_panzhihua"))
    r = _post(client, f"/api/v1/revenue/fee-sources/{fs['id']}/approve", {"version": fs["version"], "comment": "同意"})
    assert r.json()["current_level"] == "province"
    stale = _post(client, f"/api/v1/revenue/fee-sources/{fs['id']}/approve", {"version": fs["version"]})
    assert stale.status_code in (403, 409)
    client.force_login(user("reviewer"))
    r = _post(client, f"/api/v1/revenue/fee-sources/{fs['id']}/approve", {"version": fs["version"] + 1})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert OutboxMessage.objects.filter(fee_source_id=fs["id"], kind="fee_source", state="pending").count() == 1
    assert AuditEntry.objects.filter(object_type="revenue.ApprovalStep", actor__username="reviewer").exists()


def test_stale_version_is_a_conflict_and_a_return_needs_a_reason(revenue_setup, client):
    fs = services.create_fee_source(
        user("nr_renhe"),
        right(),
        kind="use_fee",
        amount="3215.00",
        trigger_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 31),
    )
    assert fs.chain == ["county"]
    client.force_login(user("nr_renhe"))  # who filled it in does not approve a single-level chain
    assert _post(client, f"/api/v1/revenue/fee-sources/{fs.pk}/approve", {"version": fs.version}).status_code == 403
    client.force_login(colleague())
    r = _post(client, f"/api/v1/revenue/fee-sources/{fs.pk}/return", {"version": fs.version, "comment": ""})
    assert r.status_code == 422 and r.json()["errors"]["comment"] == ["请填写退回理由"]
    r = _post(client, f"/api/v1/revenue/fee-sources/{fs.pk}/approve", {"version": fs.version - 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_reach_other_counties_and_other_departments_see_nothing(revenue_setup, client):
    fs = approved_fee_source()
    client.force_login(user("reviewer_jinjiang"))  # natural resources of 锦江区
    assert client.get(f"/api/v1/revenue/fee-sources/{fs.pk}").status_code == 404
    assert client.get("/api/v1/revenue/dashboard?region=510411").status_code == 403
    client.force_login(user("clerk"))  # the service centre's clerk
    assert client.get("/console/revenue/").status_code == 403


def test_dashboards_at_three_levels_show_the_same_fee_source_and_the_split(revenue_setup, client, taxsim):
    from revenue.models import Payment

    from .helpers import control, drain

    sim = taxsim()
    fs = approved_fee_source(amount="12000000.00")
    drain(until=lambda: FeeSource.objects.get(pk=fs.pk).state == "notified")
    control(sim, "/control/pay", {"fee_source_id": fs.pk, "seq": 1, "amount": "5000000.00", "paid_on": "2026-12-02"})
    drain(until=lambda: Payment.objects.exists())
    for username, region, row in [
        ("nr_renhe", "510411", "510411"),
        ("nr_panzhihua", "510400", "510411"),
        ("reviewer", "510000", "510400"),
    ]:
        client.force_login(user(username))
        data = client.get(f"/api/v1/revenue/dashboard?region={region}").json()
        assert data["total"]["owed"] == "12000000.00" and data["total"]["paid"] == "5000000.00"
        assert data["total"]["notified"] == "12000000.00" and data["total"]["due_soon"] == "7000000.00"
        assert [r["code"] for r in data["rows"]] == [row]
        assert data["split"] == {
            "central": "2000000.00",
            "province": "600000.00",
            "city": "600000.00",
            "county": "1800000.00",
        }
    page = client.get("/console/revenue/?region=510411").content.decode()
    assert f"费源{fs.pk}" in page and "2000000.00" in page and "部分缴纳" in page
    book = load_workbook(io.BytesIO(client.get("/console/revenue/export.xlsx?region=510000").content))
    assert book["汇总"]["B2"].value == "攀枝花市" and book["汇总"]["F2"].value == 5000000.0
    assert book["已缴分成"]["B2"].value == 2000000.0


def test_reviews_are_routed_by_kind_and_answered_within_ten_working_days(revenue_setup):
    fs = approved_fee_source()
    services.mark_sent(OutboxMessage.objects.get(fee_source=fs))
    fs.refresh_from_db()
    review = services.request_review(user("nr_renhe"), fs, reason="合同金额计算有误", filed_on=dt.date(2026, 12, 1))
    assert review.route == Review.Route.NATURAL_RESOURCES and review.due_on == dt.date(2026, 12, 15)
    assert not OutboxMessage.objects.filter(kind="review_request").exists()
    services.answer_review(
        user("nr_renhe"),
        review,
        upheld=True,
        answer="经复核维持原金额",
        answered_on=dt.date(2026, 12, 3),
        version=review.version,
    )
    use = services.create_fee_source(
        user("nr_renhe"),
        fs.right,
        kind="use_fee",
        amount="3215.00",
        trigger_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 31),
    )
    use = services.approve(colleague(), use, version=use.version)
    services.mark_sent(OutboxMessage.objects.get(fee_source=use))
    use.refresh_from_db()
    tax_review = services.request_review(user("nr_renhe"), use, reason="面积有误", filed_on=dt.date(2026, 12, 1))
    assert tax_review.route == Review.Route.TAX
    assert OutboxMessage.objects.filter(kind="review_request", idempotency_key=f"review-{tax_review.pk}").exists()


def test_tax_bureau_push_is_signed_and_applied_once(revenue_setup, client):
    fs = approved_fee_source()
    body = json.dumps(
        [
            {
                "id": "notice-1",
                "kind": "notice",
                "body": {
                    "fee_source_id": fs.pk,
                    "notice_no": "川税缴通〔2026〕000001号",
                    "issued_on": "2026-12-01",
                    "amount": "12000000.00",
                },
            }
        ]
    ).encode()
    url = "/api/v1/revenue/tax/messages"
    bad = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE="0" * 64)
    assert bad.status_code == 403 and bad.json()["code"] == "forbidden"
    good = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=exchange.sign(body))
    assert good.json() == {"stored": 1}
    again = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=exchange.sign(body))
    assert again.json() == {"stored": 0}
    assert fs.__class__.objects.get(pk=fs.pk).notice.notice_no == "川税缴通〔2026〕000001号"


def test_openapi_lists_the_revenue_routes_and_console_home_links_here(revenue_setup, signed_in):
    client = signed_in("nr_renhe")
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/revenue/fee-sources" in schema["paths"] and "/api/v1/revenue/dashboard" in schema["paths"]
    assert "自然资源非税收入" in client.get("/console/").content.decode()


def test_every_page_renders_over_demo_data_and_reconciliation_says_when_the_bureau_is_down(
    revenue_setup, client, settings
):
    from revenue import demo
    from revenue.models import Reconciliation

    from .conftest import free_port

    demo.load_demo(rights_count=12)
    fs = FeeSource.objects.first()
    for username in ("reviewer", "nr_panzhihua", "nr_renhe"):
        client.force_login(user(username))
        assert client.get("/console/revenue/").status_code == 200
        assert client.get("/console/revenue/rights/").status_code == 200
        assert client.get("/console/revenue/worklist/").status_code == 200
    client.force_login(user("reviewer"))
    page = client.get(f"/console/revenue/fee-sources/{fs.pk}/").content.decode()
    assert "推送时限" in page and "审批记录" in page and "收到费源后7个工作日" in page
    assert client.get(f"/console/revenue/rights/{fs.right_id}/").status_code == 200
    assert client.get("/console/revenue/outbox/").status_code == 403  # administrators only
    client.force_login(user("admin"))
    settings.TONGBAN_TAX_URL = f"http://127.0.0.1:{free_port()}"
    assert client.get("/console/revenue/outbox/").status_code == 200
    client.post("/console/revenue/reconciliation/")
    assert "无法取得税务部门数据" in Reconciliation.objects.get().error
    assert "无法取得税务部门数据" in client.get("/console/revenue/reconciliation/").content.decode()


def test_two_approvers_at_once_the_second_is_told_and_nothing_is_approved_twice(revenue_setup, client):
    from django.test import Client

    from revenue.models import ApprovalStep

    fs = services.create_fee_source(
        user("nr_renhe"),
        right(),
        kind="proceeds_amount",
        amount="12000000.00",
        trigger_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 31),
    )
    url = f"/console/revenue/fee-sources/{fs.pk}/"
    first, second = client, Client()
    first.force_login(user("nr_panzhihua"))
    second.force_login(user("nr_panzhihua"))
    assert "审批意见" in first.get(url).content.decode() and "审批意见" in second.get(url).content.decode()
    assert first.post(url, {"action": "approve", "version": fs.version, "comment": "同意"}).status_code == 302
    late = second.post(url, {"action": "approve", "version": fs.version, "comment": "同意（第二人）"})
    assert late.status_code == 409
    page = late.content.decode()
    assert 'role="alert"' in page and "费源信息已被他人修改" in page  # said at the top: the form is gone
    assert ApprovalStep.objects.filter(fee_source=fs, decision="approve").count() == 1
    assert FeeSource.objects.get(pk=fs.pk).current_level == "province"


def test_bad_input_over_the_api_names_the_field_and_saves_nothing(revenue_setup, client):
    client.force_login(user("nr_renhe"))
    base = {k: str(v) for k, v in RIGHT.items()} | {"licence_no": "C5104119"}
    negative = _post(client, "/api/v1/revenue/rights", base | {"area_km2": "-3"})
    assert negative.status_code in (400, 422) and "area_km2" in negative.json()["errors"]
    missing = _post(client, "/api/v1/revenue/rights", {k: v for k, v in base.items() if k != "contract_date"})
    assert missing.status_code == 422 and any("contract_date" in k for k in missing.json()["errors"])
    bad_code = _post(client, "/api/v1/revenue/rights", base | {"holder_uscc": "91510411MA6C1234X5"})
    assert bad_code.status_code in (400, 422) and "holder_uscc" in bad_code.json()["errors"]
    assert "GB 32100" in bad_code.json()["errors"]["holder_uscc"][0]
    assert not MiningRight.objects.exists()
