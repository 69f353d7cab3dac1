"""Background work of the exchange with the tax bureau (django-tasks)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def deliver_and_pull():
    """One exchange pass; queues another pass at the next retry time while
    messages are waiting, so retries follow the backoff without a scheduler."""
    from . import exchange
    from .models import OutboxMessage

    result = exchange.run_once()
    nxt = (
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if nxt is not None:
        deliver_and_pull.using(run_after=max(nxt, timezone.now() + dt.timedelta(seconds=1))).enqueue()
    return result


@task()
def reconcile():
    from . import reconciliation

    rec = reconciliation.run()
    return {"checked": rec.checked, "differences": len(rec.differences), "error": rec.error}


def enqueue_delivery():
    deliver_and_pull.enqueue()
