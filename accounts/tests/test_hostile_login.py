"""A hostile very long username is refused like any wrong one, never a
server error (found by the crawler on PostgreSQL: axes' 255-character column)."""

import json

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db
LONG = "<script>alert(1)</script>" + "长" * 5000


def test_a_very_long_username_is_just_a_failed_sign_in():
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": LONG, "password": "x"})
    assert response.status_code == 200 and "用户名" in response.content.decode()
    response = client.post(
        "/api/v1/auth/token", json.dumps({"username": LONG, "password": "x"}), content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "error"
    attempts = list(AccessAttempt.objects.all())
    assert attempts and all(len(a.username) <= 150 for a in attempts)
