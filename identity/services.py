"""Registering relying parties (the cities' platforms) with the provider.
The client secret is made here, shown once, and stored hashed by the toolkit."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from oauth2_provider.models import AccessToken, RefreshToken, get_application_model

from accounts import policy
from core import audit
from core.errors import ServiceError
from core.models import Region

from .models import RelyingParty

Application = get_application_model()
SCOPES = ["openid", "profile", "id_card", "organisation", "policy"]


def require_manage(user):
    if not policy.can(user, "identity.manage"):
        raise PermissionDenied("无权管理统一身份认证接入平台：您的角色没有此权限")


def _uris(text, field, label, errors):
    uris = [u.strip() for u in (text or "").split() if u.strip()]
    for uri in uris:
        try:
            URLValidator(schemes=["http", "https"])(uri)
        except ValidationError:
            errors.setdefault(field, []).append(f"{label}“{uri}”不是有效的 http(s) 地址")
    return uris


@transaction.atomic
def register_party(
    actor,
    *,
    name,
    redirect_uris,
    scopes,
    required_level,
    post_logout_redirect_uris="",
    backchannel_logout_uri="",
    region="",
    client_id=None,
    secret=None,
):
    """A platform may sign its users in through the province. Returns (party, secret)."""
    require_manage(actor)
    errors = {}
    redirects = _uris(redirect_uris, "redirect_uris", "登录回调地址", errors)
    if not redirects and "redirect_uris" not in errors:
        errors["redirect_uris"] = ["请至少填写一个登录回调地址"]
    logouts = _uris(post_logout_redirect_uris, "post_logout_redirect_uris", "注销后返回地址", errors)
    scopes = list(dict.fromkeys(scopes or []))
    if "openid" not in scopes:
        errors["scopes"] = ["可申请的范围必须包含 openid"]
    elif any(s not in SCOPES for s in scopes):
        errors["scopes"] = [f"可申请的范围只能是 {'、'.join(SCOPES)}"]
    if Application.objects.filter(name=name).exists():
        errors["name"] = ["已有同名的接入平台"]
    if region and not Region.objects.filter(pk=region).exists():
        errors["region"] = [f"区划代码“{region}”不是有效的行政区划代码（GB/T 2260）"]
    if errors:
        raise ServiceError("接入平台登记信息有误，请按提示修改", errors=errors)
    secret = secret or secrets.token_urlsafe(32)
    application = Application(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirects),
        post_logout_redirect_uris=" ".join(logouts),
        algorithm=Application.RS256_ALGORITHM,
        client_secret=secret,
        hash_client_secret=True,
    )
    if client_id:
        application.client_id = client_id
    application.save()
    party = RelyingParty.objects.create(
        application=application,
        scopes=" ".join(scopes),
        required_level=required_level,
        region_id=region or None,
        backchannel_logout_uri=backchannel_logout_uri or "",
    )
    audit.record(
        "create",
        application,
        after={
            "client_id": application.client_id,
            "name": name,
            "redirect_uris": redirects,
            "scopes": scopes,
            "required_level": required_level,
            "backchannel_logout_uri": backchannel_logout_uri,
            "client_secret": audit.SECRET_MASK,
        },
    )
    return party, secret


@transaction.atomic
def new_secret(actor, party):
    """Replace a party's secret (lost or leaked); the old one stops working at once."""
    require_manage(actor)
    secret = secrets.token_urlsafe(32)
    application = party.application
    application.client_secret = secret
    application.save()
    audit.record("update", application, after={"client_secret": audit.SECRET_CHANGED})
    return secret


@transaction.atomic
def withdraw_consent(user, consent):
    """The person takes back what they let a party have: the consent and every
    token the party holds for them end now."""
    for token in RefreshToken.objects.filter(user=user, application=consent.application, revoked__isnull=True):
        token.revoke()
    AccessToken.objects.filter(user=user, application=consent.application).delete()
    consent.delete()
