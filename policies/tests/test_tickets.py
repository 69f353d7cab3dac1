"""Consultation tickets: routed to the claiming department, due in working
days, answered by that department only, seen by the asker."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core import workdays
from core.errors import Conflict, ServiceError
from policies import consultation
from policies.models import PolicyTicket
from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


@pytest.fixture
def ticket(library, demo_user):
    return consultation.open_ticket(demo_user("citizen"), "绿色矿山建设奖补怎么申请？")


def test_ticket_goes_to_the_claiming_department_with_a_due_date(ticket, settings):
    from django.utils import timezone

    assert ticket.item.title == "绿色矿山建设奖补"
    assert ticket.department.function == "natural_resources" and ticket.department.region_id == "510000"
    assert ticket.due_date == workdays.add_working_days(timezone.localdate(), 5)
    assert ticket.card["best"]["document"]["number"] == "川自然资规〔2024〕5号"
    assert ticket.state == PolicyTicket.State.OPEN


def test_due_days_come_from_settings(library, demo_user, settings):
    from django.utils import timezone

    settings.TONGBAN_POLICY_TICKET_DAYS = 2
    t = consultation.open_ticket(demo_user("citizen"), "高新技术企业认定奖励多少钱？")
    assert t.due_date == workdays.add_working_days(timezone.localdate(), 2)
    assert t.department.function == "science"


def test_staff_and_anonymous_cannot_open_tickets(library, demo_user):
    with pytest.raises(PermissionDenied):
        consultation.open_ticket(demo_user("clerk"), "稳岗返还怎么申请？")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        consultation.open_ticket(AnonymousUser(), "稳岗返还怎么申请？")


def test_the_same_open_question_twice_is_refused(ticket, demo_user):
    with pytest.raises(ServiceError) as exc:
        consultation.open_ticket(demo_user("citizen"), "绿色矿山建设奖补怎么申请？")
    assert "question" in exc.value.errors
    assert PolicyTicket.objects.count() == 1


def test_only_the_claiming_department_sees_and_answers(ticket, demo_user):
    reviewer, jinjiang, manager, clerk = (demo_user(u) for u in ("reviewer", "reviewer_jinjiang", "manager", "clerk"))
    assert ticket in consultation.department_tickets(reviewer)
    assert ticket in consultation.department_tickets(manager)  # the centre
    assert ticket not in consultation.department_tickets(jinjiang)  # a county body does not reach a province ticket
    with pytest.raises(PermissionDenied):
        consultation.department_tickets(clerk)
    with pytest.raises(PermissionDenied):
        consultation.reply(jinjiang, ticket, "答复")
    science = consultation.open_ticket(demo_user("citizen"), "高新技术企业认定奖励多少钱？")
    assert science not in consultation.department_tickets(reviewer)  # another department's
    with pytest.raises(PermissionDenied):
        consultation.reply(reviewer, science, "不归我们")


def test_reply_then_the_asker_closes(ticket, demo_user):
    done = consultation.reply(demo_user("reviewer"), ticket, "请于每年3月登录平台申报。", version=ticket.version)
    assert done.state == "answered" and done.replied_by.username == "reviewer" and done.version == 1
    with pytest.raises(Conflict):
        consultation.close(demo_user("citizen"), done, version=0)
    closed = consultation.close(demo_user("citizen"), done, version=1)
    assert closed.state == "closed"
    with pytest.raises(Conflict):
        consultation.reply(demo_user("reviewer"), closed, "再补充", version=closed.version)


def test_two_staff_replying_at_once(ticket, demo_user):
    consultation.reply(demo_user("reviewer"), ticket, "第一位的答复", version=0)
    with pytest.raises(Conflict) as exc:
        consultation.reply(demo_user("deptadmin"), ticket, "第二位的答复", version=0)
    assert "刷新" in exc.value.message
    ticket.refresh_from_db()
    assert ticket.reply == "第一位的答复"


def test_empty_reply_is_refused(ticket, demo_user):
    with pytest.raises(ServiceError) as exc:
        consultation.reply(demo_user("reviewer"), ticket, "  ")
    assert exc.value.errors["reply"]
    ticket.refresh_from_db()
    assert ticket.state == "open" and ticket.version == 0


def test_overdue_is_flagged(ticket, signed_in):
    PolicyTicket.objects.filter(pk=ticket.pk).update(due_date=dt.date(2024, 1, 2))
    ticket.refresh_from_db()
    assert consultation.is_overdue(ticket)
    page = signed_in("reviewer").get("/console/policies/tickets/").content.decode()
    assert "已超期 1 件" in page and "绿色矿山建设奖补怎么申请" in page


def test_pages_end_to_end(library, client, demo_user):
    client.force_login(demo_user("citizen"))
    response = client.post("/policies/ask/", {"question": "绿色矿山建设奖补怎么申请？", "action": "ticket"})
    ticket = PolicyTicket.objects.get()
    assert response.status_code == 302 and response.url == f"/policies/tickets/{ticket.pk}/"
    assert "尚未答复" in client.get(response.url).content.decode()
    assert "绿色矿山" in client.get("/policies/tickets/").content.decode()
    client.force_login(demo_user("reviewer"))
    assert client.get(f"/policies/tickets/{ticket.pk}/").status_code == 404  # not the asker's page
    assert client.get(f"/console/policies/tickets/{ticket.pk}/").status_code == 200
    response = client.post(
        f"/console/policies/tickets/{ticket.pk}/", {"reply": "每年3月申报，请联系处室。", "version": 0}
    )
    assert response.status_code == 302
    stale = client.post(f"/console/policies/tickets/{ticket.pk}/", {"reply": "另一份答复", "version": 0})
    assert stale.status_code == 409 and "刷新" in stale.content.decode()
    client.force_login(demo_user("reviewer_jinjiang"))
    assert client.get(f"/console/policies/tickets/{ticket.pk}/").status_code == 404
    client.force_login(demo_user("citizen"))
    assert "每年3月申报" in client.get(f"/policies/tickets/{ticket.pk}/").content.decode()
    client.post(f"/policies/tickets/{ticket.pk}/", {"action": "close", "version": 1})
    ticket.refresh_from_db()
    assert ticket.state == "closed"


def test_anonymous_ticket_click_goes_to_sign_in(library, client):
    response = client.post("/policies/ask/", {"question": "稳岗返还怎么申请？", "action": "ticket"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert not PolicyTicket.objects.exists()
