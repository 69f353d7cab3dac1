"""A bundle is drafted, reviewed and confirmed like an acceptance manual; its
form's field map and its declared order are checked when it is saved."""

import pytest

from bundles import services
from bundles.models import Bundle
from catalog.models import Matter
from core.errors import Conflict, ServiceError
from core.models import Department

from .helpers import user

pytestmark = pytest.mark.usefixtures("bundles_demo")


def _items():
    tax = Matter.objects.get(name="税务登记")
    social = Matter.objects.get(name="单位社会保险参保登记")
    return [
        {"matter": tax, "situation": tax.situations.get(name="注销登记"), "field_map": {"纳税人名称": "name"}},
        {
            "matter": social,
            "situation": social.situations.get(name="注销登记"),
            "after": [1],
            "field_map": {"单位名称": "name"},
        },
    ]


FIELDS = [{"key": "name", "label": "企业名称", "kind": "text", "required": True}]


def test_draft_review_confirm_with_versions_and_a_stale_review():
    manager, admin = user("manager"), user("admin")
    lead = Department.objects.get(function="tax", region_id="510000")
    bundle = services.save_bundle(
        manager,
        code="deregistration",
        name="企业简易注销一件事",
        mode="linked",
        lead=lead,
        items=_items(),
        fields=FIELDS,
        note="首次梳理",
    )
    assert (bundle.state, bundle.version) == ("drafted", 1)
    assert [d.short_name for d in bundle.cooperating.all()] == ["人力资源社会保障厅"]
    services.review_bundle(manager, bundle, approve=False, comment="缺少公积金注销", version=1)
    with pytest.raises(Conflict):
        services.confirm_bundle(admin, bundle, version=1)
    bundle = services.save_bundle(
        manager,
        bundle=bundle,
        version=1,
        code="deregistration",
        name="企业简易注销一件事",
        mode="linked",
        lead=lead,
        items=_items(),
        fields=FIELDS,
        note="补充说明",
    )
    assert bundle.version == 2 and bundle.versions.count() == 2
    with pytest.raises(Conflict):
        services.review_bundle(manager, bundle, approve=True, version=1)  # reviewed the old version
    services.review_bundle(manager, bundle, approve=True, version=2)
    services.confirm_bundle(admin, bundle, version=2)
    bundle.refresh_from_db()
    assert bundle.state == "confirmed"
    assert [(s.action, s.version) for s in bundle.steps.all()] == [
        ("draft", 1),
        ("return", 1),
        ("draft", 2),
        ("approve", 2),
        ("confirm", 2),
    ]


def test_a_bad_field_map_or_order_is_named_and_nothing_saved():
    items = _items()
    items[0]["field_map"] = {"纳税人名称": "company"}
    items[1]["after"] = [2]
    with pytest.raises(ServiceError) as caught:
        services.save_bundle(
            user("manager"),
            code="bad",
            name="有问题的一件事",
            mode="linked",
            lead=Department.objects.get(function="tax", region_id="510000"),
            items=items,
            fields=FIELDS,
        )
    messages = caught.value.errors["items"]
    assert "第1个事项“税务登记”的字段对应引用了表单中没有的字段：company" in messages
    assert "第2个事项“单位社会保险参保登记”的前置事项只能是排在它前面的事项" in messages
    assert not Bundle.objects.filter(code="bad").exists()


def test_an_unconfirmed_bundle_cannot_be_applied_for():
    bundle = Bundle.objects.get(code="credit-repair")
    Bundle.objects.filter(pk=bundle.pk).update(state="drafted")
    bundle.refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.submit(user("agent"), bundle, answers={}, facts={})
    assert caught.value.code == "not_published"


