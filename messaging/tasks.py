"""Sending runs in the background and is retried with growing waits; a
delivery already sent is never sent again (the task may run twice)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

MAX_ATTEMPTS = 5
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 30, 120)]


@task()
def deliver(delivery_id):
    from . import senders
    from .models import Delivery

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("message").filter(pk=delivery_id).first()
        if delivery is None or delivery.state != Delivery.State.QUEUED:
            return "skipped"
        delivery.attempts += 1
        try:
            if delivery.channel == Delivery.Channel.EMAIL:
                senders.send_email(delivery.address, delivery.message.subject, delivery.message.body)
            else:
                senders.sms_sender().send(delivery.address, senders.sms_text(delivery.message))
        except Exception as exc:  # any provider failure: record it and try later
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = Delivery.State.FAILED
            wait = BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)]
            # The sweep leaves a delivery alone until well after this (messaging.services.requeue_stale).
            delivery.next_attempt_at = timezone.now() + wait
            delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            if delivery.state == Delivery.State.QUEUED:
                transaction.on_commit(lambda: deliver.using(run_after=timezone.now() + wait).enqueue(delivery_id))
            return "retry" if delivery.state == Delivery.State.QUEUED else "failed"
        delivery.state, delivery.sent_at = Delivery.State.SENT, timezone.now()
        delivery.save(update_fields=["attempts", "state", "sent_at", "last_error"])
        return "sent"


@task()
def sweep():
    """Queue again the deliveries whose task was lost; while any delivery is
    still 待发送, come back when the earliest of them could be stale."""
    from . import services
    from .models import Delivery

    ids = services.requeue_stale()
    wait = services.grace()
    pending = (
        Delivery.objects.filter(state=Delivery.State.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    waiting = pending is not None or Delivery.objects.filter(state=Delivery.State.QUEUED).exists()
    if waiting and sweep.get_backend().supports_defer:
        now = timezone.now()
        due = (pending or now) + wait + dt.timedelta(seconds=5)
        sweep.using(run_after=max(due, now + dt.timedelta(minutes=1))).enqueue()
    return len(ids)
