"""An application fans out into ordinary cases; the applicant sees one status."""

import pytest

from bundles import services
from bundles.models import Application, Bundle
from cases.models import Case, CaseFile
from core.errors import ServiceError

from .helpers import CREDIT_FACTS, apply, enterprise, finish, pdf, user

pytestmark = pytest.mark.usefixtures("bundles_demo")


def test_demo_bundles_have_their_structure():
    names = list(Bundle.objects.values_list("name", flat=True))
    assert names == [
        "信用修复一件事",
        "企业破产一件事",
        "开办餐饮店一件事",
        "新生儿出生一件事",
        "企业迁移登记一件事",
        "新生儿落户参保免申办一件事",
    ]
    credit = Bundle.objects.get(code="credit-repair")
    assert credit.state == Bundle.State.CONFIRMED and credit.lead.short_name == "发展改革委（数据局）"
    assert {d.short_name for d in credit.cooperating.all()} == {"市场监管局", "税务局"}
    assert [s.action for s in credit.steps.all()] == ["draft", "approve", "confirm"]
    bankruptcy = Bundle.objects.get(code="bankruptcy")
    assert [(i.matter.department.short_name, i.after) for i in bankruptcy.items.all()] == [
        ("自然资源厅", []),
        ("税务局", [1]),
        ("人力资源社会保障厅", [2]),
        ("住房城乡建设厅", [2]),
        ("市场监管局", [2, 3, 4]),
    ]


def test_one_questionnaire_asks_each_catalogue_guiding_question_once():
    from catalog.models import GuideQuestion

    bundle = Bundle.objects.get(code="bankruptcy")
    questions = services.questionnaire(bundle)
    texts = [q["text"] for q in questions]
    assert len(texts) == len(set(texts))  # asked once, however many matters ask it
    shared = next(q for q in questions if q["text"] == "是否由法定代表人本人办理？")
    assert shared["matters"] == ["税务登记", "单位社会保险参保登记"]  # both matters ask it; asked once
    assert GuideQuestion.objects.filter(text=shared["text"], matter__name__in=shared["matters"]).count() == len(
        shared["matters"]
    )
    answers = {q["key"]: q["options"][-1] for q in questions}  # the other answers bring in more materials
    extra = {m["name"] for m in services.materials_needed(bundle, answers)} - {
        m["name"] for m in services.materials_needed(bundle, {q["key"]: q["options"][0] for q in questions})
    }
    assert extra  # an answer decides which materials apply


def test_a_fact_entered_once_reaches_every_child_and_a_material_given_once_is_attached_to_each():
    application = apply()
    children = list(application.children.select_related("case", "item__matter"))
    assert len(children) == 3 and all(c.case is not None for c in children)
    for child in children:
        receive = child.case.events.get(kind="receive")
        assert "川市监罚〔2026〕118号" in receive.reason  # the one form's fact, in every child
        assert child.facts["行政处罚决定书文号"] == "川市监罚〔2026〕118号"
        assert child.case.applicant_name == "成都锦程数字科技有限公司" and child.case.channel == "online"
    # 信用修复申请书 is needed by two matters, given once, attached to both cases
    material = application.materials.get(name="信用修复申请书")
    assert material.children.count() == 2
    files = CaseFile.objects.filter(original_name="信用修复申请书")
    assert files.count() == 2 and len({f.file.name for f in files}) == 1
    assert {f.case.matter.department.short_name for f in files} == {"市场监管局", "发展改革委（数据局）"}


def test_bad_form_input_names_the_field_and_changes_nothing():
    before = Case.objects.count(), Application.objects.count()
    with pytest.raises(ServiceError) as caught:
        apply(facts={**CREDIT_FACTS, "phone": "12345", "penalty_date": "2026-13-01", "contact": ""})
    errors = caught.value.errors
    assert errors["fact_phone"] == ["“联系电话”格式不正确：11位手机号码"]
    assert errors["fact_penalty_date"] == ["“处罚决定日期”应为日期，格式为 YYYY-MM-DD"]
    assert errors["fact_contact"] == ["“联系人”为必填项"]
    assert (Case.objects.count(), Application.objects.count()) == before


def test_a_missing_material_is_named_with_the_matters_needing_it():
    with pytest.raises(ServiceError) as caught:
        apply(skip=("信用承诺书",))
    assert "请上传“信用承诺书”" in caught.value.errors["material_信用承诺书"][0]
    assert "信用修复" in caught.value.errors["material_信用承诺书"][0]


