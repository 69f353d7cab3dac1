"""A case's audit trail (issue 19): every entry names the case it belongs to
and why it was done, so "everything that happened to case X" is one query,
and the case page lists it in words (issue 17)."""

import pytest
from django.urls import reverse

from cases import services
from core import audit, audit_display
from core.models import AuditEntry

from .conftest import receive_at_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_case(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    with audit.acting_as(clerk):
        case = receive_at_window(clerk, licence, hall_window)
        services.refuse(clerk, case, reasons="申请事项不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")
    return case


def test_everything_that_happened_to_a_case_is_one_query(refused_case, django_assert_num_queries):
    with django_assert_num_queries(1):
        entries = list(audit.history(refused_case))
    assert [e.action for e in entries] == ["update", "create"]
    assert {(e.subject_type, e.subject_id) for e in entries} == {("cases.Case", str(refused_case.pk))}


def test_a_refusal_keeps_its_reasons_and_reads_as_a_sentence(refused_case):
    refusal = audit.history(refused_case).first()
    assert refusal.reason == "申请事项不属于本机关职权范围"
    words = audit_display.Reader().read(refusal)
    assert words["sentence"] == f"王晓燕 不予受理办件 {refused_case}"
    assert ("状态", "已收件", "不予受理") in words["changes"]
    assert audit.verify_chain().ok  # the new fields are in the hash, the chain still holds


def test_a_correction_notice_keeps_what_to_correct(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    with audit.acting_as(clerk):
        case = receive_at_window(clerk, licence, hall_window)
        services.request_correction(clerk, case, [{"material": "申请书", "problem": "缺少法定代表人签字"}])
    assert audit.history(case).first().reason == "申请书：缺少法定代表人签字"


def test_a_file_belongs_to_its_case(refused_case):
    from cases.models import CaseFile

    with audit.acting_as(refused_case.events.first().actor):
        CaseFile.objects.create(case=refused_case, original_name="申请书.pdf", content_type="application/pdf", size=1)
    entry = AuditEntry.objects.filter(object_type="cases.CaseFile").get()
    assert (entry.subject_type, entry.subject_id) == ("cases.Case", str(refused_case.pk))
    assert entry in audit.history(refused_case)
    # The log names the file, not "CaseFile object (12)".
    assert entry.object_repr == "申请书.pdf"
    material = refused_case.situation.materials.first()
    with audit.acting_as(refused_case.events.first().actor):
        CaseFile.objects.create(
            case=refused_case, material=material, original_name="签字.pdf", content_type="application/pdf", size=1
        )
    named = AuditEntry.objects.filter(object_type="cases.CaseFile").latest("seq")
    assert named.object_repr == f"{material.name}：签字.pdf"


def test_the_case_page_lists_its_audit_trail_to_those_who_may_read_the_log(client, demo_user, refused_case):
    page = reverse("cases_console:detail", args=[refused_case.number])
    client.force_login(demo_user("manager"))
    text = client.get(page).content.decode()
    assert "审计记录" in text
    assert f"王晓燕 不予受理办件 {refused_case}" in text
    assert "原因：申请事项不属于本机关职权范围" in text
    client.force_login(demo_user("clerk"))
    assert "审计记录" not in client.get(page).content.decode()
