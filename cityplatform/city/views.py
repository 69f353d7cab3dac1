"""Sign in through the province (Authlib's OpenID Connect client), show who
is acting for which enterprise, read the city's benefit items from the
province's API with the user's access token, and take back-channel logout
tokens from the province.

What is shown about the person is read again from the province's userinfo on
every visit to the home page, so an agent's authorisation revoked at the
province disappears here at once; an expired access token is renewed with
the refresh token (the province rotates it)."""

from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .models import SignedIn

oauth = OAuth()
oauth.register("tongban")
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
CLAIMS = ("sub", "name", "assurance_level", "assurance_method", "organisations", "sid", "acr")


def as_user(request, url, **params):
    """GET from the province with the user's access token; when it is refused,
    renew it once with the refresh token and try again. Returns the response
    (401: the province has ended this sign-in)."""
    token = request.session.get("token") or {}
    response = None
    for renew in (True, False):
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        response = requests.get(url, headers=headers, params=params, timeout=10)
        if response.status_code != 401 or not renew or not token.get("refresh_token"):
            break
        try:
            fresh = oauth.tongban.fetch_access_token(grant_type="refresh_token", refresh_token=token["refresh_token"])
        except OAuthError:  # revoked (logged out at the province) or expired
            break
        token = {**token, "access_token": fresh["access_token"], "refresh_token": fresh.get("refresh_token")}
        request.session["token"] = token
    return response


def signed_out(request, reason):
    request.session.flush()
    messages.error(request, f"{reason}，请重新登录")
    return redirect("home")


def site(request):
    return {
        "city_name": settings.CITY_NAME,
        "city_colour": settings.CITY_COLOUR,
        "city_code": settings.CITY_CODE,
        "user": request.session.get("user"),
    }


def home(request):
    if request.session.get("user"):
        try:
            info = as_user(request, oauth.tongban.load_server_metadata()["userinfo_endpoint"])
        except requests.RequestException:
            info = None  # the province is unreachable: show what the sign-in said
        if info is not None and info.status_code == 401:
            return signed_out(request, "省统一身份认证的登录已失效（已退出或已撤销授权）")
        if info is not None and info.ok:
            claims = info.json()
            request.session["user"] = {**request.session["user"], **{k: claims[k] for k in CLAIMS if k in claims}}
    return render(request, "city/home.html")


def login(request):
    return oauth.tongban.authorize_redirect(request, request.build_absolute_uri(reverse("callback")))


def callback(request):
    if "error" in request.GET:
        messages.error(
            request, f"省统一身份认证未完成登录：{request.GET.get('error_description') or request.GET['error']}"
        )
        return redirect("home")
    # Checks state, exchanges the code with the PKCE verifier, validates the ID
    # token (signature from the JWKS, iss, aud, exp, nonce).
    token = oauth.tongban.authorize_access_token(request)
    claims = token["userinfo"]
    request.session.cycle_key()  # a new session id after login (no fixation)
    request.session["user"] = {key: claims.get(key) for key in CLAIMS}
    request.session["token"] = {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token"),
        "id_token": token.get("id_token"),
    }
    request.session.save()
    SignedIn.objects.create(
        sid=claims.get("sid", ""), session_key=request.session.session_key, name=claims.get("name", "")
    )
    return redirect("home")


def logout(request):
    """RP-initiated logout: end the local session and the province's."""
    id_token = (request.session.get("token") or {}).get("id_token")
    request.session.flush()
    metadata = oauth.tongban.load_server_metadata()
    query = urlencode(
        {
            "id_token_hint": id_token or "",
            "client_id": oauth.tongban.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("home")),
        }
    )
    return redirect(f"{metadata['end_session_endpoint']}?{query}")


@csrf_exempt
@require_POST
def backchannel_logout(request):
    """OpenID Connect Back-Channel Logout 1.0 §2.6: validate the logout token,
    end every local session of that province session, answer 200."""
    raw = request.POST.get("logout_token", "")
    try:
        try:
            token = jwt.decode(raw, KeySet.import_key_set(oauth.tongban.fetch_jwk_set()), algorithms=["RS256"])
        except (JoseError, ValueError):  # perhaps signed by a key rotated in since the JWKS was cached
            token = jwt.decode(
                raw, KeySet.import_key_set(oauth.tongban.fetch_jwk_set(force=True)), algorithms=["RS256"]
            )
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": settings.TONGBAN_ISSUER},
            aud={"essential": True, "value": oauth.tongban.client_id},
            iat={"essential": True},
            jti={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        return JsonResponse({"error": "invalid_request", "error_description": str(exc)}, status=400)
    claims = token.claims
    if BACKCHANNEL_EVENT not in (claims.get("events") or {}) or "nonce" in claims or not claims.get("sid"):
        return JsonResponse({"error": "invalid_request", "error_description": "不是注销令牌"}, status=400)
    for signed_in in SignedIn.objects.filter(sid=claims["sid"]):
        SessionStore(session_key=signed_in.session_key).delete()
        signed_in.delete()
    return JsonResponse({"ok": True})


def items(request):
    """The city's benefit items, read from the province's API with the user's token."""
    if not (request.session.get("token") or {}).get("access_token"):
        return redirect("login")
    me = as_user(request, f"{settings.TONGBAN_API}/me")
    if me.status_code == 401:
        return signed_out(request, f"省平台拒绝了令牌：{me.json().get('message')}")
    found = as_user(request, f"{settings.TONGBAN_API}/policies/items", city=settings.CITY_CODE, limit=20).json()
    return render(request, "city/items.html", {"me": me.json(), "found": found})
