"""Background work of the identity app: logout tokens to the relying parties."""

from django_tasks import task


@task()
def deliver_logouts(session_id, issuer=""):
    """Send the session's logout tokens; while some party has not taken its
    token, come back at the next attempt's time. (The issuer is kept on each
    delivery; the argument serves tasks queued before it was.)"""
    from .logout import deliver_due

    next_at = deliver_due(session_id, issuer)
    if next_at is not None:
        deliver_logouts.using(run_after=next_at).enqueue(session_id, issuer)
    return {"pending": next_at is not None}
