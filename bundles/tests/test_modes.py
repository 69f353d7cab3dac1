"""The modes of 国发〔2024〕3号 change what happens: 免申办 is started by the
window from the platform's own data and cannot be applied for; 跨域办 takes
applicants registered outside the lead's region, the others do not; a 容缺
promise not kept ends with the acceptance withdrawn."""

import datetime as dt

import pytest
from django.utils import timezone

from bundles import services
from bundles.demo import load_demo
from bundles.models import Application, Bundle, Deferral, Problem
from cases import services as cases
from cases.models import Case, Certificate
from catalog.models import Matter
from core.errors import Conflict, ServiceError
from core.models import Department

from .helpers import apply, enterprise, pdf, user

pytestmark = pytest.mark.usefixtures("bundles_demo")
FIELDS = [{"key": "name", "label": "企业名称", "kind": "text", "required": True}]


def _bundle(code, mode, lead):
    tax, social = Matter.objects.get(name="税务登记"), Matter.objects.get(name="单位社会保险参保登记")
    items = [
        {"matter": tax, "situation": tax.situations.get(name="注销登记"), "field_map": {"纳税人名称": "name"}},
        {"matter": social, "situation": social.situations.get(name="注销登记"), "field_map": {"单位名称": "name"}},
    ]
    manager = user("manager")
    bundle = services.save_bundle(
        manager, code=code, name=f"{code}一件事", mode=mode, lead=lead, items=items, fields=FIELDS
    )
    services.review_bundle(manager, bundle, approve=True, version=bundle.version)
    return services.confirm_bundle(user("admin"), bundle, version=bundle.version)


def _province_tax():
    return Department.objects.get(function="tax", region_id="510000")


def _issued(org, title, n):
    """A certificate this platform issued to the enterprise earlier."""
    from cases import services as cases

    matter = Matter.objects.get(name="企业设立登记")
    case = cases.receive(
        user("clerk"),
        matter=matter,
        situation=matter.situations.first(),
        channel="window",
        region=matter.department.region,
        applicant_organisation=org,
    )
    return Certificate.objects.create(
        case=case,
        number=f"CERT-M{n}",
        e_certificate_id=f"EC-M{n}",
        title=title,
        holder_name=org.name,
        holder_code=org.uscc,
        issuer=matter.department,
        issued_at=timezone.now(),
    )


