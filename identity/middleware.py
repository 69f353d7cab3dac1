"""Agents act for organisations: while a signed-in person who is the agent
(in force) of exactly one organisation makes a request, whatever it changes is
audited on that organisation's behalf beside the person (经办人代办). With
several, the one chosen for the session (`acting_organisation`) counts; none
is guessed."""

from accounts.models import Agent, Organisation, User
from accounts.views import ACTING_ORGANISATION as SESSION_KEY
from core import audit


def organisation_acted_for(request):
    user = request.user
    if not user.is_authenticated or user.kind != User.Kind.PUBLIC:
        return None
    orgs = Organisation.objects.filter(Agent.current_q("agent__"), agent__person__user=user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        orgs = orgs.filter(uscc=chosen)
    orgs = list(orgs[:2])
    return orgs[0] if len(orgs) == 1 else None


class OnBehalfOfMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_for_lazily(lambda: organisation_acted_for(request)):
            return self.get_response(request)
