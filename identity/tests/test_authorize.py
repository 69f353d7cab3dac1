"""The authorization endpoint and the API as a relying party meets them,
through Django's test client: refusals told in Chinese (wrong redirect URI,
unknown client, PKCE other than S256), sensitive claims released only with
consent remembered per party, and what a party may do with an access token."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, Application

from accounts.models import Person
from core.models import AuditEntry
from identity.demo import client_id, demo_secret, register_cities
from identity.models import Consent
from identity.services import register_party

pytestmark = pytest.mark.django_db
CHENGDU, MIANYANG = "510100", "510700"
VERIFIER = "v" * 50


def authorize(client, code, port, scope="openid profile", redirect=None, method="S256", **extra):
    challenge = create_s256_code_challenge(VERIFIER) if method == "S256" else VERIFIER
    return client.get(
        "/oidc/authorize/",
        {
            "response_type": "code",
            "client_id": client_id(code) if code else "no-such-client",
            "scope": scope,
            "redirect_uri": redirect or f"http://127.0.0.1:{port}/oidc/callback/",
            "state": "s1",
            "nonce": "n1",
            "code_challenge": challenge,
            "code_challenge_method": method,
            **extra,
        },
    )


@pytest.fixture
def cities():
    register_cities("127.0.0.1", 8161, codes=[CHENGDU, MIANYANG])


def test_a_bad_login_request_is_refused_in_chinese_and_never_redirected(cities, signed_in):
    client = signed_in("agent")
    wrong = authorize(client, CHENGDU, 8161, redirect="http://evil.example/oidc/callback/")
    page = wrong.content.decode()
    assert wrong.status_code == 400 and "Location" not in wrong
    assert "登录回调地址（redirect_uri）与该平台登记的不一致" in page and "Mismatching" not in page
    unknown = authorize(client, None, 8161)
    assert unknown.status_code == 400 and "客户端标识（client_id）未登记" in unknown.content.decode()
    # Exactly as registered: another path on the party's own host is refused too.
    other = authorize(client, CHENGDU, 8161, redirect="http://127.0.0.1:8161/oidc/callback/other/")
    assert other.status_code == 400 and "redirect_uri" in other.content.decode()


def test_pkce_other_than_s256_is_told_to_the_party_not_a_server_error(cities, signed_in):
    client = signed_in("agent")
    plain = authorize(client, CHENGDU, 8161, method="plain")
    assert plain.status_code == 302
    query = parse_qs(urlsplit(plain["Location"]).query)
    assert plain["Location"].startswith("http://127.0.0.1:8161/oidc/callback/")
    assert query["error"] == ["invalid_request"] and query["state"] == ["s1"] and "code" not in query
    # An empty challenge gets a code that no verifier redeems (PKCE is required).
    empty = authorize(client, CHENGDU, 8161, code_challenge="")
    code = parse_qs(urlsplit(empty["Location"]).query)["code"][0]
    redeemed = client.post(
        "/oidc/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:8161/oidc/callback/",
            "client_id": client_id(CHENGDU),
            "client_secret": demo_secret(CHENGDU),
            "code_verifier": VERIFIER,
        },
    )
    assert redeemed.status_code == 400 and redeemed.json()["error"] == "invalid_grant"
    # A scope the party was not registered for is refused the same way.
    beyond = authorize(client, CHENGDU, 8161, scope="openid id_card")
    assert "error=invalid_scope" in beyond["Location"]


def test_sensitive_claims_need_consent_remembered_per_party(cities, signed_in, demo_user, client):
    """The masked resident ID and the organisations are released only after
    the person agrees, once for each party; another party asks again."""
    admin = demo_user("admin")
    register_party(
        admin,
        name="成都市企业服务平台",
        redirect_uris="http://127.0.0.1:8163/oidc/callback/",
        scopes=["openid", "profile", "id_card", "organisation"],
        required_level=1,
        client_id="city-510100-qy",
        secret="qy-secret",
    )
    agent = signed_in("agent")
    scope = "openid profile id_card organisation"

    def ask(cid, port, scope=scope, **extra):
        return agent.get(
            "/oidc/authorize/",
            {
                "response_type": "code",
                "client_id": cid,
                "scope": scope,
                "redirect_uri": f"http://127.0.0.1:{port}/oidc/callback/",
                "state": "s1",
                "nonce": "n1",
                "code_challenge": create_s256_code_challenge(VERIFIER),
                "code_challenge_method": "S256",
                **extra,
            },
        )

    page = ask("city-510100-qy", 8163)
    assert page.status_code == 200
    text = page.content.decode()
    assert "同意并登录" in text and "脱敏后的身份证号" in text and "您代办的组织、授权范围" in text
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    refused = agent.post("/oidc/authorize/", {**form, "scope": scope})  # 拒绝
    assert "error=access_denied" in refused["Location"] and not Consent.objects.exists()
    assert AuditEntry.objects.filter(action="authorization_refused").exists()
    granted = agent.post("/oidc/authorize/", {**form, "scope": scope, "allow": "Authorize"})
    assert granted.status_code == 302 and "code=" in granted["Location"]
    consent = Consent.objects.get(application__client_id="city-510100-qy")
    assert consent.scopes == "id_card organisation"

    token = agent.post(
        "/oidc/token/",
        {
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(granted["Location"]).query)["code"][0],
            "redirect_uri": "http://127.0.0.1:8163/oidc/callback/",
            "client_id": "city-510100-qy",
            "client_secret": "qy-secret",
            "code_verifier": VERIFIER,
        },
    ).json()
    keys = KeySet.import_key_set(client.get("/oidc/.well-known/jwks.json").json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    person = Person.objects.get(user__username="agent")
    assert claims["id_card_masked"] == person.masked_id and person.resident_id not in json.dumps(claims)
    assert "*" in claims["id_card_masked"] and claims["id_card_masked"][:6] == person.resident_id[:6]
    assert claims["assurance_level"] == 3 and claims["assurance_method"] and claims["assurance_at"]
    assert claims["organisations"][0]["name"] == "成都锦程数字科技有限公司"

    # Remembered for this party: no page the second time.
    again = ask("city-510100-qy", 8163)
    assert again.status_code == 302 and "code=" in again["Location"]
    assert ask("city-510100-qy", 8163, prompt="consent").status_code == 200  # unless the party asks
    # A party cannot skip the page with the toolkit's approval_prompt=auto (a live token exists)...
    Consent.objects.all().delete()
    assert ask("city-510100-qy", 8163, approval_prompt="auto").status_code == 200
    # ... and one asking for no page is told consent is needed.
    silent = ask("city-510100-qy", 8163, prompt="none")
    assert "error=consent_required" in silent["Location"] and "code=" not in silent["Location"]
    # Another party asks again for what it may have; nothing sensitive, nothing asked.
    assert ask(client_id(MIANYANG), 8162, scope="openid profile organisation").status_code == 200
    assert ask(client_id(MIANYANG), 8162, scope="openid profile").status_code == 302


def bearer(client, token, method="get", path="/api/v1/me"):
    return getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {token}", content_type="application/json")


def test_a_partys_access_token_reads_the_api_only_with_the_policy_scope(cities, demo_user, client):
    agent = demo_user("agent")
    app = Application.objects.get(client_id=client_id(CHENGDU))

    def token(key, scope, **kw):
        AccessToken.objects.create(
            user=agent, application=app, token=key, scope=scope, expires=timezone.now() + timedelta(minutes=15), **kw
        )
        return key

    reads = token("with-policy", "openid profile policy")
    me = bearer(client, reads)
    assert me.status_code == 200 and me.json()["name"] == "陈刚"
    # Nothing changes through a party's token: a clerk's would otherwise approve cases.
    write = bearer(client, reads, "post", "/api/v1/organisations")
    assert write.status_code == 401 and write.json()["message"].startswith("接入平台的访问令牌只能查询")
    narrow = bearer(client, token("no-policy", "openid profile"))
    assert narrow.status_code == 401 and "policy 范围" in narrow.json()["message"]
    expired = token("expired", "openid policy")
    AccessToken.objects.filter(application=app, scope="openid policy").update(expires=timezone.now())
    assert bearer(client, expired).json()["message"].startswith("访问令牌已过期")
    assert bearer(client, "forged-token").json()["message"].startswith("访问令牌无效或已被吊销")


def test_a_person_withdraws_a_consent_and_the_partys_tokens_end(cities, signed_in, demo_user, client):
    agent = demo_user("agent")
    app = Application.objects.get(client_id=client_id(CHENGDU))
    consent = Consent.objects.create(user=agent, application=app, scopes="organisation")
    access = AccessToken.objects.create(
        user=agent, application=app, token="live", scope="openid policy", expires=timezone.now() + timedelta(minutes=9)
    )
    from oauth2_provider.models import RefreshToken

    refresh = RefreshToken.objects.create(user=agent, application=app, token="live-refresh", access_token=access)
    # Nobody else can withdraw it.
    assert signed_in("citizen").post(f"/identity/consents/{consent.pk}/withdraw/").status_code == 404
    page = signed_in("agent").get("/identity/consents/").content.decode()
    assert "成都市惠企政策申兑平台" in page and "您代办的组织、授权范围" in page
    done = client.post(f"/identity/consents/{consent.pk}/withdraw/", follow=True)
    assert "已撤回对“成都市惠企政策申兑平台”的授权" in done.content.decode()
    from django.test import Client

    assert not Consent.objects.exists() and bearer(Client(), "live").status_code == 401  # no session cookie
    refresh.refresh_from_db()
    assert refresh.revoked is not None
    assert AuditEntry.objects.filter(action="delete", object_type="identity.Consent").exists()


def test_a_bad_logout_request_is_refused_in_chinese_and_signs_nobody_out(cities, signed_in):
    client = signed_in("agent")
    elsewhere = client.get(
        "/oidc/logout/", {"client_id": client_id(CHENGDU), "post_logout_redirect_uri": "http://evil.example/"}
    )
    assert elsewhere.status_code == 400 and "Location" not in elsewhere
    assert "注销后返回地址（post_logout_redirect_uri）未在该平台登记" in elsewhere.content.decode()
    forged = client.get("/oidc/logout/", {"client_id": client_id(CHENGDU), "id_token_hint": "abc.def.ghi"})
    assert forged.status_code == 400 and "ID 令牌（id_token_hint）无效、已过期或被篡改" in forged.content.decode()
    assert client.get("/accounts/me/").status_code == 200  # still signed in


def test_prompt_login_signs_the_person_in_again_even_when_nothing_is_asked(cities, signed_in):
    client = signed_in("agent")
    again = authorize(client, CHENGDU, 8161, prompt="login")
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")
    assert "prompt" not in again["Location"]  # after signing in, the request goes on without it
    assert "code=" in authorize(client, CHENGDU, 8161)["Location"]
