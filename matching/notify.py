"""Tell an enterprise's agents in their 消息中心 (and by mail/SMS) what the
matching inbox holds: new matches, a 免申即享 confirmation to give, the
publicity and the payout. One message per enterprise and occasion."""

from collections import defaultdict

from django.urls import reverse

from accounts.models import Agent
from messaging import services as messaging
from messaging.models import Message


def _agents(profiles):
    """{organisation id: [user, …]} for the enterprises' agents with accounts."""
    by_org = defaultdict(list)
    orgs = {p.organisation_id for p in profiles if p.organisation_id}
    for agent in Agent.objects.filter(organisation_id__in=orgs, person__user__isnull=False).select_related(
        "person__user"
    ):
        by_org[agent.organisation_id].append(agent.person.user)
    return by_org


def tell(notices, *, occasion):
    """`notices`: the Notice rows just written (unsaved or saved) for one
    occasion (a push at one time, a grant round's step). Groups them by
    enterprise; the occasion makes the de-duplication key."""
    by_profile = defaultdict(list)
    for notice in notices:
        by_profile[notice.profile].append(notice)
    if not by_profile:
        return 0
    agents = _agents(by_profile)
    sent = 0
    for profile, rows in by_profile.items():
        users = agents.get(profile.organisation_id, [])
        if not users:
            continue
        kind = rows[0].kind
        if kind == "match":
            subject = f"有{len(rows)}项惠企政策与{profile.name}匹配"
            link, message_kind = reverse("matching:inbox"), Message.Kind.PUSH
        elif kind == "grant":
            subject = f"请确认是否享受“{rows[0].item.title}”（免申即享）"
            link, message_kind = reverse("matching:grants"), Message.Kind.GRANT
        else:
            subject = rows[0].text[:60]
            link, message_kind = reverse("matching:inbox"), Message.Kind.OTHER
        body = "\n".join(row.text for row in rows)
        sent += len(
            messaging.send_many(
                users, kind=message_kind, subject=subject, body=body, link=link, key=f"matching-{occasion}-{profile.pk}"
            )
        )
    return sent
