import re

import pytest
import requests

from accounts.demo import DEMO_PASSWORD


@pytest.fixture
def browser_session(live_server):
    """A plain HTTP user agent signed in at the province through the login form."""

    def sign_in(username, password=DEMO_PASSWORD):
        s = requests.Session()
        page = s.get(f"{live_server.url}/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = s.post(
            f"{live_server.url}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{live_server.url}/accounts/login/"},
            allow_redirects=False,
        )
        assert r.status_code == 302, r.text[:500]
        return s

    return sign_in


@pytest.fixture(scope="module", autouse=True)
def fast_password_hashing():
    """As in tests/browser: live-server tests re-create the demo accounts each
    time; a fast hasher spares seconds of Argon2 that these tests don't look at."""
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]
    ):
        yield
