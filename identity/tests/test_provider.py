"""Step-up to a party's required level, registering a party in the console
(secret shown once, kept hashed), agents authorised and revoked by the legal
representative (audited on whose behalf), and signing-key rotation."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from oauth2_provider.models import Application

from accounts import services as account_services
from accounts.models import Agent, AssuranceRecord, Organisation, Person
from core.errors import ServiceError
from core.models import AuditEntry
from identity.claims import claims_for
from identity.demo import register_cities
from identity.keys import new_key, signing_keys

YIBIN = "511500"


def authorize_url(code, port, scope="openid profile"):
    challenge = create_s256_code_challenge("v" * 50)
    return (
        f"/oidc/authorize/?response_type=code&client_id=city-{code}&scope={scope.replace(' ', '+')}"
        f"&redirect_uri=http://127.0.0.1:{port}/oidc/callback/&state=s1"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )


@pytest.mark.django_db
def test_party_requiring_level_two_steps_a_self_registered_user_up(signed_in):
    register_cities("127.0.0.1", 8001, codes=[YIBIN])
    client = signed_in("citizen")
    url = authorize_url(YIBIN, 8004)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/identity/step-up/")
    page = client.get(response["Location"])
    assert "二级：姓名与身份证号经人口库核验" in page.content.decode() and "一级：自行注册" in page.content.decode()

    person = Person.objects.get(user__username="citizen")
    wrong = client.post(response["Location"], {"name": "刘芳芳", "resident_id": person.resident_id})
    assert wrong.status_code == 200 and "未能通过人口库核验" in wrong.content.decode()
    assert person.assurance_level == 1

    ok = client.post(response["Location"], {"name": "刘芳", "resident_id": person.resident_id})
    assert ok.status_code == 302 and ok["Location"] == url, ok.content.decode()[-1500:]
    record = person.assurance
    assert record.level == 2 and record.method == AssuranceRecord.Method.REGISTER
    granted = client.get(url)
    query = parse_qs(urlsplit(granted["Location"]).query)
    assert granted["Location"].startswith("http://127.0.0.1:8004/oidc/callback/") and query["code"]


@pytest.mark.django_db
def test_console_registers_a_party_and_shows_its_secret_once(signed_in):
    client = signed_in("admin")
    bad = client.post(
        "/console/identity/new/",
        {"name": "遂宁市惠企平台", "redirect_uris": "not a url", "scopes": ["profile"], "required_level": 1},
    )
    assert bad.status_code == 200 and "不是有效的 http(s) 地址" in bad.content.decode()
    assert "必须包含 openid" in bad.content.decode() and not Application.objects.exists()

    response = client.post(
        "/console/identity/new/",
        {
            "name": "遂宁市惠企平台",
            "redirect_uris": "https://hqzc.suining.example/oidc/callback/",
            "backchannel_logout_uri": "https://hqzc.suining.example/oidc/backchannel-logout/",
            "scopes": ["openid", "profile", "organisation"],
            "required_level": 2,
            "region": "510900",
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    app = Application.objects.get(name="遂宁市惠企平台")
    assert secret in response.content.decode()
    # Kept as a password hash, which the secret (and only it) matches.
    assert secret not in app.client_secret and check_password(secret, app.client_secret)
    assert not check_password(secret[:-1], app.client_secret)
    listing = client.get("/console/identity/").content.decode()
    assert "遂宁市惠企平台" in listing and secret not in listing
    entry = AuditEntry.objects.filter(action="create", object_type="oauth2_provider.Application").get()
    assert entry.after["client_secret"] == "******" and secret not in str(entry.after)
    assert signed_in("clerk").get("/console/identity/").status_code == 403


@pytest.mark.django_db
def test_legal_representative_authorises_and_revokes_an_agent(signed_in, demo_user):
    org = Organisation.objects.get(name="成都青羊文旅发展有限公司")
    citizen = Person.objects.get(user__username="citizen")
    agent_person = Person.objects.get(user__username="agent")
    # 陈刚 (the demo agent) is made the legal representative of this one.
    Agent.objects.create(organisation=org, person=agent_person, is_legal_representative=True, scopes=["all"])
    client = signed_in("agent")
    page = f"/accounts/me/organisations/{org.pk}/agents/"
    bad = client.post(page, {"name": "刘芳", "resident_id": citizen.resident_id, "scopes": []})
    assert "请至少选择一项授权范围" in bad.content.decode()
    until = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    assert (
        client.post(
            page, {"name": "刘芳", "resident_id": citizen.resident_id, "scopes": ["policy"], "expires_at": until}
        ).status_code
        == 302
    )
    granted = Agent.objects.get(organisation=org, person=citizen)
    assert granted.in_force and granted.authorised_by == agent_person
    claims = claims_for(demo_user("citizen"))
    assert claims["organisations"] == [
        {
            "uscc": org.uscc,
            "name": org.name,
            "role": "经办人",
            "agent": "刘芳",
            "scope": ["查询惠企政策"],
            "expires_at": granted.expires_at.isoformat(),
        }
    ]
    entry = AuditEntry.objects.filter(object_type="accounts.Agent", action="create").latest("seq")
    assert entry.on_behalf_of == f"{org.name}（{org.uscc}）" and entry.actor_label.startswith("陈刚")

    # The citizen is no legal representative and cannot authorise anyone.
    with pytest.raises(ServiceError, match="只有该组织的法定代表人"):
        account_services.authorise_agent(
            demo_user("citizen"), org, resident_id=agent_person.resident_id, name="陈刚", scopes=["policy"]
        )
    assert client.post(f"/accounts/me/agents/{granted.pk}/revoke/").status_code == 302
    granted.refresh_from_db()
    assert granted.revoked_at is not None and not granted.in_force
    assert claims_for(demo_user("citizen"))["organisations"] == []
    from core.audit import verify_chain

    assert verify_chain().ok


def test_replaced_signing_key_stays_published_until_its_tokens_expire(tmp_path):
    first, old = signing_keys(tmp_path, keep_seconds=60)
    assert old == []
    new_key(tmp_path)
    active, old = signing_keys(tmp_path, keep_seconds=60)
    assert active != first and old == [first]
    later, old = signing_keys(tmp_path, keep_seconds=60, now=time.time() + 61)
    assert later == active and old == []


@pytest.mark.django_db
def test_login_on_the_way_to_a_party_is_throttled_like_any_other(client, settings):
    """The provider has one password form: django-axes locks it after repeated failures."""
    register_cities("127.0.0.1", 8001, codes=["510100"])
    login = "/accounts/login/?next=" + authorize_url("510100", 8001).replace("&", "%26").replace("?", "%3F")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "agent", "password": "wrong-password"})
    locked = client.post(login, {"username": "agent", "password": "Tongban@2024"})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert not AuditEntry.objects.filter(action="token_grant").exists()


@pytest.mark.django_db
def test_an_agents_changes_are_audited_on_behalf_of_their_organisation(client):
    from accounts.demo import DEMO_PASSWORD

    assert client.post("/accounts/login/", {"username": "agent", "password": DEMO_PASSWORD}).status_code == 302
    org = Organisation.objects.get(name="成都锦程数字科技有限公司")
    login = AuditEntry.objects.filter(action="login").latest("seq")
    assert login.on_behalf_of == f"{org.name}（{org.uscc}）"
    from accounts.demo import make_uscc

    uscc = make_uscc("510107", "1", 9900001)
    response = client.post(
        "/accounts/me/organisations/new/", {"uscc": uscc, "name": "成都新设科技有限公司", "region": "510107"}
    )
    assert response.status_code == 302
    created = AuditEntry.objects.filter(object_type="accounts.Organisation", action="create").latest("seq")
    assert created.on_behalf_of == f"成都新设科技有限公司（{uscc}）" and created.actor_label.startswith("陈刚")
    # Now agent of two: nothing is guessed until one is chosen.
    from django.test import RequestFactory

    from identity.middleware import organisation_acted_for

    request = RequestFactory().get("/")
    request.user, request.session = login.actor, {}
    assert organisation_acted_for(request) is None
    request.session = {"acting_organisation": org.uscc}
    assert organisation_acted_for(request) == org
    assert client.post("/accounts/me/act-for/", {"uscc": org.uscc}).status_code == 302
    assert "正在代办" in client.get("/accounts/me/").content.decode()
    client.post("/accounts/me/act-for/", {"uscc": "91510000MA0000000X"})
    assert "您不是该组织的有效经办人" in client.get("/accounts/me/").content.decode()


@pytest.mark.django_db
def test_clerk_verifies_a_person_at_the_window_to_level_three(signed_in):
    citizen = Person.objects.get(user__username="citizen")
    client = signed_in("clerk")
    wrong = client.post(
        "/console/persons/verify/", {"name": "刘芳", "resident_id": "110101199003070000", "method": "in_person"}
    )
    assert "未找到该姓名和身份证号的自然人" in wrong.content.decode() and citizen.assurance_level == 1
    done = client.post(
        "/console/persons/verify/",
        {"name": "刘芳", "resident_id": citizen.resident_id, "method": "in_person", "note": "查验身份证原件"},
        follow=True,
    )
    assert "现为三级：窗口当面核验或数字证书认证" in done.content.decode()
    record = citizen.assurance
    assert record.level == 3 and record.checked_by.username == "clerk" and record.method == "in_person"
    assert claims_for(citizen.user)["acr"] == "urn:tongban:loa:3"
    assert signed_in("citizen").get("/console/persons/verify/").status_code == 403


@pytest.mark.django_db
def test_the_jwks_publishes_a_replaced_key_beside_the_signing_one(client, settings, tmp_path):
    """After `rotate_signing_key` and a restart, tokens signed with the old key
    still validate: both keys are in the JWKS, the new one signs."""
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    old, _ = signing_keys(tmp_path, keep_seconds=60)
    new_key(tmp_path)
    active, inactive = signing_keys(tmp_path, keep_seconds=60)
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": active,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": inactive,
    }
    published = client.get("/oidc/.well-known/jwks.json").json()["keys"]
    kids = {RSAKey.import_key(pem).thumbprint() for pem in (old, active)}
    assert {k["kid"] for k in published} == kids and all("d" not in k for k in published)
    # A token the old key signed checks out against what is published.
    signed = jwt.encode(
        {"alg": "RS256", "kid": RSAKey.import_key(old).thumbprint()}, {"sub": "1"}, RSAKey.import_key(old)
    )
    assert jwt.decode(signed, KeySet.import_key_set({"keys": published})).claims["sub"] == "1"


@pytest.mark.django_db
def test_staff_sign_in_to_the_console_through_the_provider_with_a_new_session(client, settings):
    """The console's login is the provider's one password form: a new session
    id (no fixation), a province session (`sid`) that single sign-on and
    logout use, and every attempt audited, refused ones included."""
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.demo import DEMO_PASSWORD
    from identity.models import ProviderSession
    from identity.signals import SESSION_KEY

    before = client.session.session_key  # a session the browser had before signing in
    refused = client.post("/accounts/login/", {"username": "admin", "password": "wrong-password"})
    assert refused.status_code == 200
    entry = AuditEntry.objects.filter(action="login_refused").latest("seq")
    assert entry.object_id == "admin" and "wrong-password" not in str(entry.after)
    assert client.post("/accounts/login/", {"username": "admin", "password": DEMO_PASSWORD}).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before and not SessionStore().exists(before)
    sid = client.session[SESSION_KEY]
    assert ProviderSession.objects.get(sid=sid, ended_at__isnull=True).user.username == "admin"
    assert client.get("/console/identity/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor__username="admin").exists()
    client.post("/accounts/logout/")
    assert ProviderSession.objects.get(sid=sid).ended_at is not None
    assert client.get("/console/identity/").status_code == 302