def test_one_correction_gathering_every_child_answered_once_and_one_combined_result():
    application = apply()
    a, b, c = [ch.case for ch in application.children.select_related("case")]
    clerk = user("clerk")
    from cases import services as cases

    for case in (a, b, c):
        cases.accept(clerk, case)
        case.refresh_from_db()
        cases.transfer(clerk, case, to_department=case.holder)
    a.refresh_from_db()
    b.refresh_from_db()
    cases.request_correction(
        user("reviewer_market"), a, [{"material": "履行行政处罚决定的证明", "problem": "缺少缴款凭证"}]
    )
    cases.request_correction(user("reviewer_credit"), b, [{"material": "信用承诺书", "problem": "未加盖公章"}])
    view = services.status(application)
    assert view["state_label"] == "待补正"
    assert [(x["department"], x["problem"]) for x in view["corrections"]] == [
        ("市场监管局", "缺少缴款凭证"),
        ("发展改革委（数据局）", "未加盖公章"),
    ]
    answered = services.answer_corrections(
        user("agent"), application, note="已补缴款凭证并加盖公章", uploads_by_material={"信用承诺书": pdf()}
    )
    assert {x.pk for x in answered} == {a.pk, b.pk}
    assert services.status(application)["state_label"] == "办理中"
    for case in (a, b, c):
        finish(case)
    view = services.status(application)
    assert view["state_label"] == "已办结" and view["done"]
    assert len(view["results"]) == 3  # all results together
    application.refresh_from_db()
    assert application.completed_at is not None


def test_results_wait_until_every_child_is_done_and_a_refused_child_says_what_next():
    application = apply()
    a, b, c = [ch.case for ch in application.children.select_related("case")]
    finish(a)
    assert services.status(application)["results"] == []  # not one by one
    from cases import services as cases

    cases.refuse(
        user("clerk"),
        b,
        reasons="处罚决定尚未履行完毕",
        legal_basis="《失信行为纠正后的信用信息修复管理办法（试行）》第十条",
    )
    finish(c)
    view = services.status(application)
    assert view["state_label"] == "部分事项未通过"
    refused = next(r for r in view["children"] if r["case"] and r["case"].pk == b.pk)
    assert refused["reason"] == "处罚决定尚未履行完毕" and "重新申请" in refused["next_step"]
    assert len(view["results"]) == 2


def test_bankruptcy_children_start_in_declared_order():
    facts = {
        "court_ruling": "（2026）川01破12号之五",
        "administrator": "四川蜀信律师事务所",
        "contact": "陈刚",
        "phone": "13800001234",
    }
    application = apply("bankruptcy", facts=facts)
    children = {c.item.position: c for c in application.children.select_related("case", "item")}
    assert [p for p, c in children.items() if c.case_id] == [1]
    finish(children[1].case)
    children = {c.item.position: c for c in application.children.select_related("case", "item")}
    assert [p for p, c in children.items() if c.case_id] == [1, 2]
    finish(children[2].case)
    children = {c.item.position: c for c in application.children.select_related("case", "item")}
    assert [p for p, c in children.items() if c.case_id] == [1, 2, 3, 4]
    finish(children[3].case)
    assert application.children.get(item__position=5).case_id is None  # still waits for 4
    finish(children[4].case)
    last = application.children.get(item__position=5)
    assert last.case is not None and last.case.matter.name == "企业注销登记"


def test_a_refused_prerequisite_blocks_the_rest_and_says_so():
    facts = {
        "court_ruling": "（2026）川01破12号",
        "administrator": "四川蜀信律师事务所",
        "contact": "陈刚",
        "phone": "13800001234",
    }
    application = apply("bankruptcy", facts=facts)
    first = application.children.get(item__position=1).case
    finish(first, approve=False)
    view = services.status(application)
    assert view["state_label"] == "部分事项未通过"
    assert [r["state"] for r in view["children"]][1:] == ["无法开始"] * 4


def test_only_the_agent_of_the_enterprise_may_apply():
    bundle = Bundle.objects.get(code="credit-repair")
    with pytest.raises(ServiceError) as caught:
        services.submit(user("citizen"), bundle, answers={}, facts=CREDIT_FACTS, applicant_organisation=enterprise())
    assert caught.value.errors["applicant"] == ["只能以本人代办的企业名义申请"]


def test_the_form_contents_are_stored_encrypted():
    """Issue 16: names, phones and numbers typed into the one form are personal data at rest."""
    from django.db import connection

    application = apply()
    with connection.cursor() as cursor:
        cursor.execute("SELECT facts FROM bundles_application WHERE id = %s", [application.pk])
        [stored] = cursor.fetchone()
        cursor.execute("SELECT facts FROM bundles_applicationchild WHERE application_id = %s", [application.pk])
        children = [row[0] for row in cursor.fetchall()]
    for value in [stored, *children]:
        assert str(value).startswith("sm4g$") and "川市监罚" not in str(value)
    assert Application.objects.get(pk=application.pk).facts["penalty_number"] == "川市监罚〔2026〕118号"
