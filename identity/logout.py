"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0, built beside
django-oauth-toolkit, which has none): when a session at the province ends,
every relying party it signed in to that registered a back-channel logout URI
is sent a signed logout token naming the session (`sid`); a party that cannot
be reached is tried again from the task worker with growing pauses. A
delivery whose task was lost (its worker killed) is found by `requeue_stale`
(`manage.py sweep_logouts`, and every new logout) and queued again."""

import json
import time
import uuid
from datetime import timedelta

import requests
from django.db import transaction
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, RefreshToken
from oauth2_provider.settings import oauth2_settings

from core import audit

from .models import LogoutDelivery, ProviderSession, RelyingParty

EVENT = "http://schemas.openid.net/event/backchannel-logout"
# Seconds to wait before each retry; after the last the delivery is given up
# (the relying party's own session times out in the end).
RETRY_PAUSES = [1, 2, 4, 8, 15, 30, 60, 120, 300, 600, 1800, 3600]
TIMEOUT_SECONDS = 5
TOKEN_LIFETIME = 120
# A delivery being tried is pushed this far ahead, so that no other task takes
# it meanwhile; if its worker dies, it comes due again after this.
CLAIM_SECONDS = 4 * TIMEOUT_SECONDS
# Due this long without being tried: its task was lost, queue it again.
STALE_SECONDS = 60


def logout_token(application, session, issuer):
    """The signed JWT of §2.4: iss, aud, iat, exp, jti, sub, sid, events; no nonce."""
    key = jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode("utf8"))
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": application.client_id,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "jti": str(uuid.uuid4()),
        "sub": str(session.user_id),
        "sid": session.sid,
        "events": {EVENT: {}},
    }
    token = jwt.JWT(header={"typ": "logout+jwt", "alg": "RS256", "kid": key.thumbprint()}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


@transaction.atomic
def end_session(sid, issuer):
    """The session has ended: revoke the tokens it obtained and owe each party a logout token."""
    session = ProviderSession.objects.select_for_update().filter(sid=sid, ended_at__isnull=True).first()
    if session is None:
        return None
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])
    apps = {s.application_id: s.application for s in session.sign_ins.select_related("application")}
    for token in RefreshToken.objects.filter(
        user=session.user, application_id__in=apps, created__gte=session.started_at, revoked__isnull=True
    ):
        token.revoke()
    AccessToken.objects.filter(user=session.user, application_id__in=apps, created__gte=session.started_at).delete()
    uris = dict(
        RelyingParty.objects.filter(application_id__in=apps)
        .exclude(backchannel_logout_uri="")
        .values_list("application_id", "backchannel_logout_uri")
    )
    for app_id in uris:
        LogoutDelivery.objects.get_or_create(
            session=session, application_id=app_id, defaults={"next_attempt_at": timezone.now(), "issuer": issuer}
        )
    from . import tasks

    if uris:
        transaction.on_commit(lambda: tasks.deliver_logouts.enqueue(session.pk, issuer))
    # Every logout also looks for deliveries whose task was lost (one query).
    transaction.on_commit(requeue_stale)
    return session


def deliver(delivery, issuer):
    """One attempt; True when the party took the token (HTTP 200)."""
    party = RelyingParty.objects.get(application=delivery.application)
    error = ""
    try:
        response = requests.post(
            party.backchannel_logout_uri,
            data={"logout_token": logout_token(delivery.application, delivery.session, issuer)},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        if response.status_code != 200:
            error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    delivery.attempts += 1
    now = timezone.now()
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = (
            LogoutDelivery.Status.DELIVERED,
            now,
            None,
            "",
        )
    elif delivery.attempts > len(RETRY_PAUSES):
        delivery.status, delivery.next_attempt_at, delivery.last_error = LogoutDelivery.Status.GAVE_UP, None, error
    else:
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_PAUSES[delivery.attempts - 1])
        delivery.last_error = error
    delivery.save()
    audit.record(
        "backchannel_logout" if not error else "backchannel_logout_failed",
        delivery.application,
        actor=audit.Actor(delivery.session.user),
        after={"sid": delivery.session.sid, "attempt": delivery.attempts, "error": error},
    )
    return not error


def _claim(delivery):
    """Take the delivery for this attempt, unless another task took it first
    (compare-and-set on its due time: works on SQLite and PostgreSQL alike)."""
    taken = LogoutDelivery.objects.filter(
        pk=delivery.pk, status=LogoutDelivery.Status.PENDING, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=timezone.now() + timedelta(seconds=CLAIM_SECONDS))
    return taken == 1


def deliver_due(session_id=None, issuer=""):
    """Try every delivery that is due; return the earliest next attempt still owed."""
    due = LogoutDelivery.objects.filter(status=LogoutDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
    if session_id is not None:
        due = due.filter(session_id=session_id)
    for delivery in due.select_related("session", "application"):
        if _claim(delivery):
            deliver(delivery, delivery.issuer or issuer)
    pending = LogoutDelivery.objects.filter(status=LogoutDelivery.Status.PENDING)
    if session_id is not None:
        pending = pending.filter(session_id=session_id)
    return pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def requeue_stale(stale_seconds=STALE_SECONDS):
    """Queue the delivery task again for every session with a delivery due for
    longer than stale_seconds (the task that owed it died with its worker).
    A task still alive that takes it first wins: `_claim` lets one try it."""
    from . import tasks

    cutoff = timezone.now() - timedelta(seconds=stale_seconds)
    sessions = list(
        LogoutDelivery.objects.filter(status=LogoutDelivery.Status.PENDING, next_attempt_at__lte=cutoff)
        .values_list("session_id", flat=True)
        .distinct()
    )
    for session_id in sessions:
        tasks.deliver_logouts.enqueue(session_id, "")
    return len(sessions)
