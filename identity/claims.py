"""What the province tells a relying party about the person signed in."""

from accounts.models import Agent, AssuranceLevel, Person

# Authentication context class references: one per assurance level.
ACR_PREFIX = "urn:tongban:loa:"

# Each claim and the scope that releases it (the ID token and userinfo alike).
CLAIM_SCOPES = {
    "name": "profile",
    "assurance_level": "profile",
    "assurance_method": "profile",
    "assurance_at": "profile",
    "acr": "openid",
    "sid": "openid",
    "id_card_masked": "id_card",
    "organisations": "organisation",
}


def person_of(user):
    return Person.objects.filter(user=user).first()


def level_of(user):
    person = person_of(user)
    return person.assurance_level if person else AssuranceLevel.SELF_REGISTERED


def claims_for(user, sid=""):
    person = person_of(user)
    record = person.assurance if person else None
    level = record.level if record else AssuranceLevel.SELF_REGISTERED
    claims = {
        "name": user.name or user.get_username(),
        "assurance_level": int(level),
        "assurance_method": record.get_method_display() if record else "自行注册",
        "assurance_at": record.reached_at.isoformat() if record else "",
        "acr": f"{ACR_PREFIX}{int(level)}",
        "id_card_masked": person.masked_id if person else "",
        "organisations": [],
    }
    if sid:
        claims["sid"] = sid
    if person is not None:
        for agent in (
            Agent.objects.filter(Agent.current_q(), person=person)
            .select_related("organisation")
            .order_by("organisation__name")
        ):
            claims["organisations"].append(
                {
                    "uscc": agent.organisation.uscc,
                    "name": agent.organisation.name,
                    "role": "法定代表人" if agent.is_legal_representative else "经办人",
                    "agent": person.name,
                    "scope": agent.scope_labels,
                    "expires_at": agent.expires_at.isoformat() if agent.expires_at else "",
                }
            )
    return claims
