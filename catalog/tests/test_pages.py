"""Public guide pages and console pages as people meet them."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import Manual, Matter, Situation


def html(response):
    return response.content.decode()


# --- public ------------------------------------------------------------------


def test_public_list_searches_filters_and_paginates(client, db):
    page = html(client.get("/matters/"))
    assert "办事指南" in page and "下一页" in page
    found = html(client.get("/matters/", {"q": "采矿权"}))
    assert "采矿权登记" in found and "律师执业许可" not in found
    justice = Matter.objects.filter(department__function="justice").first().department_id
    filtered = html(client.get("/matters/", {"department": justice}))
    assert "律师执业许可" in filtered and "采矿权登记" not in filtered
    partial = client.get("/matters/", {"q": "律师"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial) and "律师执业许可" in html(partial)


def test_guide_page_shows_the_facts_and_every_situation(client, db):
    matter = Matter.objects.get(name="医疗机构执业登记")
    page = html(client.get(reverse("catalog:guide", args=[matter.pk])))
    for text in (
        "行政许可",
        "四川省卫生健康委员会",
        "45个工作日",
        "20个工作日",
        "医疗机构执业许可证",
        "可网上办理",
        "校验",
        "免提交",
        matter.questions.first().text,
    ):
        assert text in page, text


def test_guided_questions_work_without_javascript(client, db):
    matter = Matter.objects.get(name="采矿权登记")
    url = reverse("catalog:guide", args=[matter.pk])
    q1, q2, q3 = matter.questions.order_by("position")
    not_first = q1.options.order_by("position")[1]
    page = html(client.get(url, {f"q{q1.pk}": not_first.pk}))
    assert q2.text in page and "采矿权延续登记" in page
    renew = q2.options.get(situations__name="采矿权延续登记")
    agent = q3.options.order_by("position")[1]
    page = html(client.get(url, {f"q{q1.pk}": not_first.pk, f"q{q2.pk}": renew.pk, f"q{q3.pk}": agent.pk}))
    assert "办理情形：采矿权延续登记" in page and "请准备以下材料" in page
    assert "授权委托书" in page and "免提交" in page


def test_guided_questions_via_htmx_return_the_fragment(client, db):
    matter = Matter.objects.get(name="采矿权登记")
    q1 = matter.questions.order_by("position").first()
    first = q1.options.order_by("position").first()
    response = client.get(
        reverse("catalog:guide", args=[matter.pk]),
        {f"q{q1.pk}": first.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="guide",
    )
    body = html(response)
    assert "<html" not in body
    assert "办理情形：采矿权新立登记" in body and "矿产资源开发利用方案" in body


def test_inactive_matter_is_not_public(client, db):
    matter = Matter.objects.first()
    Matter.objects.filter(pk=matter.pk).update(active=False)
    assert client.get(reverse("catalog:guide", args=[matter.pk])).status_code == 404


# --- console -----------------------------------------------------------------


def test_console_pages_render_for_the_manager(signed_in, db):
    client = signed_in("manager")
    matter = Matter.objects.get(name="采矿权登记")
    situation = matter.situations.first()
    for url in [
        "/console/catalog/",
        f"/console/catalog/matters/{matter.pk}/",
        f"/console/catalog/matters/{matter.pk}/edit/",
        "/console/catalog/matters/new/",
        "/console/catalog/import/",
        "/console/catalog/manuals/",
        "/console/catalog/manuals/?state=returned",
        f"/console/catalog/manuals/{situation.pk}/",
        f"/console/catalog/manuals/{situation.pk}/versions/1/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_progress_page_shows_the_bulletin_sentence(signed_in, db):
    page = html(signed_in("clerk").get("/console/catalog/manuals/progress/"))
    assert "已完成590个事项情形项的梳理、审核和确认工作，涉及12个省级部门" in page
    assert "自然资源厅" in page and "住房城乡建设厅" in page


def test_public_and_anonymous_users_are_kept_out_of_the_console(client, signed_in, db):
    assert client.get("/console/catalog/").status_code == 302
    assert signed_in("citizen").get("/console/catalog/").status_code == 403


def test_reviewer_sees_no_review_form_and_cannot_post_one(signed_in, db):
    manual = Manual.objects.filter(
        state=Manual.State.DRAFTED, situation__matter__department__function="natural_resources"
    ).first()
    url = f"/console/catalog/manuals/{manual.situation_id}/"
    client = signed_in("reviewer")
    assert "提交审核意见" not in html(client.get(url))
    response = client.post(url + "review/", {"decision": "approve", "version": manual.version})
    assert response.status_code == 403
    assert Manual.objects.get(pk=manual.pk).state == Manual.State.DRAFTED


def test_manager_returns_a_manual_with_comments_on_the_page(signed_in, db):
    manual = Manual.objects.filter(state=Manual.State.DRAFTED).first()
    url = f"/console/catalog/manuals/{manual.situation_id}/"
    client = signed_in("manager")
    assert "提交审核意见" in html(client.get(url))
    client.post(url + "review/", {"decision": "return", "comment": "请补充材料审查要点", "version": manual.version})
    manual.refresh_from_db()
    assert manual.state == Manual.State.RETURNED
    page = html(client.get(url))
    assert "请补充材料审查要点" in page and "退回修改" in page


def test_deptadmin_confirms_a_reviewed_manual(signed_in, db):
    manual = Manual.objects.filter(
        state=Manual.State.REVIEWED, situation__matter__department__function="natural_resources"
    ).first()
    url = f"/console/catalog/manuals/{manual.situation_id}/"
    client = signed_in("deptadmin")
    assert "确认发布" in html(client.get(url))
    client.post(url + "confirm/", {"version": manual.version})
    manual.refresh_from_db()
    assert manual.state == Manual.State.CONFIRMED


def test_editing_a_manual_saves_a_new_version_and_a_stale_form_keeps_the_text(signed_in, db):
    situation = Situation.objects.filter(
        matter__department__function="natural_resources", manual__state=Manual.State.CONFIRMED
    ).first()
    manual = situation.manual
    url = f"/console/catalog/manuals/{situation.pk}/edit/"
    client = signed_in("deptadmin")
    page = html(client.get(url))
    assert "保存为新版本" in page
    data = {
        "steps": "1. 核验身份",
        "refusal_reasons": "不属于职权",
        "correction_reasons": "材料不齐",
        "legal_basis": "",
        "note": "第一次修改",
        "version": manual.version,
    }
    for m in situation.materials.all():
        data[f"check_{m.pk}"] = "核对"
    response = client.post(url, data)
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.version == 2 and manual.state == Manual.State.DRAFTED
    stale = dict(data, steps="1. 这是另一个人没保存上的内容", version=1)
    page = html(client.post(url, stale))
    assert "已被" in page and "这是另一个人没保存上的内容" in page and "他人刚保存的第2版" in page
    manual.refresh_from_db()
    assert manual.version == 2


def test_other_departments_admin_cannot_open_the_editor(signed_in, db):
    situation = Situation.objects.filter(matter__department__function="transport").first()
    assert signed_in("deptadmin").get(f"/console/catalog/manuals/{situation.pk}/edit/").status_code == 403
    matter = situation.matter
    assert signed_in("deptadmin").get(f"/console/catalog/matters/{matter.pk}/edit/").status_code == 403


def test_export_download_and_import_upload_with_row_errors(signed_in, db):
    client = signed_in("manager")
    justice = Matter.objects.filter(department__function="justice").first().department_id
    response = client.get(f"/console/catalog/export/?format=xlsx&department={justice}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    book["情形"]["D4"] = "改名"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "bad.xlsx"
    page = html(client.post("/console/catalog/import/", {"file": out}))
    assert "情形 第4行 情形类型：" in page and "未作任何修改" in page
    json_response = client.get(f"/console/catalog/export/?format=json&department={justice}")
    upload = io.BytesIO(json_response.content)
    upload.name = "ok.json"
    response = client.post("/console/catalog/import/", {"file": upload}, follow=True)
    assert "导入完成" in html(response)


def test_matter_edit_form_shows_service_errors(signed_in, db):
    matter = Matter.objects.get(name="采矿权登记")
    client = signed_in("deptadmin")
    response = client.post(
        f"/console/catalog/matters/{matter.pk}/edit/",
        {
            "name": matter.name,
            "matter_type": matter.matter_type,
            "department": matter.department_id,
            "catalogue_code": matter.catalogue_code,
            "implementation_code": matter.implementation_code,
            "levels": ["province"],
            "review_levels": "province",
            "legal_limit": 10,
            "promised_limit": 20,
            "result_name": matter.result_name,
            "visits": 0,
        },
    )
    assert "承诺时限不能超过法定时限" in html(response)
    matter.refresh_from_db()
    assert matter.promised_limit == 20 and matter.legal_limit == 40
