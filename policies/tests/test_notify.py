"""The asker is told in their 消息中心 when a ticket is answered, naming who answered."""

import pytest

from messaging.models import Message
from policies import consultation
from policies.search import samples

pytestmark = pytest.mark.django_db


def test_ticket_reply_reaches_the_asker_once(demo_user):
    samples.load_samples()
    citizen, reviewer = demo_user("citizen"), demo_user("reviewer")
    ticket = consultation.open_ticket(citizen, "绿色矿山建设奖补怎么申请？")
    assert not Message.objects.filter(recipient=citizen).exists()
    done = consultation.reply(reviewer, ticket, "请于每年3月登录平台申报。", version=ticket.version)
    message = Message.objects.get(recipient=citizen)
    assert message.kind == Message.Kind.TICKET_REPLY
    assert reviewer.department.name in message.body and "请于每年3月登录平台申报。" in message.body
    consultation.reply(reviewer, done, "补充：材料见申报指南。", version=done.version)
    assert Message.objects.filter(recipient=citizen).count() == 2  # an amended answer is news too
