"""One city's own platform (cityplatform/, a separate Django server using
Authlib) against the province, without a browser: signing in, the claims
read again so a revoked agent authorisation disappears at once, an expired
access token renewed with the rotated refresh token, and the back-channel
endpoint refusing logout tokens that are forged or meant for another city."""

import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts.models import Agent
from identity import logout
from identity.demo import demo_secret, register_cities
from identity.models import ProviderSession

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CODE, PORT = "510600", 8166  # 德阳


@pytest.fixture
def city(live_server, tmp_path):
    register_cities("127.0.0.1", PORT - 2, codes=[CODE])  # 德阳 is the third city
    env = {
        **os.environ,
        "CITY_CODE": CODE,
        "CITY_CLIENT_SECRET": demo_secret(CODE),
        "CITY_DB": str(tmp_path / "city.sqlite3"),
        "TONGBAN_ISSUER": f"{live_server.url}/oidc",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "cityplatform" / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    process = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{PORT}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the city platform did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{PORT}"
    process.terminate()
    process.wait(10)


def test_city_platform_signs_in_follows_the_province_and_refuses_forged_logouts(city, live_server, browser_session):
    agent = browser_session("agent")  # signed in at the province
    page = agent.get(f"{city}/login/")  # → province → consent page
    assert "同意并登录" in page.text
    fields = {
        k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    home = agent.post(page.url, data={**fields, "allow": "Authorize"}, headers={"Referer": page.url})
    assert home.url == f"{city}/" and "欢迎，陈刚" in home.text and "成都锦程数字科技有限公司" in home.text

    # Revoked at the province: gone from the city's page at the next visit.
    Agent.objects.filter(person__user__username="agent").update(revoked_at=timezone.now())
    assert "没有代办的企业" in agent.get(f"{city}/").text

    # The access token expires: the city renews it (the refresh token rotates) and reads on.
    app = Application.objects.get(client_id=f"city-{CODE}")
    first_refresh = RefreshToken.objects.get(application=app, revoked__isnull=True)
    AccessToken.objects.filter(application=app).update(expires=timezone.now())
    items = agent.get(f"{city}/items/")
    assert "以 陈刚 的身份从四川省惠企政策库读取" in items.text
    first_refresh.refresh_from_db()
    assert first_refresh.revoked is not None and RefreshToken.objects.filter(application=app, revoked=None).count() == 1

    # Logout tokens: forged (a key not in the JWKS) and another city's are refused.
    session = ProviderSession.objects.get(ended_at__isnull=True, user__username="agent")
    issuer = f"{live_server.url}/oidc"
    forged_key = RSAKey.generate_key(2048)
    claims = {
        "iss": issuer,
        "aud": app.client_id,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "jti": "forged-1",
        "sid": session.sid,
        "events": {logout.EVENT: {}},
    }
    forged = jwt.encode({"alg": "RS256", "kid": "forged"}, claims, forged_key)
    assert requests.post(f"{city}/oidc/backchannel-logout/", data={"logout_token": forged}).status_code == 400
    other = Application.objects.create(
        name="别的城市", client_type="confidential", authorization_grant_type="authorization-code"
    )
    for_other = logout.logout_token(other, session, issuer)
    assert requests.post(f"{city}/oidc/backchannel-logout/", data={"logout_token": for_other}).status_code == 400
    assert "欢迎，陈刚" in agent.get(f"{city}/").text  # still signed in
    real = logout.logout_token(app, session, issuer)
    assert requests.post(f"{city}/oidc/backchannel-logout/", data={"logout_token": real}).status_code == 200
    assert "省统一身份认证登录" in agent.get(f"{city}/").text and "欢迎" not in agent.get(f"{city}/").text
