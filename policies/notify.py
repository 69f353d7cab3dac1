"""Tell the asker when their policy consultation ticket is answered.
Connected in PoliciesConfig.ready()."""

from django.db.models.signals import post_save
from django.urls import reverse

from messaging import services as messaging
from messaging.models import Message

from .models import PolicyTicket


def _on_ticket(sender, instance, raw=False, **kwargs):
    if raw or instance.state != PolicyTicket.State.ANSWERED or not instance.replied_at:
        return
    who = (
        instance.replied_by.department.name if instance.replied_by and instance.replied_by.department_id else "主管部门"
    )
    messaging.send(
        instance.asker,
        kind=Message.Kind.TICKET_REPLY,
        subject="您的政策咨询已答复",
        body=f"您咨询的“{instance.question[:60]}”已由{who}答复：{instance.reply}",
        key=f"ticket-{instance.pk}-{instance.replied_at.isoformat()}",
        link=reverse("policies:my_tickets"),
    )


def connect():
    post_save.connect(_on_ticket, sender=PolicyTicket, dispatch_uid="policies.notify")
