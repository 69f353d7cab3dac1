"""Consultation in the policy zone: asking, tickets, replies.

- ask: the answer card for a question. A question counts as a consultation
  (cases.services.record_policy_consultation, channel 网上政策咨询) once per
  asker and question per day: the asker is the signed-in user, else the
  browser session, else the address (`asker_key`), so posting the same
  question again adds nothing. How often one may ask is limited where the
  question comes in (core.ratelimits, "ask"). Window and 12345 consultations are
  registered by staff (cases.services.record_consultation).
- open_ticket: "没有解决我的问题" turns the question into a ticket routed to
  the department that claims the matched item (or issued the document),
  due a set number of working days ahead (TONGBAN_POLICY_TICKET_DAYS, 5).
- reply / close: the department answers (optimistic version, row lock); the
  asker reads the reply and may close the ticket.
"""

import hashlib
import os

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import policy
from cases.models import CaseEvent, EventChannel
from cases.services import record_policy_consultation
from core import locking, workdays
from core.errors import Conflict, ServiceError
from core.models import Department

from .answer import build_card
from .models import BenefitItem, PolicyDocument, PolicyTicket

MAX_QUESTION = 500
State = PolicyTicket.State


def ticket_days():
    """Working days a department has to answer a ticket."""
    value = getattr(settings, "TONGBAN_POLICY_TICKET_DAYS", None) or os.environ.get("TONGBAN_POLICY_TICKET_DAYS", "5")
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 5


def clean_question(question):
    question = " ".join((question or "").split())
    if not question:
        raise ServiceError("请输入您要咨询的问题", errors={"question": ["咨询问题为必填项"]})
    if len(question) > MAX_QUESTION:
        raise ServiceError(
            f"咨询问题不能超过{MAX_QUESTION}字",
            errors={"question": [f"咨询问题不能超过{MAX_QUESTION}字（现有{len(question)}字）"]},
        )
    return question


def _asker(user):
    return user if getattr(user, "is_authenticated", False) else None


def asker_key(request):
    """Who is asking, hashed: the user, else the session, else the address."""
    if getattr(request.user, "is_authenticated", False):
        return _hashed(f"user:{request.user.pk}")
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return _hashed(f"session:{session.session_key}")
    return _hashed(f"address:{request.META.get('REMOTE_ADDR', '')}")


def _hashed(raw):
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@transaction.atomic
def ask(user, question, city="", key=None):
    """The answer card; the question counts as a consultation once per asker per day (anonymous allowed)."""
    question = clean_question(question)
    actor = _asker(user)
    key = key or (_hashed(f"user:{actor.pk}") if actor else "anonymous")
    card = build_card(question, city=city)
    department = None
    if card["found"]:
        department = Department.objects.filter(pk=card["best"]["department_id"]).first()
    asked_today = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.CONSULT,
        day=timezone.localdate(),
        channel=EventChannel.POLICY,
        data__asker_key=key,
        data__question=question,
    ).exists()
    if not asked_today:
        record_policy_consultation(
            actor,
            question=question,
            answer=card["summary"],
            department=department,
            asker="" if actor else "匿名",
            key=key,
        )
    return card


def _centre():
    return Department.objects.filter(function="service_centre", region_id="510000").first()


@transaction.atomic
def open_ticket(user, question, city="", document=None):
    """A ticket for a question the card did not settle (signed-in public users).
    Asked from a document's page (`document`), the ticket is about that
    document and goes to its department unless the card found one of its items."""
    policy.require(user, "policy.ask")
    question = clean_question(question)
    card = build_card(question, city=city, use_model=False)
    item = None
    if card["found"]:
        best = card["best"]
        item = BenefitItem.objects.filter(pk=best["item_id"]).first() if best.get("item_id") else None
        found = PolicyDocument.objects.filter(pk=best["document"]["id"]).first()
        if document is not None and item is not None and item.document_id != document.pk:
            item = None
        document = document or found
    owner = item or document
    department = owner.department if owner else _centre()
    region_id = owner.region_id if owner else department.region_id
    # A province-wide document asked about from a city's zone counts for that city.
    city_code = (owner.city_code if owner else "") or city
    today = timezone.localdate()
    due = workdays.add_working_days(today, ticket_days())
    if PolicyTicket.objects.filter(asker=user, question=question, state=State.OPEN).exists():
        raise ServiceError(
            "您已就该问题提交过工单，请在“我的咨询”中查看答复进度", errors={"question": ["相同问题的工单尚未答复"]}
        )
    return PolicyTicket.objects.create(
        asker=user,
        question=question,
        card=card,
        item=item,
        document=document,
        department=department,
        region_id=region_id,
        city_code=city_code,
        due_date=due,
    )


def is_overdue(ticket, today=None):
    return ticket.state == State.OPEN and ticket.due_date < (today or timezone.localdate())


def _conflict_message(fresh):
    who = fresh.replied_by.name or fresh.replied_by.username if fresh.replied_by_id else "他人"
    return f"该工单已被{who}处理，请刷新后查看最新答复"


def _locked(ticket, version):
    return locking.lock(PolicyTicket, ticket.pk, version, _conflict_message)


@transaction.atomic
def reply(user, ticket, text, version=None):
    """The department's answer (may be amended until the ticket is closed)."""
    policy.require(user, "policy.answer", ticket)
    text = (text or "").strip()
    if not text:
        raise ServiceError("请填写答复内容", errors={"reply": ["答复内容为必填项"]})
    if len(text) > 4000:
        raise ServiceError("答复内容不能超过4000字", errors={"reply": ["答复内容不能超过4000字"]})
    fresh = _locked(ticket, version)
    if fresh.state == State.CLOSED:
        raise Conflict("该工单已办结，不能再答复")
    fresh.reply, fresh.replied_by, fresh.replied_at = text, user, timezone.now()
    fresh.state = State.ANSWERED
    locking.bump(fresh, "reply", "replied_by", "replied_at", "state", message=_conflict_message)
    return fresh


def can_view(user, ticket):
    if not getattr(user, "is_authenticated", False):
        return False
    if ticket.asker_id == user.pk:
        return True
    return policy.can(user, "policy.answer", ticket)


@transaction.atomic
def close(user, ticket, version=None):
    """The asker (or the answering department) closes an answered ticket."""
    if ticket.asker_id != getattr(user, "pk", None):
        policy.require(user, "policy.answer", ticket)
    fresh = _locked(ticket, version)
    if fresh.state != State.ANSWERED:
        raise Conflict("工单尚未答复或已办结，不能办结")
    fresh.state = State.CLOSED
    locking.bump(fresh, "state", message=_conflict_message)
    return fresh


def department_tickets(user):
    """The tickets `user`'s department answers (their region, and their own
    function for department-bound roles)."""
    policy.require(user, "policy.answer")
    qs = PolicyTicket.objects.select_related("department", "asker", "item", "document", "replied_by__department")
    return policy.visible(user, qs, region_field="region__code", function_field="department__function")
