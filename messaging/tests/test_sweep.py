"""The sweep (docs/deployment.md, task workers): a delivery whose task was
lost with a killed worker stays 待发送; past the grace period it is queued
again, once, and sent once however often the sweep or the task runs."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend

from messaging import services, tasks
from messaging.models import Delivery, Message, SmsStandIn


@pytest.fixture(autouse=True)
def lost_tasks(settings):
    """The dummy backend keeps what is queued and runs nothing: as if the
    worker that took each task was killed before it sent anything."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    default_task_backend.clear()


def _queued_delivery_ids():
    return [r.args[0] for r in default_task_backend.results if r.task.name == "deliver"]


def _stuck_sms(demo_user, minutes_ago, key="stuck"):
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "", "13800000009"
    citizen.save()
    message = services.send(citizen, kind=Message.Kind.OTHER, subject="补正告知", body="正文", key=key)
    delivery = message.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return delivery


def _sweep(**options):
    out = StringIO()
    call_command("requeue_deliveries", stdout=out, **options)
    return out.getvalue()


def test_a_lost_delivery_is_queued_again_once_and_sent_once(demo_user, django_capture_on_commit_callbacks):
    delivery = _stuck_sms(demo_user, minutes_ago=60)
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert "重新排队 1 条" in _sweep()
    assert _queued_delivery_ids() == [delivery.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert "重新排队 0 条" in _sweep()  # swept again before the worker got to it: not queued twice
    assert _queued_delivery_ids() == [delivery.pk]

    # The lost task turns up after all and the requeued one runs too: one SMS.
    assert tasks.deliver.call(delivery.pk) == "sent"
    assert tasks.deliver.call(delivery.pk) == "skipped"
    assert SmsStandIn.objects.filter(text__contains="补正告知").count() == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert "重新排队 0 条" in _sweep(grace_minutes=1)  # sent: never queued again


def test_fresh_deliveries_and_retries_waiting_their_turn_are_left_alone(demo_user, settings):
    fresh = _stuck_sms(demo_user, minutes_ago=5, key="fresh")
    assert services.requeue_stale() == []  # inside the 15 minutes' grace
    settings.TONGBAN_SMS_SENDER = "messaging.tests.test_messaging.FlakySms"
    from messaging.tests.test_messaging import FlakySms

    FlakySms.failures = 1
    assert tasks.deliver.call(fresh.pk) == "retry"  # its next attempt is a minute away
    assert services.requeue_stale(now=timezone.now() + dt.timedelta(minutes=10)) == []
    assert services.requeue_stale(now=timezone.now() + dt.timedelta(minutes=20)) == [fresh.pk]
    FlakySms.failures = 0


def test_the_sweep_task_comes_back_while_deliveries_wait(demo_user, django_capture_on_commit_callbacks):
    delivery = _stuck_sms(demo_user, minutes_ago=60)
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep.call() == 1
    names = [r.task.name for r in default_task_backend.results]
    assert names.count("deliver") == 1 and names.count("sweep") == 1  # the delivery, and the next sweep
    tasks.deliver.call(delivery.pk)
    default_task_backend.clear()
    assert tasks.sweep.call() == 0
    assert not default_task_backend.results  # nothing waits: the chain ends until the next message


def test_sending_schedules_one_sweep(demo_user, django_capture_on_commit_callbacks):
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "a@example.cn", "13800000008"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("a", "b", "c"):
            services.send(citizen, kind=Message.Kind.OTHER, subject="通知", body="正文", key=key)
    names = [r.task.name for r in default_task_backend.results]
    assert names.count("deliver") == 6 and names.count("sweep") == 1
    assert not mail.outbox  # the dummy backend ran nothing


def test_a_bad_grace_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--grace-minutes"):
        _sweep(grace_minutes=0)
