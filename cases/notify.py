"""Tell the applicant when a step needs them or brings them something:
a correction asked for, a refusal, a result to collect, a rating invited.
Connected in CasesConfig.ready(); the demo year's bulk insert sends nothing."""

from django.db.models.signals import post_save
from django.urls import reverse

from messaging import services as messaging
from messaging.models import Message

from .models import CaseEvent

Kind = CaseEvent.Kind

WORDS = {
    Kind.CORRECTION_REQUESTED: (
        Message.Kind.CORRECTION,
        "办件{number}需要补正材料",
        "您申请的“{matter}”（办件编号{number}）需要补正材料：{reason}。"
        "请按一次性告知书在网上补正，或带齐材料到窗口补正。",
    ),
    Kind.REFUSE: (
        Message.Kind.REFUSAL,
        "办件{number}不予受理",
        "您申请的“{matter}”（办件编号{number}）不予受理，理由：{reason}。可查看不予受理告知书了解依据和救济途径。",
    ),
    Kind.CONCLUDE: (
        Message.Kind.RESULT,
        "办件{number}已办结",
        "您申请的“{matter}”（办件编号{number}）已办结，办理结果可领取或按约定方式送达。",
    ),
    Kind.HANDOVER: (
        Message.Kind.RATING,
        "请评价办件{number}的服务",
        "您申请的“{matter}”（办件编号{number}）已送达。欢迎对本次服务作出评价（好差评）。",
    ),
}


def recipients(case):
    """The applicant's account, or every agent's account for an organisation."""
    if case.applicant_person_id:
        person = case.applicant_person
        return [person.user] if person.user_id else []
    if case.applicant_organisation_id:
        return [
            agent.person.user
            for agent in case.applicant_organisation.agent_set.select_related("person__user")
            if agent.person.user_id
        ]
    return []


def _on_event(sender, instance, created, raw=False, **kwargs):
    if raw or not created or instance.case_id is None or instance.kind not in WORDS:
        return
    case = instance.case
    kind, subject, body = WORDS[instance.kind]
    reason = instance.reason
    if instance.kind == Kind.CORRECTION_REQUESTED:
        reason = "；".join(
            f"{i.get('material') or '材料'}：{i['problem']}" for i in (instance.data or {}).get("items", [])
        )
    words = {"number": case.number, "matter": case.matter.name, "reason": reason or "详见告知书"}
    messaging.send_many(
        recipients(case),
        kind=kind,
        subject=subject.format(**words),
        body=body.format(**words),
        key=f"case-event-{instance.pk}",
        link=reverse("cases:detail", args=[case.number]),
    )


def connect():
    post_save.connect(_on_event, sender=CaseEvent, dispatch_uid="cases.notify")
