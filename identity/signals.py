"""Sessions at the province: each login gets a `sid`; logout ends it and
tells the relying parties (identity.logout). Token grants are audited."""

import secrets

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized

from core import audit

from .models import ProviderSession

SESSION_KEY = "identity_sid"


def start_session(request, user):
    sid = secrets.token_urlsafe(24)
    ProviderSession.objects.create(sid=sid, user=user)
    request.session[SESSION_KEY] = sid
    return sid


def sid_of(request):
    """The request's province session, started now if it predates this app."""
    sid = request.session.get(SESSION_KEY)
    if not sid or not ProviderSession.objects.filter(sid=sid, ended_at__isnull=True).exists():
        sid = start_session(request, request.user)
    return sid


@receiver(user_logged_in)
def _login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session(request, user)


@receiver(user_logged_out)
def _logout(sender, request, user, **kwargs):
    sid = request.session.get(SESSION_KEY) if request is not None and hasattr(request, "session") else None
    if sid:
        from .logout import end_session

        end_session(sid, _issuer(request))


def _issuer(request):
    try:
        return oauth2_settings.oidc_issuer(request)
    except KeyError:  # a request built without a host (the test client's logout)
        return ""


@receiver(app_authorized)
def _token_granted(sender, request, token, **kwargs):
    audit.record(
        "token_grant",
        token.application,
        actor=audit.Actor(token.user, audit.client_ip(request)),
        after={"scope": token.scope, "expires": token.expires.isoformat()},
    )


@receiver(user_login_failed)
def _login_refused(sender, credentials, request=None, **kwargs):
    """A refused password (or a locked-out account) is audited like a login:
    who was tried, from where; never the password."""
    username = str((credentials or {}).get("username", ""))[:150]
    audit.record(
        "login_refused",
        actor=audit.Actor(None, audit.client_ip(request) if request is not None else ""),
        object_type="accounts.User",
        object_id=username[:64],  # the column's width: a hostile name is cut, never a server error
        object_repr=username,
        after={"reason": "用户名或密码不正确，或登录失败次数过多已被暂时锁定"},
    )
