"""Telling a person something: one message in their 消息中心, plus a mail
and an SMS when their account has an address and a phone number."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
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
            now = message.created_at
            if recipient.email:
                deliveries.append(
                    Delivery(
                        message=message, channel=Delivery.Channel.EMAIL, address=recipient.email, next_attempt_at=now
                    )
                )
            if recipient.phone:
                deliveries.append(
                    Delivery(
                        message=message, channel=Delivery.Channel.SMS, address=recipient.phone, next_attempt_at=now
                    )
                )
            Delivery.objects.bulk_create(deliveries)
    except IntegrityError:  # a concurrent send of the same key won
        return Message.objects.get(recipient=recipient, key=key[:120])
    from .tasks import deliver

    queued = list(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    for pk in queued:
        transaction.on_commit(lambda pk=pk: deliver.enqueue(pk))
    if queued:
        transaction.on_commit(schedule_sweep)
    return message


# --- the sweep: deliveries whose task was lost ---
# A worker killed while it held a delivery's task leaves the delivery 待发送
# with nothing queued for it (RQ marks the job failed and does not retry it;
# the database backend leaves it "running"). The sweep queues such deliveries
# again; `deliver` sends only a delivery still 待发送, under its row lock, and
# marks it 已发送 in the same transaction, so a delivery queued twice is sent once.


def grace():
    """How long past its expected time a 待发送 delivery waits before the sweep
    takes its task for lost: longer than a busy queue's wait, shorter than a
    person waiting for a correction notice should (TONGBAN_DELIVERY_GRACE_MINUTES)."""
    return dt.timedelta(minutes=int(getattr(settings, "TONGBAN_DELIVERY_GRACE_MINUTES", 15)))


def stale_q(now, wait):
    return Q(state=Delivery.State.QUEUED) & (
        Q(next_attempt_at__lt=now - wait) | Q(next_attempt_at__isnull=True, message__created_at__lt=now - wait)
    )


def requeue_stale(*, wait=None, now=None, limit=1000):
    """Queue again every delivery still 待发送 `wait` (default: grace()) past its
    expected time; its expected time becomes now, so a second sweep before the
    worker reaches it does not queue it again. Returns the deliveries' ids."""
    from .tasks import deliver

    now = now or timezone.now()
    wait = grace() if wait is None else wait
    with transaction.atomic():
        # skip_locked: a delivery being sent right now (its row locked by `deliver`) is not lost.
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(stale_q(now, wait))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: deliver.enqueue(pk))
    return ids


SWEEP_GATE = "messaging:sweep-scheduled"


def schedule_sweep():
    """Queue one sweep a grace period from now, at most one per grace period
    (per cache: shared Redis in production), so deliveries lost with their
    worker are found without a scheduler (revenue's exchange requeues itself the same way)."""
    from .tasks import sweep

    if not sweep.get_backend().supports_defer:
        return  # a backend that runs tasks at once (tests) loses none
    wait = grace()
    if cache.add(SWEEP_GATE, 1, timeout=int(wait.total_seconds())):
        sweep.using(run_after=timezone.now() + wait + dt.timedelta(seconds=5)).enqueue()


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
