"""The portal and console pages of 高效办成一件事, as a person uses them."""

import pytest

from bundles import services
from bundles.models import Application, Bundle, Problem

from .helpers import CREDIT_FACTS, apply, pdf

pytestmark = pytest.mark.usefixtures("bundles_demo")


def test_the_enterprise_applies_once_on_the_portal(signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in("agent")
    assert "信用修复一件事" in client.get("/bundles/").content.decode()
    bundle = Bundle.objects.get(code="credit-repair")
    questions = services.questionnaire(bundle)
    query = "&".join(f"q_{q['key']}={q['options'][0]}" for q in questions)
    page = client.get(f"/bundles/credit-repair/?{query}").content.decode()
    assert "一表申请" in page and "行政处罚决定书文号" in page
    answers = {q["key"]: q["options"][0] for q in questions}
    needed = services.materials_needed(bundle, answers)
    data = {f"q_{k}": v for k, v in answers.items()}
    data.update({f"fact_{k}": v for k, v in CREDIT_FACTS.items()})
    data["fact_phone"] = "123"
    for n, m in enumerate(needed):
        if not m["e_certificate"]:
            data[f"material_{n}"] = pdf()
    from accounts.models import Organisation

    data["organisation"] = Organisation.objects.get(name="成都锦程数字科技有限公司").pk
    response = client.post("/bundles/credit-repair/", data)
    assert response.status_code == 400 and "“联系电话”格式不正确" in response.content.decode()
    assert not Application.objects.exists()
    data["fact_phone"] = "13800001234"
    for n, m in enumerate(needed):
        if not m["e_certificate"]:
            data[f"material_{n}"] = pdf()
    response = client.post("/bundles/credit-repair/", data)
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/bundles/applications/{application.number}/"
    page = client.get(response.url).content.decode()
    assert "办理中" in page and "市场监管领域行政处罚信息信用修复" in page and "全部事项办结后，结果一并送达" in page
    assert application.number in client.get("/bundles/applications/").content.decode()


def test_someone_else_cannot_see_the_application(signed_in):
    application = apply()
    assert signed_in("citizen").get(f"/bundles/applications/{application.number}/").status_code == 403


def test_console_pages(signed_in):
    import datetime as dt

    from django.utils import timezone

    promise = {
        "material": "信用承诺书",
        "promise": "承诺补交盖章的信用承诺书",
        "due_date": timezone.localdate() + dt.timedelta(days=2),
    }
    application = apply(skip=("信用承诺书",), deferrals=[promise])
    # three days later the promise is still open
    application.deferrals.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    client = signed_in("manager")
    home = client.get("/console/").content.decode()
    assert "高效办成一件事" in home and "一件事问题清单" in home
    page = client.get("/console/bundles/").content.decode()
    assert "企业破产一件事" in page and "按时办结率" in page and application.number in page
    assert "信用承诺书，承诺" in page and "已逾期" in page  # the overdue 容缺 promise
    page = client.get("/console/bundles/bankruptcy/").content.decode()
    assert "前置：第2、3、4项" in page and "开始系统演示" in page
    page = client.get(f"/console/bundles/applications/{application.number}/").content.decode()
    assert application.children.first().case.number in page


def test_the_problem_list_pages(signed_in):
    client = signed_in("manager")
    bundle = Bundle.objects.get(code="bankruptcy")
    page = client.get("/console/bundles/problems/").content.decode()
    assert "清税证明未能自动推送" in page
    client.post("/console/bundles/problems/", {"bundle": bundle.pk, "title": "", "kind": "form"})
    assert not Problem.objects.filter(title="").exists()
    client.post(
        "/console/bundles/problems/",
        {
            "bundle": bundle.pk,
            "title": "管理人无法在线签章",
            "kind": "form",
            "measures": "接入电子签章",
            "deadline": "2026-12-20",
        },
    )
    problem = Problem.objects.get(title="管理人无法在线签章")
    client.post(
        f"/console/bundles/problems/{problem.pk}/",
        {"action": "handle", "version": problem.version, "measures": "已接入电子签章"},
    )
    problem.refresh_from_db()
    assert problem.state == "handled"
    page = client.get(f"/console/bundles/problems/{problem.pk}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "处理完成" in history and "状态：待处理 → 已处理" in history
    assert "解决措施：接入电子签章 → 已接入电子签章" in history
    assert "handle" not in history and "measures" not in history  # names a person reads, not column names


def test_the_demonstration_page_runs_and_rolls_back(signed_in):
    client = signed_in("manager")
    before = Application.objects.count()
    page = client.post("/console/bundles/credit-repair/demonstration/").content.decode()
    assert "已全部回退" in page and "结果一并送达" in page
    assert Application.objects.count() == before


def test_a_window_raises_a_ticket_and_sees_it(signed_in):
    client = signed_in("clerk")
    bundle = Bundle.objects.get(code="restaurant")
    client.post(
        "/console/bundles/problems/", {"bundle": bundle.pk, "title": "消防检查预约系统无法选择日期", "kind": "system"}
    )
    problem = Problem.objects.get(title="消防检查预约系统无法选择日期")
    assert problem.source == "window" and problem.owner == bundle.lead
    page = client.get("/console/bundles/problems/").content.decode()
    assert "消防检查预约系统无法选择日期" in page and "清税证明未能自动推送" not in page
