"""The policy library's console lists as tables (core.tables): documents,
benefit items and consultation tickets sorted, filtered, paged and exported
as the people who use them see them."""

import datetime as dt

import pytest

from core.tests.tables_check import export_rows, page_rows, sort_state
from policies import consultation
from policies.models import BenefitItem, PolicyDocument, PolicyTicket, Status
from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def test_documents_sort_filter_and_export(library, signed_in):
    client = signed_in("manager")
    url = "/console/policies/"
    response = client.get(url, {"sort": "issued", "per_page": "100"})
    assert sort_state(response, "发布日期") == "ascending"
    rows = page_rows(response)
    assert [r[3] for r in rows] == sorted(r[3] for r in rows) and len(rows) == PolicyDocument.objects.count()
    published = page_rows(client.get(url, {"status": Status.PUBLISHED, "sort": "-issued", "per_page": "100"}))
    assert published and {r[4] for r in published} == {"已发布"}
    assert len(published) == PolicyDocument.objects.filter(status=Status.PUBLISHED).count() < len(rows)
    exported = export_rows(client.get(url, {"status": Status.PUBLISHED, "sort": "-issued", "export": "xlsx"}))
    assert [r[0] for r in exported] == [r[0] for r in published]
    assert [r[1] for r in exported] == [r[1] for r in published]


def test_items_filter_by_delivery_and_export(library, signed_in):
    client = signed_in("manager")
    url = "/console/policies/items/"
    rows = page_rows(client.get(url, {"delivery": "auto_grant", "sort": "code", "per_page": "20"}))
    expected = BenefitItem.objects.filter(delivery="auto_grant").count()
    assert rows and len(rows) == min(expected, 20) and {r[5] for r in rows} == {"免申即享"}
    exported = export_rows(client.get(url, {"delivery": "auto_grant", "sort": "code", "export": "xlsx"}))
    assert len(exported) == expected and [r[0] for r in exported[:20]] == [r[0] for r in rows]


def test_tickets_default_to_open_and_export_the_filter(library, signed_in, demo_user):
    green = consultation.open_ticket(demo_user("citizen"), "绿色矿山建设奖补怎么申请？")
    late = consultation.open_ticket(demo_user("agent"), "绿色矿山奖补要哪些材料？")
    PolicyTicket.objects.filter(pk=late.pk).update(due_date=dt.date(2024, 1, 2))
    client = signed_in("reviewer")
    url = "/console/policies/tickets/"
    response = client.get(url)
    assert '<option value="open" selected>' in response.content.decode()
    assert len(page_rows(response)) == 2
    overdue = client.get(url, {"state": "overdue"})
    rows = page_rows(overdue)
    assert len(rows) == 1 and "要哪些材料" in rows[0][0]
    exported = export_rows(client.get(url, {"state": "overdue", "export": "xlsx"}))
    assert [r[0] for r in exported] == [late.question]
    by_question = page_rows(client.get(url, {"q": "怎么申请"}))
    assert [r[0] for r in by_question] == [green.question]
