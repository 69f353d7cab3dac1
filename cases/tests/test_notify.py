"""The applicant is told in their 消息中心 when a step needs them."""

from accounts.models import Person
from cases import services
from messaging.models import Message

from .conftest import receive_at_window


def test_correction_and_refusal_reach_the_applicant(demo_user, licence, hall_window):
    clerk, citizen = demo_user("clerk"), demo_user("citizen")
    person = Person.objects.get(user=citizen)
    case = receive_at_window(clerk, licence, hall_window, person=person, contact_phone="13800000000")
    services.request_correction(clerk, case, [{"material": "申请书", "problem": "缺少法定代表人签字"}])
    message = Message.objects.get(recipient=citizen)
    assert message.kind == Message.Kind.CORRECTION
    assert case.number in message.subject and "申请书：缺少法定代表人签字" in message.body
    assert message.link == f"/cases/{case.number}/"
    assert not Message.objects.exclude(recipient=citizen).exists()  # the clerk is not told
