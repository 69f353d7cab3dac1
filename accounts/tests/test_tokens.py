"""API tokens for other systems in the console (issue 22): the centre issues
one to a named system account with scopes and an expiry, the key is shown once
and only its hash kept, the list shows when each was last used, and revoking
stops it at once. Other roles are refused in Chinese."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import APIToken, User
from core.models import AuditEntry, Department

PAGES = ["/console/accounts/tokens/", "/console/accounts/tokens/new/"]


def _issue(client, **overrides):
    dept = Department.objects.get(function="service_centre", region_id="510100")
    data = {
        "system_name": "成都市政务服务自建平台",
        "username": "chengdu_platform",
        "role": "clerk",
        "department": dept.pk,
        "scopes": ["cases"],
        "name": "办件状态同步",
        "expires_at": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return client.post("/console/accounts/tokens/new/", data)


def _key(response):
    html = response.content.decode()
    start = html.index('id="token-key">') + len('id="token-key">')
    return html[start : html.index("<", start)]


@pytest.mark.parametrize("username", ["manager", "admin"])
def test_the_centre_opens_the_pages(signed_in, username):
    client = signed_in(username)
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert "/console/accounts/tokens/" in client.get("/console/").content.decode()


@pytest.mark.parametrize("username", ["clerk", "reviewer", "deptadmin", "editor", "citizen", "agent"])
def test_other_roles_are_refused(signed_in, username):
    client = signed_in(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 403 and "无权" in response.content.decode(), url
    token = APIToken.objects.create(user=User.objects.get(username="clerk"), prefix="abcdefgh", key_hash="0" * 64)
    assert client.post(f"/console/accounts/tokens/{token.pk}/revoke/").status_code in (403, 404)
    token.refresh_from_db()
    assert not token.revoked


def test_a_token_is_shown_once_kept_hashed_scoped_and_revoked(signed_in):
    console = signed_in("manager")
    response = _issue(console)
    assert response.status_code == 200
    key = _key(response)
    token = APIToken.objects.get(user__username="chengdu_platform")
    assert token.key_hash == APIToken.hash_key(key) and key not in token.key_hash and token.prefix == key[:8]
    assert token.scopes == ["cases"] and token.created_by.username == "manager"
    system = token.user
    assert system.kind == User.Kind.SYSTEM and not system.has_usable_password() and system.role == "clerk"
    # The key is never shown again: not on the list, not in the audit log.
    listing = console.get("/console/accounts/tokens/").content.decode()
    assert key not in listing and token.prefix in listing and "从未使用" in listing
    assert not AuditEntry.objects.filter(after__icontains=key).exists()
    created = AuditEntry.objects.get(object_type="accounts.APIToken", object_id=str(token.pk), action="create")
    assert created.after["key_hash"] == "******" and created.after["scopes"] == ["cases"]

    # Another system calls the API: its scope (办件) answers, others are refused in Chinese.
    api = Client()  # another system: no session, only the token
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert api.get("/api/v1/cases", **headers).status_code == 200
    refused = api.get("/api/v1/key-work", **headers)
    assert refused.status_code == 403 and "授权范围不含此项" in refused.json()["message"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "从未使用" not in console.get("/console/accounts/tokens/?kind=system").content.decode()

    # Revoked: the next call is refused at once; revoking again says who was first.
    assert console.post(f"/console/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/cases", **headers).status_code == 401
    again = console.post(f"/console/accounts/tokens/{token.pk}/revoke/", follow=True).content.decode()
    assert "已于" in again and "被吊销" in again
    revoked = AuditEntry.objects.get(object_type="accounts.APIToken", object_id=str(token.pk), action="update")
    assert revoked.before["revoked"] is False and revoked.after["revoked"] is True
    assert "已吊销" in console.get("/console/accounts/tokens/?state=revoked").content.decode()


def test_an_expired_token_is_refused(signed_in):
    key = _key(_issue(signed_in("admin")))
    APIToken.objects.filter(user__username="chengdu_platform").update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert "已过期" in signed_in("admin").get("/console/accounts/tokens/?state=expired").content.decode()


@pytest.mark.parametrize(
    "overrides, text",
    [
        ({"system_name": ""}, "系统名称为必填项"),
        ({"username": "Chengdu Platform"}, "系统账户名只能由小写字母"),
        ({"username": "clerk"}, "该用户名已被工作人员或公众用户使用"),
        ({"role": "sysadmin"}, "以何种角色调用"),
        ({"scopes": []}, "授权范围至少选择一项"),
        ({"scopes": ["everything"]}, "授权范围"),
        ({"expires_at": ""}, "令牌须有到期时间"),
        ({"expires_at": "2020-01-01"}, "有效期至应晚于现在"),
        ({"expires_at": "2099-01-01"}, "不能超过730天"),
        ({"expires_at": "明天"}, "日期格式应为 YYYY-MM-DD"),
        ({"department": ""}, "所属部门为必填项"),
    ],
)
def test_bad_input_is_refused_naming_the_field(signed_in, overrides, text):
    response = _issue(signed_in("manager"), **overrides)
    assert response.status_code == 200 and text in response.content.decode()
    assert not APIToken.objects.exists() and not User.objects.filter(username="chengdu_platform").exists()


def test_a_second_token_for_the_same_system_keeps_its_role(signed_in):
    client = signed_in("manager")
    assert _issue(client).status_code == 200
    assert _issue(client, scopes=["cases", "catalog"]).status_code == 200
    assert APIToken.objects.filter(user__username="chengdu_platform").count() == 2
    other = _issue(client, role="reviewer").content.decode()
    assert "所属部门和角色须与登记的一致" in other
    assert APIToken.objects.filter(user__username="chengdu_platform").count() == 2


def test_a_persons_own_token_still_acts_as_them(client, db):
    from accounts.services import issue_token

    key = issue_token(User.objects.get(username="manager"))
    assert client.get("/api/v1/key-work", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