def test_no_application_is_not_applied_for_but_started_by_the_window_from_platform_data(signed_in):
    bundle = _bundle("proactive", "no_application", _province_tax())
    org = enterprise()
    before = Application.objects.count(), Case.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.submit(user("agent"), bundle, answers={}, facts={"name": org.name}, applicant_organisation=org)
    assert caught.value.code == "no_application" and "无需申请" in caught.value.message
    page = signed_in("agent").get(f"/bundles/{bundle.code}/").content.decode()
    assert "无需申请" in page and "一次提交" not in page
    # A material the platform does not hold: the window cannot start it, and says which.
    needed = [m["name"] for m in services.materials_needed(bundle, {}) if not m["e_certificate"]]
    assert needed
    with pytest.raises(ServiceError) as caught:
        services.start_without_application(
            user("clerk"), bundle, answers={}, facts={"name": org.name}, applicant_organisation=org
        )
    assert f"免申办须由平台已有数据提供“{needed[0]}”" in caught.value.errors[f"material_{needed[0]}"][0]
    assert (Application.objects.count(), Case.objects.count()) == before
    client = signed_in("clerk")
    answers = {f"q_{q['key']}": q["options"][0] for q in services.questionnaire(bundle)}
    # At the console too, and the form comes back as the window filled it in.
    response = client.post(
        f"/console/bundles/{bundle.code}/",
        {"action": "start", "applicant_code": org.uscc, "fact_name": org.name, **answers},
    )
    page = response.content.decode()
    assert response.status_code == 400 and f"免申办须由平台已有数据提供“{needed[0]}”" in page
    assert f'value="{org.uscc}"' in page and f'value="{org.name}"' in page
    assert (Application.objects.count(), Case.objects.count()) == before
    for n, name in enumerate(needed):
        _issued(org, name, n)
    response = client.post(
        f"/console/bundles/{bundle.code}/",
        {"action": "start", "applicant_code": "91510000000000000X", "fact_name": org.name, **answers},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "统一社会信用代码：没有“91510000000000000X”的申请人" in page
    assert 'value="91510000000000000X"' in page and f'value="{org.name}"' in page
    response = client.post(
        f"/console/bundles/{bundle.code}/",
        {"action": "start", "applicant_code": org.uscc.lower(), "fact_name": org.name, **answers},
    )
    assert response.status_code == 302, [str(m) for m in response.wsgi_request._messages]
    application = Application.objects.get(bundle=bundle)
    assert response.status_code == 302 and response.url == f"/console/bundles/applications/{application.number}/"
    assert application.submitted_by == user("clerk") and application.applicant_organisation == org
    for child in application.children.select_related("case"):
        assert child.case.channel == "window"
        assert "免申办：依据平台已有数据主动办理" in child.case.events.get(kind="receive").reason
    assert {m.certificate.title for m in application.materials.all()} == set(needed)
    # The enterprise follows it like any application of its own.
    assert application.number in signed_in("agent").get("/bundles/applications/").content.decode()


def test_cross_region_takes_applicants_from_elsewhere_the_others_do_not():
    elsewhere = (
        Department.objects.filter(function="tax")
        .exclude(region__code__startswith="5101")
        .exclude(region_id="510000")
        .first()
    )
    org = enterprise()
    assert not elsewhere.region.covers(org.region_id)
    _bundle("local", "linked", elsewhere)
    with pytest.raises(ServiceError) as caught:
        apply("local", facts={"name": org.name})
    assert "跨域办的一件事才可异地申请" in caught.value.errors["applicant"][0]
    assert not Application.objects.filter(bundle__code="local").exists()
    _bundle("anywhere", "cross_region", elsewhere)
    application = apply("anywhere", facts={"name": org.name})
    receive = application.children.first().case.events.get(kind="receive")
    assert f"跨域办：申请人登记地{org.region.full_name}" in receive.reason


def _promised():
    promise = {
        "material": "信用承诺书",
        "promise": "本企业承诺三日内补交加盖公章的信用承诺书",
        "due_date": timezone.localdate() + dt.timedelta(days=3),
    }
    application = apply(skip=("信用承诺书",), deferrals=[promise])
    return application, application.deferrals.get()


def test_a_promise_not_kept_is_withdrawn_at_the_console_and_then_no_longer_tracked(signed_in):
    application, deferral = _promised()
    later = timezone.localdate() + dt.timedelta(days=4)
    assert list(services.overdue_deferrals(later)) == [deferral]
    client = signed_in("clerk")
    url = f"/console/bundles/applications/{application.number}/"
    assert "未按承诺补齐，撤销受理" in client.get(url).content.decode()
    client.post(url, {"action": "withdraw", "deferral": deferral.pk, "version": deferral.version, "reason": ""})
    assert Deferral.objects.get(pk=deferral.pk).state == "open"  # a withdrawal names its reason
    response = client.post(
        url, {"action": "withdraw", "deferral": deferral.pk, "version": deferral.version, "reason": "逾期未补交"}
    )
    assert response.status_code == 302 and response.url == url
    deferral.refresh_from_db()
    children = list(application.children.select_related("case", "item__situation"))
    needing = [c.case for c in children if c.item.situation.materials.filter(name="信用承诺书").exists()]
    others = [c.case for c in children if c.case_id and c.case not in needing]
    assert needing and others
    assert deferral.state == "withdrawn"
    assert deferral.note == "逾期未补交；已不予受理：" + "、".join(c.number for c in needing)
    # The children that depended on the promise are ended by the table's own step, by the officer.
    for case in needing:
        case.refresh_from_db()
        refusal = case.events.get(kind="refuse")
        assert case.state == "refused" and refusal.actor == user("clerk")
        assert "容缺材料“信用承诺书”未按承诺" in refusal.reason and "逾期未补交" in refusal.reason
    for case in others:
        case.refresh_from_db()
        assert case.state not in ("refused", "denied")
    parent = client.get(url).content.decode()
    assert "不予受理" in parent and "已不予受理：" + needing[0].number in parent
    assert list(services.overdue_deferrals(later)) == []
    assert "已撤销受理" in signed_in("agent").get(f"/bundles/applications/{application.number}/").content.decode()
    with pytest.raises(Conflict):
        services.supply_deferred(user("agent"), deferral, upload=pdf(), version=deferral.version)
    # The applicant cannot withdraw an acceptance made for them.
    _, other = _promised()
    with pytest.raises(Exception) as caught:
        services.withdraw_deferral(user("agent"), other, reason="x", version=other.version)
    assert caught.type.__name__ == "PermissionDenied"


def test_two_people_on_one_promise_one_wins_the_other_is_told(signed_in):
    application, deferral = _promised()
    services.supply_deferred(user("agent"), deferral, upload=pdf(), version=deferral.version)
    body = (
        signed_in("clerk")
        .post(
            f"/api/v1/bundles/applications/{application.number}/deferrals/{deferral.pk}/withdraw",
            {"version": deferral.version, "reason": "逾期"},
            content_type="application/json",
        )
        .json()
    )
    assert body["code"] == "conflict" and "已被他人处理" in body["message"]
    assert Deferral.objects.get(pk=deferral.pk).state == "supplied"


def test_the_bundle_list_names_each_mode(signed_in):
    modes = dict(Bundle.objects.values_list("code", "mode"))
    assert modes["relocation"] == "cross_region" and modes["credit-repair"] == "linked"
    # The demo has a 免申办 bundle too: confirmed, started by the window, never applied for.
    proactive = Bundle.objects.get(code="newborn-proactive")
    assert (proactive.mode, proactive.state, proactive.lead.function) == (
        "no_application",
        "confirmed",
        "public_security",
    )
    assert "主动办理" in signed_in("clerk").get("/console/bundles/newborn-proactive/").content.decode()
    assert "无需申请" in signed_in("agent").get("/bundles/newborn-proactive/").content.decode()
    # Loading the demo again adds nothing.
    before = Bundle.objects.count(), Problem.objects.count()
    assert load_demo() and (Bundle.objects.count(), Problem.objects.count()) == before


def test_a_promise_overdue_shows_on_the_cases_worklist_of_the_children_that_need_the_material(signed_in):
    application, deferral = _promised()
    client = signed_in("clerk")
    children = list(application.children.select_related("case", "item__situation"))
    needing = [c for c in children if c.item.situation.materials.filter(name="信用承诺书").exists()]
    others = [c for c in children if c not in needing and c.case_id]
    assert needing and others

    def row_of(case):
        page = client.get("/console/cases/", {"view": "all", "q": case.number}).content.decode()
        assert case.number in page
        return page

    assert "容缺逾期" not in row_of(needing[0].case)  # promised for three days ahead: not yet late
    Deferral.objects.filter(pk=deferral.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    late = timezone.localdate() - dt.timedelta(days=1)
    assert f"容缺逾期（信用承诺书，承诺{late:%Y-%m-%d}前补齐）" in row_of(needing[0].case)
    assert "容缺逾期" not in row_of(others[0].case)  # a child that does not need the material
    deferral.refresh_from_db()
    services.supply_deferred(user("agent"), deferral, upload=pdf(), version=deferral.version)
    assert "容缺逾期" not in row_of(needing[0].case)


def test_a_withdrawal_leaves_a_child_its_department_already_holds_to_that_department():
    application, deferral = _promised()
    clerk = user("clerk")
    needing = [
        c.case
        for c in application.children.select_related("case", "item__situation")
        if c.item.situation.materials.filter(name="信用承诺书").exists()
    ]
    held = needing[0]
    cases.accept(clerk, held)
    held.refresh_from_db()
    cases.transfer(clerk, held, to_department=held.holder)
    withdrawn = services.withdraw_deferral(clerk, deferral, reason="逾期未补交", version=deferral.version)
    held.refresh_from_db()
    assert held.state == "reviewing"  # the window cannot refuse what a department holds
    assert withdrawn.left == [f"{held.number}（{held.holder.name}）"]
    assert f"由承办部门作出决定：{held.number}" in Deferral.objects.get(pk=deferral.pk).note
