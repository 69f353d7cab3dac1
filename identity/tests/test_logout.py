"""Back-channel logout without a browser: the logout token a party receives
(signed, checked against the JWKS, naming the session), one owed to every party
the session signed in to, retried with growing pauses and given up in the end,
and a delivery whose task died with its worker queued again by the sweep."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, Application, RefreshToken

from core.models import AuditEntry
from identity import logout
from identity.demo import client_id, register_cities
from identity.models import LogoutDelivery, ProviderSession, RelyingParty, SignIn

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver/oidc"
CHENGDU, MIANYANG, DEYANG = "510100", "510700", "510600"


class Party:
    """A relying party's back-channel endpoint on a real socket: records the
    logout tokens it is sent and answers with `status`."""

    def __init__(self):
        self.tokens, self.status = [], 200
        party = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                party.tokens.append(parse_qs(body)["logout_token"][0])
                self.send_response(party.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/oidc/backchannel-logout/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def parties():
    """成都 and 绵阳 with live back-channel endpoints; 德阳 registered none."""
    register_cities("127.0.0.1", 8161, codes=[CHENGDU, MIANYANG, DEYANG])
    endpoints = {CHENGDU: Party(), MIANYANG: Party()}
    for code, party in endpoints.items():
        RelyingParty.objects.filter(application__client_id=client_id(code)).update(backchannel_logout_uri=party.url)
    RelyingParty.objects.filter(application__client_id=client_id(DEYANG)).update(backchannel_logout_uri="")
    yield endpoints
    for party in endpoints.values():
        party.close()


def signed_in_session(user, codes):
    """A province session that signed in to the given parties, each holding tokens."""
    session = ProviderSession.objects.create(sid=f"sid-{user.pk}-{len(codes)}", user=user)
    for code in codes:
        app = Application.objects.get(client_id=client_id(code))
        SignIn.objects.create(session=session, application=app, code=f"code-{code}")
        access = AccessToken.objects.create(
            user=user, application=app, token=f"at-{code}", expires=timezone.now() + timedelta(minutes=15)
        )
        RefreshToken.objects.create(user=user, application=app, token=f"rt-{code}", access_token=access)
    return session


def test_logout_owes_every_party_a_signed_token_naming_the_session(
    parties, demo_user, client, django_capture_on_commit_callbacks
):
    user = demo_user("agent")
    session = signed_in_session(user, [CHENGDU, MIANYANG, DEYANG])
    with django_capture_on_commit_callbacks(execute=False):
        logout.end_session(session.sid, ISSUER)
    session.refresh_from_db()
    assert session.ended_at is not None
    # Owed to the two parties with a back-channel URI, not to 德阳; every token revoked.
    owed = LogoutDelivery.objects.filter(session=session)
    assert sorted(owed.values_list("application__client_id", flat=True)) == ["city-510100", "city-510700"]
    assert not AccessToken.objects.filter(user=user).exists()
    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()

    assert logout.deliver_due(session.pk) is None
    keys = KeySet.import_key_set(client.get("/oidc/.well-known/jwks.json").json())
    for code, party in parties.items():
        [raw] = party.tokens
        token = jwt.decode(raw, keys, algorithms=["RS256"])
        assert token.header["typ"] == "logout+jwt" and token.header["kid"] in [k.kid for k in keys]
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": client_id(code)},
            sid={"essential": True, "value": session.sid},
            sub={"essential": True, "value": str(user.pk)},
            iat={"essential": True},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(token.claims)
        assert token.claims["events"] == {logout.EVENT: {}} and "nonce" not in token.claims
    assert set(owed.values_list("status", flat=True)) == {"delivered"}
    assert AuditEntry.objects.filter(action="backchannel_logout").count() == 2
    # Ending it again owes nothing more.
    assert logout.end_session(session.sid, ISSUER) is None


def test_a_party_that_does_not_answer_is_retried_then_given_up(parties, demo_user):
    session = signed_in_session(demo_user("agent"), [CHENGDU, MIANYANG])
    parties[MIANYANG].status = 503
    logout.end_session(session.sid, ISSUER)
    logout.deliver_due(session.pk)
    failing = LogoutDelivery.objects.get(application__client_id=client_id(MIANYANG))
    assert failing.status == "pending" and failing.attempts == 1 and failing.last_error == "HTTP 503"
    assert timedelta(0) < failing.next_attempt_at - timezone.now() <= timedelta(seconds=logout.RETRY_PAUSES[0])
    assert AuditEntry.objects.filter(action="backchannel_logout_failed").count() == 1

    # Not due yet: nothing is sent; due again: sent again (a new token, new jti).
    logout.deliver_due(session.pk)
    assert len(parties[MIANYANG].tokens) == 1
    LogoutDelivery.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
    logout.deliver_due(session.pk)
    assert len(parties[MIANYANG].tokens) == 2 and parties[MIANYANG].tokens[0] != parties[MIANYANG].tokens[1]

    # After the last pause it is given up, visibly.
    LogoutDelivery.objects.filter(pk=failing.pk).update(
        attempts=len(logout.RETRY_PAUSES), next_attempt_at=timezone.now()
    )
    assert logout.deliver_due(session.pk) is None
    failing.refresh_from_db()
    assert failing.status == "gave_up" and failing.next_attempt_at is None


def test_a_delivery_whose_worker_died_is_queued_again_by_the_sweep(
    parties, demo_user, client, django_capture_on_commit_callbacks
):
    session = signed_in_session(demo_user("agent"), [MIANYANG])
    with django_capture_on_commit_callbacks(execute=True):
        logout.end_session(session.sid, ISSUER)
    [queued] = DBTaskResult.objects.filter(task_path="identity.tasks.deliver_logouts")
    # A worker takes the task and is killed while posting: the task stays
    # "running" for ever, the delivery claimed but never tried.
    DBTaskResult.objects.filter(pk=queued.pk).update(status="RUNNING", started_at=timezone.now())
    delivery = LogoutDelivery.objects.get(session=session)
    assert logout._claim(delivery)
    assert logout.deliver_due(session.pk) is not None and parties[MIANYANG].tokens == []  # claimed: not sent twice

    # Not stale yet: the sweep leaves it alone.
    call_command("sweep_logouts")
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    LogoutDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=logout.STALE_SECONDS + 1)
    )
    call_command("sweep_logouts")
    [again] = DBTaskResult.objects.filter(status="READY")
    assert again.task_path == "identity.tasks.deliver_logouts" and again.args_kwargs["args"][0] == session.pk

    # The worker runs the re-queued task: the party is told, with the issuer fixed at logout.
    again.task.call(*again.args_kwargs["args"], **again.args_kwargs["kwargs"])
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1
    [raw] = parties[MIANYANG].tokens
    assert (
        jwt.decode(
            raw, KeySet.import_key_set(client.get("/oidc/.well-known/jwks.json").json()), algorithms=["RS256"]
        ).claims["iss"]
        == ISSUER
    )
