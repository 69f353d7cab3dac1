"""The library's services: drafting, review, publication, withdrawal,
expiry, overdue breakdowns, validation and concurrent edits."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import Conflict, ServiceError
from policies import services
from policies.models import BenefitItem, PolicyDocument, Status
from policies.stats import zone_counters

pytestmark = pytest.mark.django_db


def test_department_drafts_and_the_centre_publishes(demo_user, library):
    before = zone_counters()
    doc = library.document("review")
    assert doc.status == Status.REVIEW and doc.items.get().status == Status.REVIEW
    assert zone_counters() == before  # nothing listed until the centre approves
    doc = services.approve_document(demo_user("manager"), doc, at=dt.datetime(2024, 11, 4, 2, tzinfo=dt.UTC))
    assert doc.status == Status.PUBLISHED and doc.published_at is not None
    # 7 working days after Monday 2024-11-04 is Wednesday 2024-11-13.
    assert doc.breakdown_due == dt.date(2024, 11, 13)
    assert doc.items.get().status == Status.PUBLISHED
    after = zone_counters()
    assert after["documents"] == before["documents"] + 1 and after["items"] == before["items"] + 1


def test_articles_are_split_by_their_headings(library):
    doc = library.document()
    assert [a.heading for a in doc.articles.all()] == ["第一条", "第二条", "第三条"]
    assert doc.articles.all()[1].text.startswith("对新认定的国家级")
    assert doc.level == "province" and doc.city_code == ""


def test_return_sends_back_with_comment_and_empty_comment_is_refused(demo_user, library):
    doc = library.document("review")
    with pytest.raises(ServiceError) as exc:
        services.return_document(demo_user("manager"), doc, comment="  ")
    assert "审核意见" in exc.value.errors["comment"][0]
    doc = services.return_document(demo_user("manager"), doc, comment="请补充申报材料")
    assert doc.status == Status.DRAFT and doc.review_comment == "请补充申报材料"
    assert doc.items.get().status == Status.DRAFT


def test_department_cannot_publish_and_other_departments_cannot_edit(demo_user, library, item_data):
    doc = library.document("review")
    with pytest.raises(PermissionDenied):
        services.approve_document(demo_user("deptadmin"), doc)
    draft = library.document(number="川自然资发〔2024〕8号")
    with pytest.raises(PermissionDenied):
        services.update_document(demo_user("reviewer_jinjiang"), draft, {"title": "改标题"})
    with pytest.raises(PermissionDenied):
        services.create_item(demo_user("clerk"), draft, item_data())
    assert PolicyDocument.objects.get(pk=draft.pk).title != "改标题"


def test_validation_names_the_field_in_chinese(demo_user, document_data):
    with pytest.raises(ServiceError) as exc:
        services.create_document(
            demo_user("deptadmin"), document_data(number="川自然资发2024第7号", expires_on="2024-03-01", title="")
        )
    errors = exc.value.errors
    assert "文号" in errors["number"][0] and "〔" in errors["number"][0]
    assert errors["expires_on"][0].startswith("失效日期：应晚于施行日期")
    assert errors["title"][0].startswith("标题")
    assert not PolicyDocument.objects.filter(issuers="四川省自然资源厅", summary="支持专精特新企业用地。").exists()


def test_number_brackets_are_normalised_and_year_checked(demo_user, document_data):
    doc = services.create_document(demo_user("deptadmin"), document_data(number="川自然资发[2024]9号"))
    assert doc.number == "川自然资发〔2024〕9号"
    with pytest.raises(ServiceError) as exc:
        services.create_document(demo_user("deptadmin"), document_data(number="川自然资发〔2023〕9号"))
    assert "年份" in exc.value.errors["number"][0]


def test_item_validation(demo_user, library, item_data):
    doc = library.document()
    with pytest.raises(ServiceError) as exc:
        services.create_item(
            demo_user("deptadmin"),
            doc,
            item_data(apply_until="2024-03-01", industries="C39 X99 C99", sizes="小型 巨型", phone="abc"),
        )
    errors = exc.value.errors
    assert "申报截止" in errors["apply_until"][0]
    assert "X99" in errors["industries"][0] and "C99" in errors["industries"][0]
    assert "巨型" in errors["sizes"][0]
    assert "咨询电话" in errors["phone"][0]
    assert not BenefitItem.objects.filter(document=doc).exists()
    item = services.create_item(demo_user("deptadmin"), doc, item_data())
    assert item.industries == ["C", "C39"] and item.sizes == ["medium", "small"]
    assert item.code.startswith("HQ510000") and item.topic == "专精特新"
    other = services.create_item(demo_user("deptadmin"), doc, item_data(title="技术改造补助", industries="3912 c39"))
    assert other.industries == ["C3912", "C39"]  # the section letter may be left out


def test_concurrent_edits_one_wins(demo_user, library):
    doc = library.document()
    services.update_document(demo_user("deptadmin"), doc, {"title": "第一人修改"}, version=doc.version)
    with pytest.raises(Conflict) as exc:
        services.update_document(demo_user("reviewer"), doc, {"title": "第二人修改"}, version=doc.version)
    assert "已被他人修改" in exc.value.message
    assert PolicyDocument.objects.get(pk=doc.pk).title == "第一人修改"


def test_withdraw_reopen_and_expire(demo_user, library):
    doc = library.document("published", expires_on="2024-06-30")
    assert services.expire_documents(today=dt.date(2024, 7, 1)) >= 1
    doc.refresh_from_db()
    assert doc.status == Status.EXPIRED and doc.items.get().status == Status.EXPIRED
    assert zone_counters()["documents"] >= 1  # expired stays listed
    doc = services.withdraw_document(demo_user("deptadmin"), doc, reason="政策调整")
    assert doc.status == Status.WITHDRAWN and doc.items.get().status == Status.WITHDRAWN
    doc = services.reopen_document(demo_user("deptadmin"), doc)
    assert doc.status == Status.DRAFT


def test_overdue_breakdowns(demo_user, library, document_data):
    doc = library.document("review")
    doc.items.all().delete()
    doc = services.approve_document(demo_user("manager"), doc, at=dt.datetime(2024, 11, 4, 2, tzinfo=dt.UTC))
    assert doc not in services.overdue_documents(today=dt.date(2024, 11, 13))
    assert doc in services.overdue_documents(today=dt.date(2024, 11, 14))
    count = services.overdue_count(today=dt.date(2024, 11, 14))
    item = services.create_item(
        demo_user("deptadmin"),
        doc,
        {
            "title": "奖励",
            "kind": "subsidy",
            "delivery": "fast_claim",
            "target": "企业",
            "conditions": "条件",
            "amount": "10万元",
        },
    )
    services.submit_item(demo_user("deptadmin"), item)
    services.approve_item(demo_user("manager"), item)
    assert services.overdue_count(today=dt.date(2024, 11, 14)) == count - 1


def test_attachments_checked_by_content(demo_user, library, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = library.document()
    with pytest.raises(ServiceError) as exc:
        services.add_attachment(demo_user("deptadmin"), doc, SimpleUploadedFile("a.pdf", b"not a pdf"))
    assert "PDF" in exc.value.errors["file"][0]
    attachment = services.add_attachment(
        demo_user("deptadmin"), doc, SimpleUploadedFile("政策原文.pdf", b"%PDF-1.4 test"), name="政策原文"
    )
    assert attachment.content_type == "application/pdf" and attachment.size > 0
    services.remove_attachment(demo_user("deptadmin"), attachment)
    assert not doc.attachments.exists()


def test_expire_command(library):
    from io import StringIO

    from django.core.management import call_command

    doc = library.document("published", expires_on="2024-06-30")
    out = StringIO()
    call_command("expire_policies", stdout=out)
    doc.refresh_from_db()
    assert doc.status == Status.EXPIRED and "已失效" in out.getvalue()
