"""Telling a person something: one message in their 消息中心, plus a mail
and an SMS when their account has an address and a phone number."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Delivery, Message


def send(recipient, *, kind, subject, body, key, link=""):
    """Put a message in the recipient's 消息中心 once per `key`; queue mail
    and SMS after the surrounding transaction commits. Returns the message,
    or None when there is no one to tell."""
    if recipient is None or not recipient.is_active:
        return None
    existing = Message.objects.filter(recipient=recipient, key=key).first()
    if existing is not None:
        return existing  # already told: de-duplicated
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                kind=kind,
                subject=subject[:120],
                body=body,
                link=link,
                key=key[:120],
                created_at=timezone.now(),
            )
            deliveries = []
            if recipient.email:
                deliveries.append(Delivery(message=message, channel=Delivery.Channel.EMAIL, address=recipient.email))
            if recipient.phone:
                deliveries.append(Delivery(message=message, channel=Delivery.Channel.SMS, address=recipient.phone))
            Delivery.objects.bulk_create(deliveries)
    except IntegrityError:  # a concurrent send of the same key won
        return Message.objects.get(recipient=recipient, key=key[:120])
    from .tasks import deliver

    for delivery in Delivery.objects.filter(message=message):
        transaction.on_commit(lambda pk=delivery.pk: deliver.enqueue(pk))
    return message


def send_many(recipients, **kwargs):
    seen, sent = set(), []
    for user in recipients:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            message = send(user, **kwargs)
            if message is not None:
                sent.append(message)
    return sent


def mark_read(user, message):
    if message.recipient_id != user.pk:
        raise PermissionError("只能阅读发给自己的消息")
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user):
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()
