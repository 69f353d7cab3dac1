"""Background work of the core app."""

from django_tasks import task


@task()
def verify_audit_chain():
    """Walk the whole audit chain; on a large log this takes a while, so the
    console queues it and polls for the result."""
    from .audit import verify_chain

    report = verify_chain()
    return {"ok": report.ok, "checked": report.checked, "message": report.message()}


@task()
def ping(value=None):
    """Does nothing but answer: the task-backend benchmark and health probes."""
    return value