def test_a_certificate_the_platform_issued_is_attached_by_reference(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from cases.models import Certificate

    from .helpers import apply, enterprise

    org = enterprise()
    Certificate.objects.create(
        case=_some_case(org),
        number="CERT-1",
        e_certificate_id="EC-1",
        title="营业执照",
        holder_name=org.name,
        holder_code=org.uscc,
        issuer=Department.objects.get(function="market_regulation", region_id="510000"),
        issued_at="2026-01-05T02:00:00Z",
    )
    application = apply()
    material = application.materials.get(name="营业执照")
    assert material.certificate.number == "CERT-1" and not material.file
    using = list(material.children.select_related("case"))
    assert len(using) == 2  # the two matters that ask for it
    for child in using:
        assert "营业执照：引用本平台已颁发证照 营业执照 CERT-1" in child.case.events.get(kind="receive").reason


def _some_case(org):
    from cases import services as cases

    matter = Matter.objects.get(name="企业设立登记")
    return cases.receive(
        user("clerk"),
        matter=matter,
        situation=matter.situations.first(),
        channel="window",
        region=matter.department.region,
        applicant_organisation=org,
    )


def test_the_demo_reviewers_count_as_demo_accounts_for_setup_demo():
    from accounts.models import User
    from tongban.management.commands.setup_demo import real_records

    assert User.objects.filter(username="reviewer_market").exists()
    assert real_records() == []  # `make run` may run again over the demo


def test_the_centre_drafts_a_bundle_at_the_console_then_reviews_and_confirms_it(signed_in):
    tax, social = Matter.objects.get(name="税务登记"), Matter.objects.get(name="单位社会保险参保登记")
    lead = Department.objects.get(function="tax", region_id="510000")
    client = signed_in("manager")
    assert "梳理新的一件事" in client.get("/console/bundles/").content.decode()
    lines = f"{tax.implementation_code} | 注销登记 | | 纳税人名称=name\n{social.implementation_code} | 注销登记 | 1 | 单位名称=name"
    form = {
        "code": "deregistration",
        "name": "企业简易注销一件事",
        "mode": "linked",
        "lead": lead.pk,
        "for_enterprise": "on",
        "summary": "一次申请，税务和社保同步注销",
        "items": lines.replace(tax.implementation_code, "nothing"),
        "fields": '[{"key": "name", "label": "企业名称", "kind": "text", "required": true}]',
        "questions": "[]",
        "note": "首次梳理",
    }
    bad = client.post("/console/bundles/new/", form)
    page = bad.content.decode()
    assert bad.status_code == 400 and "第1行：没有实施编码为“nothing”的事项" in page
    assert 'value="企业简易注销一件事"' in page and not Bundle.objects.filter(code="deregistration").exists()
    response = client.post("/console/bundles/new/", {**form, "items": lines})
    assert response.status_code == 302 and response.url == "/console/bundles/deregistration/"
    bundle = Bundle.objects.get(code="deregistration")
    assert (bundle.state, bundle.version, bundle.lead) == ("drafted", 1, lead)
    assert [(i.matter, i.after, i.field_map) for i in bundle.items.order_by("position")] == [
        (tax, [], {"纳税人名称": "name"}),
        (social, [1], {"单位名称": "name"}),
    ]
    assert list(bundle.cooperating.all()) == [social.department]  # from the matters' departments
    # 审核 and 确认 on the bundle's page, as for an acceptance manual.
    client.post("/console/bundles/deregistration/", {"action": "approve", "version": 1})
    signed_in("admin").post("/console/bundles/deregistration/", {"action": "confirm", "version": 1})
    assert Bundle.objects.get(code="deregistration").state == "confirmed"
    # 梳理 again: the form opens with the text it has and saves a new version for review.
    client = signed_in("manager")
    page = client.get("/console/bundles/deregistration/edit/").content.decode()
    assert f"{social.implementation_code} | 注销登记 | 1 | 单位名称=name" in page
    edited = {**form, "items": lines, "name": "企业注销一件事", "version": 1, "note": "改名"}
    assert client.post("/console/bundles/deregistration/edit/", edited).status_code == 302
    bundle.refresh_from_db()
    assert (bundle.name, bundle.version, bundle.state) == ("企业注销一件事", 2, "drafted")
    stale = client.post("/console/bundles/deregistration/edit/", {**edited, "note": "旧页面"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    # A department's staff may not 梳理.
    assert signed_in("clerk").get("/console/bundles/new/").status_code == 403
