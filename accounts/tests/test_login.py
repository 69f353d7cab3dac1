"""Signing in: Argon2 password storage, lockout after repeated failures
(django-axes, AXES_FAILURE_LIMIT=5), and API bearer tokens."""

import pytest
from django.conf import settings

from accounts import services
from accounts.models import APIToken, User

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "wrong-password-1"


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _token(client, username, password):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_demo_passwords_are_stored_with_argon2():
    assert settings.AXES_FAILURE_LIMIT == 5
    for user in User.objects.all():
        assert user.password.startswith("argon2$argon2id$"), user.username


def test_staff_sign_in_lands_on_the_console(client):
    response = _login(client, "clerk", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/console/"


def test_public_sign_in_lands_on_my_account(client):
    response = client.post("/accounts/login/", {"username": "citizen", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/me/"
    assert "我的账户" in response.content.decode()


def test_wrong_password_is_refused_in_chinese(client):
    response = _login(client, "citizen", WRONG)
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sixth_attempt_after_five_failures_is_locked_out_even_with_right_password(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "citizen", WRONG)
    response = _login(client, "citizen", DEMO_PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "账户已暂时锁定" in html and "登录失败次数过多" in html
    assert "_auth_user_id" not in client.session
    # The lock is on that account from that address: others still sign in.
    assert _login(client, "agent", DEMO_PASSWORD).status_code == 302


def test_four_failures_do_not_lock_and_success_resets_the_count(client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "citizen", WRONG)
    assert _login(client, "citizen", DEMO_PASSWORD).status_code == 302
    client.logout()
    # Without the reset this failure would be the fifth and lock the account.
    _login(client, "citizen", WRONG)
    assert _login(client, "citizen", DEMO_PASSWORD).status_code == 302


# --- API tokens -------------------------------------------------------------


def test_api_token_refuses_wrong_password(client):
    response = _token(client, "clerk", WRONG)
    assert response.status_code == 401
    assert response.json() == {"code": "error", "message": "用户名或密码错误", "errors": {}}
    assert not APIToken.objects.exists()


def test_api_token_works_as_bearer_until_revoked(client):
    response = _token(client, "reviewer_jinjiang", DEMO_PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert response.json()["token_type"] == "Bearer"
    token = APIToken.objects.get(user__username="reviewer_jinjiang")
    assert token.key_hash != key and key not in token.key_hash  # only the hash is kept

    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "reviewer_jinjiang"
    assert me.json()["region"] == "510104"
    assert "organisation.view" in me.json()["actions"] and "organisation.edit" not in me.json()["actions"]
    token.refresh_from_db()
    assert token.last_used_at is not None

    token.revoked = True
    token.save()
    refused = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"


def test_bearer_token_carries_the_users_scope(client, org_in):
    key = services.issue_token(User.objects.get(username="reviewer_qingyang"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"/api/v1/organisations/{org_in('510105').pk}", **auth).status_code == 200
    assert client.get(f"/api/v1/organisations/{org_in('510104').pk}", **auth).status_code == 403
    assert [o["region"] for o in client.get("/api/v1/organisations", **auth).json()] == ["510105"]


def test_unknown_token_and_inactive_user_are_refused(client):
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    user = User.objects.get(username="clerk")
    key = services.issue_token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_api_token_endpoint_is_throttled_too_and_answers_in_json(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(client, "clerk", WRONG)
    response = _token(client, "clerk", DEMO_PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "locked_out" and "锁定" in body["message"] and body["errors"] == {}
    assert not APIToken.objects.exists()
