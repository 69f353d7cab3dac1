"""Personal data on cases (issue 16): stored encrypted, found by its keyed
hash, masked on the page and in the API for a role that does not need it,
and shown in full only on request, each full view audited. An
organisation's credit code is public (GB 32100) and shown whole."""

import json

from django.db import connection
from django.urls import reverse

from accounts.models import Organisation
from cases import services
from cases.models import Case, CaseEvent
from core import masking
from core.models import AuditEntry

from .conftest import receive_at_window

PHONE = "13912345678"
ADDRESS = "成都市武侯区人民南路四段11号"


def _received(demo_user, matter, window):
    case = receive_at_window(demo_user("clerk"), matter, window, contact_phone=PHONE)
    Case.objects.filter(pk=case.pk).update(delivery="post", delivery_address=ADDRESS)
    case.refresh_from_db()
    return case


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_the_case_row_holds_ciphertext_and_the_object_plaintext(demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    resident_id = case.applicant_person.resident_id
    row = _raw(
        "SELECT applicant_code, contact_phone, delivery_address, applicant_code_hash FROM cases_case WHERE id = %s",
        [case.pk],
    )
    stored = " ".join(row)
    assert resident_id not in stored and PHONE not in stored and ADDRESS not in stored
    assert all(value.startswith("sm4g$") for value in row[:3])
    assert len(row[3]) == 64 and resident_id not in row[3]
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.applicant_code, fresh.contact_phone, fresh.delivery_address) == (resident_id, PHONE, ADDRESS)
    person_row = _raw("SELECT resident_id FROM accounts_person WHERE id = %s", [case.applicant_person_id])
    assert resident_id not in person_row[0]


def test_a_handover_address_in_the_event_log_is_sealed_and_masked(demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    event = services._event(
        case,
        CaseEvent.Kind.HANDOVER,
        demo_user("clerk"),
        case.received_at,
        data={
            "method": "post",
            "address": ADDRESS,
        },
    )
    stored = _raw("SELECT data FROM cases_caseevent WHERE id = %s", [event.pk])[0]
    assert ADDRESS not in str(stored)
    from cases.views import describe

    assert describe(CaseEvent.objects.get(pk=event.pk)).startswith("邮寄送达：成都市武侯区******")


def test_console_search_finds_a_case_by_the_applicants_id_number(signed_in, demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    resident_id = case.applicant_person.resident_id
    clerk = signed_in("clerk")
    found = clerk.get(reverse("cases_console:worklist"), {"view": "all", "state": "all", "q": resident_id})
    assert case.number in found.content.decode()
    # Lower-case check digit and spaces do not matter; another number finds nothing.
    spaced = " ".join([resident_id[:6], resident_id[6:].lower()])
    assert case.number in clerk.get(reverse("cases_console:worklist"), {"view": "all", "q": spaced}).content.decode()
    other = clerk.get(reverse("cases_console:worklist"), {"view": "all", "state": "all", "q": "110101199001011234"})
    assert case.number not in other.content.decode()


def test_the_page_masks_for_a_manager_and_offers_no_full_view(signed_in, demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    resident_id = case.applicant_person.resident_id
    manager = signed_in("manager")
    page = manager.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert resident_id not in page and PHONE not in page and ADDRESS not in page
    assert f"{resident_id[:6]}********{resident_id[-4:]}" in page and "139****5678" in page
    assert "成都市武侯区******" in page
    assert "显示完整号码" not in page
    before = AuditEntry.objects.filter(action="reveal").count()
    assert manager.post(reverse("cases_console:reveal", args=[case.number])).status_code == 403
    assert AuditEntry.objects.filter(action="reveal").count() == before


def test_the_clerk_sees_the_full_numbers_on_request_and_the_view_is_audited(signed_in, demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    resident_id = case.applicant_person.resident_id
    clerk = signed_in("clerk")
    page = clerk.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert "显示完整号码" in page and PHONE not in page and resident_id not in page  # masked until asked
    assert not AuditEntry.objects.filter(action="reveal").exists()

    response = clerk.post(reverse("cases_console:reveal", args=[case.number]))
    full = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert resident_id in full and PHONE in full and ADDRESS in full and "已记入审计日志" in full
    [entry] = AuditEntry.objects.filter(action="reveal")
    clerk_user = demo_user("clerk")
    assert entry.actor_id == clerk_user.pk and entry.object_id == str(case.pk)
    assert case.applicant_name in entry.object_repr and "联系电话" in entry.object_repr
    assert entry.after == {"fields": ["applicant_code", "contact_phone", "delivery_address"]}
    # Each full view is its own entry; a GET cannot reveal.
    clerk.post(reverse("cases_console:reveal", args=[case.number]))
    assert AuditEntry.objects.filter(action="reveal").count() == 2
    assert clerk.get(reverse("cases_console:reveal", args=[case.number])).status_code == 405


def test_the_api_shows_no_personal_data_in_full(signed_in, demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    services._event(
        case,
        CaseEvent.Kind.HANDOVER,
        demo_user("clerk"),
        case.received_at,
        data={
            "method": "post",
            "address": ADDRESS,
        },
    )
    resident_id = case.applicant_person.resident_id
    body = json.dumps(signed_in("manager").get(f"/api/v1/cases/{case.number}").json(), ensure_ascii=False)
    assert case.number in body
    assert resident_id not in body and PHONE not in body and ADDRESS not in body and "sm4g$" not in body
    assert "成都市武侯区******" in body


def test_the_api_filters_cases_by_the_applicants_id_number(signed_in, demo_user, licence, hall_window):
    case = _received(demo_user, licence, hall_window)
    resident_id = case.applicant_person.resident_id
    manager = signed_in("manager")
    found = manager.get("/api/v1/cases", {"applicant_code": resident_id.lower()}).json()
    assert [c["number"] for c in found["items"]] == [case.number]
    assert manager.get("/api/v1/cases", {"applicant_code": "110101199001011234"}).json()["count"] == 0


def test_an_organisations_credit_code_is_shown_whole_and_a_persons_id_masked(
    signed_in, demo_user, licence, hall_window
):
    organisation = Organisation.objects.get(name__contains="攀西钒钛")
    case = receive_at_window(demo_user("clerk"), licence, hall_window, organisation=organisation)
    credit_code = organisation.uscc
    manager = signed_in("manager")
    page = manager.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert f'统一社会信用代码 <span data-personal="code">{credit_code}</span>' in page
    assert (
        "显示完整号码"
        not in signed_in("clerk").get(reverse("cases_console:detail", args=[case.number])).content.decode()
    )
    # A person's ID number stays masked, even one that also passes the credit code's check character.
    person_case = _received(demo_user, licence, hall_window)
    resident_id = person_case.applicant_person.resident_id
    person_page = manager.get(reverse("cases_console:detail", args=[person_case.number])).content.decode()
    assert resident_id not in person_page and f"{resident_id[:6]}********{resident_id[-4:]}" in person_page


def test_an_id_number_that_reads_as_a_credit_code_too_is_masked():
    from stdnum.cn import uscc

    both = "510101199003071449"  # a valid Sichuan ID number whose check character also fits GB 32100
    assert uscc.is_valid(both)
    assert masking.mask(both, masking.CODE) == "510101********1449"
    assert masking.is_credit_code("91350100M000100Y43") and masking.mask("91350100M000100Y43", masking.CODE) == (
        "91350100M000100Y43"
    )
    assert masking.mask("91350100M000100Y43", masking.ID) == "913501********0Y43"  # a field that holds ID numbers only
