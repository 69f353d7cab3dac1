"""The provider seen by a standard OpenID Connect client (Authlib): discovery,
JWKS, authorization code with PKCE, ID token validation, refresh with
rotation, userinfo, RP-initiated logout; and the refusals a relying party
and the API must give (another party's token, expired, tampered, revoked)."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken

from core.models import AuditEntry
from identity.demo import client_id, demo_secret, register_cities

pytestmark = pytest.mark.django_db(transaction=True)
CHENGDU, MIANYANG = "510100", "510700"


@pytest.fixture
def parties(live_server):
    register_cities("127.0.0.1", 8161, codes=[CHENGDU, MIANYANG])
    return live_server.url + "/oidc"


def client(code, issuer_metadata):
    return OAuth2Session(
        client_id(code),
        demo_secret(code),
        scope="openid profile organisation policy",
        redirect_uri=f"http://127.0.0.1:{8161 if code == CHENGDU else 8162}/oidc/callback/",
        code_challenge_method="S256",
        token_endpoint=issuer_metadata["token_endpoint"],
    )


def consent(user_agent, page):
    """Press 同意并登录 on the consent page."""
    assert "同意并登录" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    return user_agent.post(
        page.url, data={**fields, "allow": "Authorize"}, headers={"Referer": page.url}, allow_redirects=False
    )


def sign_in_code(user_agent, oauth, metadata, expect_consent=None):
    """Run the authorization request as the browser would; return (code, verifier, nonce)."""
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = oauth.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    r = user_agent.get(url, allow_redirects=False)
    if expect_consent is not None:
        assert (r.status_code == 200) == expect_consent
    if r.status_code == 200:
        r = consent(user_agent, r)
    assert r.status_code == 302, r.text[:300]
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0], verifier, nonce


def id_claims(id_token, keys, issuer, audience, nonce=None):
    claims = jwt.decode(id_token, keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        nonce={"essential": bool(nonce), "value": nonce},
    ).validate(claims)
    return claims


def test_code_pkce_refresh_userinfo_logout(parties, browser_session):
    issuer = parties
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration").json()
    # OpenID Connect Discovery 1.0 §3: the required fields, and what tongban promises.
    assert metadata["issuer"] == issuer
    for field in ("response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"):
        assert metadata[field], field
    assert (
        metadata["response_types_supported"] == ["code"]
        and "RS256" in metadata["id_token_signing_alg_values_supported"]
    )
    assert "none" not in metadata["id_token_signing_alg_values_supported"]
    assert {"name", "organisations", "id_card_masked", "sid", "acr"} <= set(metadata["claims_supported"])
    for field in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[field].startswith(issuer)
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert metadata["backchannel_logout_supported"] and metadata["backchannel_logout_session_supported"]
    jwks = requests.get(metadata["jwks_uri"]).json()
    assert jwks["keys"] and all(
        k["kty"] == "RSA" and k["use"] == "sig" and k["kid"] and "d" not in k for k in jwks["keys"]
    )
    assert all(k["alg"] == "RS256" and k["n"] and k["e"] for k in jwks["keys"])
    assert len({k["kid"] for k in jwks["keys"]}) == len(jwks["keys"])
    keys = KeySet.import_key_set(jwks)

    agent = browser_session("agent")
    oauth = client(CHENGDU, metadata)
    code, verifier, nonce = sign_in_code(agent, oauth, metadata, expect_consent=True)

    # The code without its PKCE verifier is refused, then redeemed with it.
    bare = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": oauth.redirect_uri,
            "client_id": client_id(CHENGDU),
            "client_secret": demo_secret(CHENGDU),
        },
    )
    assert bare.status_code == 400 and bare.json()["error"] == "invalid_request"
    token = oauth.fetch_token(metadata["token_endpoint"], code=code, code_verifier=verifier)
    claims = id_claims(token["id_token"], keys, issuer, client_id(CHENGDU), nonce)
    assert claims["name"] == "陈刚" and claims["assurance_level"] == 3 and claims["acr"] == "urn:tongban:loa:3"
    assert claims["sid"]
    org = claims["organisations"][0]
    assert org["name"] == "成都锦程数字科技有限公司" and org["scope"] == ["查询惠企政策", "申报兑现惠企政策"]
    assert "id_card_masked" not in claims  # not asked for

    # The ID token for 成都 does not validate as 绵阳's.
    with pytest.raises(JoseError):
        id_claims(token["id_token"], keys, issuer, client_id(MIANYANG))

    # Consent to the sensitive scope is remembered for this party.
    sign_in_code(agent, client(CHENGDU, metadata), metadata, expect_consent=False)
    info = oauth.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["organisations"][0]["uscc"] == org["uscc"]

    # Refresh rotates the refresh token; the old one is refused afterwards.
    old_refresh = token["refresh_token"]
    renewed = oauth.refresh_token(metadata["token_endpoint"], refresh_token=old_refresh)
    assert renewed["refresh_token"] != old_refresh and renewed["access_token"] != token["access_token"]

    # The API accepts the access token as the user.
    api = f"{parties.rsplit('/oidc', 1)[0]}/api/v1"
    me = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {renewed['access_token']}"})
    assert me.status_code == 200 and me.json()["name"] == "陈刚"

    # A replayed refresh token is refused, and (reuse detection) revokes what it begat.
    again = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": old_refresh,
            "client_id": client_id(CHENGDU),
            "client_secret": demo_secret(CHENGDU),
        },
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert requests.get(f"{api}/me", headers={"Authorization": f"Bearer {renewed['access_token']}"}).status_code == 401
    code, verifier, nonce = sign_in_code(agent, oauth, metadata, expect_consent=False)
    renewed = oauth.fetch_token(metadata["token_endpoint"], code=code, code_verifier=verifier)

    # RP-initiated logout ends the province session and revokes the tokens.
    r = agent.get(
        metadata["end_session_endpoint"],
        params={
            "id_token_hint": renewed["id_token"],
            "client_id": client_id(CHENGDU),
            "post_logout_redirect_uri": "http://127.0.0.1:8161/",
        },
        allow_redirects=False,
    )
    assert r.status_code == 302 and r.headers["Location"] == "http://127.0.0.1:8161/"
    me = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {renewed['access_token']}"})
    assert me.status_code == 401 and me.json()["message"].startswith("访问令牌无效或已被吊销")
    assert agent.get(f"{parties.rsplit('/oidc', 1)[0]}/accounts/me/", allow_redirects=False).status_code == 302
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"login", "token_grant", "token_refused", "logout"} <= actions


def test_one_partys_code_and_token_refused_by_another(parties, browser_session):
    metadata = requests.get(f"{parties}/.well-known/openid-configuration").json()
    agent = browser_session("agent")
    oauth = client(CHENGDU, metadata)
    code, verifier, _ = sign_in_code(agent, oauth, metadata)
    stolen = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": oauth.redirect_uri,
            "client_id": client_id(MIANYANG),
            "client_secret": demo_secret(MIANYANG),
        },
    )
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    token = oauth.fetch_token(metadata["token_endpoint"], code=code, code_verifier=verifier)
    other = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": client_id(MIANYANG),
            "client_secret": demo_secret(MIANYANG),
        },
    )
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    wrong_secret = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": client_id(CHENGDU),
            "client_secret": "guess",
        },
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


def test_expired_tampered_revoked_tokens_refused_with_reason(parties, browser_session):
    metadata = requests.get(f"{parties}/.well-known/openid-configuration").json()
    api = f"{parties.rsplit('/oidc', 1)[0]}/api/v1"
    oauth = client(CHENGDU, metadata)
    code, verifier, _ = sign_in_code(browser_session("agent"), oauth, metadata)
    token = oauth.fetch_token(metadata["token_endpoint"], code=code, code_verifier=verifier)

    def me(access):
        return requests.get(f"{api}/me", headers={"Authorization": f"Bearer {access}"})

    tampered = me(token["access_token"][:-2] + "xx")
    assert tampered.status_code == 401 and tampered.json()["code"] == "unauthenticated"
    assert "无效" in tampered.json()["message"]
    AccessToken.objects.filter(application__client_id=client_id(CHENGDU)).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    expired = me(token["access_token"])
    assert expired.status_code == 401 and expired.json()["message"].startswith("访问令牌已过期")
    assert (
        requests.get(
            metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
        ).status_code
        == 401
    )
    renewed = oauth.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert me(renewed["access_token"]).status_code == 200
    revoke = requests.post(
        metadata["revocation_endpoint"] if "revocation_endpoint" in metadata else f"{parties}/revoke_token/",
        data={"token": renewed["access_token"], "client_id": client_id(CHENGDU), "client_secret": demo_secret(CHENGDU)},
    )
    assert revoke.status_code == 200
    revoked = me(renewed["access_token"])
    assert revoked.status_code == 401 and "吊销" in revoked.json()["message"]
    # A tampered ID token does not validate against the JWKS.
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"]).json())
    head, body, sig = renewed["id_token"].split(".")
    with pytest.raises(JoseError):
        jwt.decode(f"{head}.{body[:-4]}AAAA.{sig}", keys, algorithms=["RS256"])
