"""消息中心: one message per event and person, mail and SMS queued and
retried, each person sees only their own."""

import pytest
from django.core import mail

from messaging import services, tasks
from messaging.models import Delivery, Message, SmsStandIn


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _tell(user, key="k1", **overrides):
    data = {"kind": Message.Kind.OTHER, "subject": "测试通知", "body": "正文", "key": key}
    data.update(overrides)
    return services.send(user, **data)


def test_a_message_reaches_inbox_mail_and_sms_once(demo_user, django_capture_on_commit_callbacks):
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "liufang@example.cn", "13800000001"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = _tell(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        again = _tell(citizen)  # the same event told twice
    assert first.pk == again.pk and Message.objects.filter(recipient=citizen).count() == 1
    assert [m.to for m in mail.outbox] == [["liufang@example.cn"]]
    assert list(SmsStandIn.objects.values_list("phone", flat=True)) == ["13800000001"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_no_address_means_the_inbox_only(demo_user, django_capture_on_commit_callbacks):
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "", ""
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = _tell(citizen)
    assert message.deliveries.count() == 0 and not mail.outbox


class FlakySms:
    failures = 2

    def send(self, phone, text):
        if FlakySms.failures:
            FlakySms.failures -= 1
            raise ConnectionError("网关超时")
        SmsStandIn.objects.create(phone=phone, text=text)


def test_a_failed_sms_is_retried_and_sent_once(demo_user, settings):
    settings.TONGBAN_SMS_SENDER = "messaging.tests.test_messaging.FlakySms"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "", "13800000002"
    citizen.save()
    message = _tell(citizen)
    delivery = message.deliveries.get()
    assert tasks.deliver.call(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "网关超时" in delivery.last_error and delivery.state == Delivery.State.QUEUED
    assert tasks.deliver.call(delivery.pk) == "retry"
    assert tasks.deliver.call(delivery.pk) == "sent"
    assert tasks.deliver.call(delivery.pk) == "skipped"  # a duplicate run sends nothing
    assert [s.phone for s in SmsStandIn.objects.all()].count("13800000002") == 1


def test_a_sender_that_never_recovers_gives_up(demo_user, settings):
    settings.TONGBAN_SMS_SENDER = "messaging.tests.test_messaging.FlakySms"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    FlakySms.failures = 100
    citizen = demo_user("citizen")
    citizen.email, citizen.phone = "", "13800000003"
    citizen.save()
    delivery = _tell(citizen).deliveries.get()
    results = [tasks.deliver.call(delivery.pk) for _ in range(tasks.MAX_ATTEMPTS)]
    assert results[-1] == "failed"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == tasks.MAX_ATTEMPTS
    FlakySms.failures = 0


def test_inbox_shows_own_messages_and_marks_them_read(signed_in, demo_user):
    citizen, agent = demo_user("citizen"), demo_user("agent")
    mine = _tell(citizen, subject="办件需要补正材料")
    theirs = _tell(agent, subject="别人的消息")
    client = signed_in("citizen")
    html = client.get("/messages/").content.decode()
    assert "办件需要补正材料" in html and "别人的消息" not in html and "未读（1）" in html
    assert '消息中心<span class="badge bad">1' in client.get("/").content.decode()
    assert client.get(f"/messages/{theirs.pk}/").status_code == 404
    assert client.get(f"/messages/{mine.pk}/").status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "未读（0）" in client.get("/messages/").content.decode()


def test_inbox_needs_a_login(client, db):
    response = client.get("/messages/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
