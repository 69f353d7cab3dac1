"""Console pages: a department maintains its own documents and items, the
centre reviews, overdue breakdowns and import are listed."""

import json

import pytest
from django.urls import reverse

from policies.models import PolicyDocument, Status

pytestmark = pytest.mark.django_db


def test_department_creates_document_and_item_and_submits(signed_in, document_data, item_data):
    client = signed_in("deptadmin")
    data = document_data()
    response = client.post(reverse("policies_console:document_new"), dict(data.items()))
    doc = PolicyDocument.objects.get(number=data["number"])
    assert response.status_code == 302 and doc.articles.count() == 3
    item = item_data()
    item["sizes"] = ["medium", "small"]
    response = client.post(reverse("policies_console:item_new", args=[doc.pk]), item)
    assert response.status_code == 302 and doc.items.get().sizes == ["medium", "small"]
    client.post(reverse("policies_console:document_step", args=[doc.pk]), {"step": "submit", "version": doc.version})
    doc.refresh_from_db()
    assert doc.status == Status.REVIEW
    page = client.get(reverse("policies_console:index")).content.decode()
    assert doc.title in page


def test_form_shows_chinese_field_errors_and_saves_nothing(signed_in, document_data):
    client = signed_in("deptadmin")
    response = client.post(
        reverse("policies_console:document_new"), document_data(number="川自然资发2024-7", expires_on="2024-01-01")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "格式不正确" in page and "失效日期" in page and "应晚于" in page
    assert not PolicyDocument.objects.filter(number__startswith="川自然资发2024").exists()


def test_centre_reviews_and_returns(signed_in, library):
    doc = library.document("review")
    other = library.document("review", number="川自然资发〔2024〕8号")
    client = signed_in("manager")
    page = client.get(reverse("policies_console:review")).content.decode()
    assert doc.title in page
    client.post(reverse("policies_console:document_step", args=[doc.pk]), {"step": "approve", "version": doc.version})
    client.post(
        reverse("policies_console:document_step", args=[other.pk]),
        {"step": "return", "version": other.version, "comment": "请补充附件"},
    )
    doc.refresh_from_db(), other.refresh_from_db()
    assert doc.status == Status.PUBLISHED and other.status == Status.DRAFT and other.review_comment == "请补充附件"


def test_stale_version_is_refused_with_a_message(signed_in, library):
    doc = library.document("review")
    client = signed_in("manager")
    response = client.post(
        reverse("policies_console:document_step", args=[doc.pk]),
        {"step": "approve", "version": doc.version + 5},
        follow=True,
    )
    assert "已被他人修改" in response.content.decode()
    doc.refresh_from_db()
    assert doc.status == Status.REVIEW


def test_department_cannot_publish_or_see_other_departments(signed_in, library):
    doc = library.document("review")
    client = signed_in("deptadmin")
    assert client.get(reverse("policies_console:review")).status_code == 403
    client.post(reverse("policies_console:document_step", args=[doc.pk]), {"step": "approve", "version": doc.version})
    doc.refresh_from_db()
    assert doc.status == Status.REVIEW
    # A county reviewer of the same function sees nothing of the province's.
    page = signed_in("reviewer_jinjiang").get(reverse("policies_console:index")).content.decode()
    assert doc.title not in page


def test_overdue_page_lists_documents_without_items(signed_in, library, demo_user):
    from policies import services

    doc = library.document("review")
    doc.items.all().delete()
    services.approve_document(demo_user("manager"), doc)
    PolicyDocument.objects.filter(pk=doc.pk).update(breakdown_due="2024-01-02")
    page = signed_in("manager").get(reverse("policies_console:overdue")).content.decode()
    assert doc.title in page
    assert signed_in("deptadmin").get(reverse("policies_console:overdue")).status_code == 403


def test_import_page_shows_errors_by_row(signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = json.dumps(
        {"政策文件": [{"文号": "坏文号", "标题": "", "发文机关": "四川省自然资源厅", "发布日期": "2024-05-06"}]},
        ensure_ascii=False,
    ).encode()
    client = signed_in("deptadmin")
    response = client.post(reverse("policies_console:import"), {"file": SimpleUploadedFile("p.json", content)})
    page = response.content.decode()
    assert "政策文件 第1条 文号" in page and "政策文件 第1条 标题" in page
    export = client.get(reverse("policies_console:export") + "?format=json")
    assert export.status_code == 200 and "政策文件" in json.loads(export.content)


def test_items_page_lists_own_department_items_only(signed_in, library):
    library.document("review")
    page = signed_in("deptadmin").get(reverse("policies_console:items")).content.decode()
    assert "专精特新“小巨人”企业奖励" in page
    other = signed_in("reviewer_jinjiang").get(reverse("policies_console:items")).content.decode()
    assert "专精特新“小巨人”企业奖励" not in other
