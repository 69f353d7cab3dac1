"""The public zone: provincial page, one entry per city with live counters,
a document with its interpretation and key points, an item's claim guide."""

import pytest
from django.urls import reverse

from policies import services
from policies.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def chengdu_doc(demo_user, document_data, item_data):
    """A Chengdu document published by the centre, with an item and an interpretation."""
    manager = demo_user("manager")
    from core.models import Department

    dept = Department.objects.get(function="economy_it", region_id="510100")
    doc = services.create_document(
        manager,
        document_data(
            title="成都市关于促进专精特新中小企业高质量发展的若干政策措施",
            number="成经信发〔2024〕3号",
            issuers="成都市经济和信息化局",
            department=dept.pk,
            region="510100",
        ),
    )
    services.create_item(manager, doc, item_data(apply_period="每年4月至6月"))
    services.create_interpretation(
        manager,
        doc,
        {"title": "一图读懂专精特新政策", "kind": "text", "text": "问：哪些企业可以享受？答：新认定的小巨人企业。"},
    )
    services.submit_document(manager, doc)
    return services.approve_document(manager, doc)


def test_zone_and_city_entries_with_counters(client, chengdu_doc):
    page = client.get(reverse("policies:zone")).content.decode()
    assert page.count('href="/policies/city/') >= 21
    assert 'data-counter="documents">1<' in page and chengdu_doc.title in page
    chengdu = client.get(reverse("policies:city", args=["510100"])).content.decode()
    assert "成都市惠企政策服务专区" in chengdu and chengdu_doc.title in chengdu
    assert 'data-counter="items">1<' in chengdu
    mianyang = client.get(reverse("policies:city", args=["510700"])).content.decode()
    assert chengdu_doc.title not in mianyang and 'data-counter="documents">0<' in mianyang
    assert 'name="q"' in chengdu and reverse("policies:search") in chengdu


def test_province_wide_documents_show_in_every_city(client, library):
    doc = library.document("published")
    for code in ("510100", "513400"):
        assert doc.title in client.get(reverse("policies:city", args=[code])).content.decode()


def test_unknown_city_is_a_chinese_404(client):
    for code in ("999999", "510104", "abc"):
        response = client.get(f"/policies/city/{code}/")
        assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_document_page_interpretation_key_points_and_expiry(client, chengdu_doc):
    page = client.get(reverse("policies:document", args=[chengdu_doc.pk])).content.decode()
    assert "政策解读" in page and "一图读懂专精特新政策" in page
    for label in ("支持对象", "支持标准", "申报时间", "受理部门"):
        assert label in page
    assert "新认定的国家级专精特新“小巨人”企业" in page and "每年4月至6月" in page and "成都市经济和信息化局" in page
    assert "第二条" in page and "已失效" not in page
    assert f"{reverse('policies:ask')}?document={chengdu_doc.pk}" in page
    services.expire_documents(today=chengdu_doc.expires_on.replace(year=chengdu_doc.expires_on.year + 1))
    page = client.get(reverse("policies:document", args=[chengdu_doc.pk])).content.decode()
    assert "已失效" in page


def test_item_page_claim_guide_and_source(client, chengdu_doc):
    item = chengdu_doc.items.get()
    page = client.get(reverse("policies:item", args=[item.pk])).content.decode()
    for label in ("申兑指南", "惠及对象", "申报条件", "申报材料", "兑现方式", "兑现时限", "咨询电话"):
        assert label in page
    assert "028-86012345" in page and "15个工作日" in page and chengdu_doc.title in page


def test_unlisted_records_are_not_public(client, library):
    draft = library.document()
    assert client.get(reverse("policies:document", args=[draft.pk])).status_code == 404
    withdrawn = library.document("published", number="川自然资发〔2024〕9号")
    services.withdraw_document(None, withdrawn)
    assert client.get(reverse("policies:document", args=[withdrawn.pk])).status_code == 404
    assert withdrawn.items.get().status == Status.WITHDRAWN
