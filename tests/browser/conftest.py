"""Browser fixtures: one Chromium for the session, a fresh context and page
per test, pointed at pytest-django's live server.

Playwright cannot download browsers here, so the tests drive Debian's
Chromium; without it they are skipped. Pages and `expect` wait at most 10 s,
so a missing element fails quickly instead of hanging the suite."""

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# The demo accounts' password (accounts.demo.DEMO_PASSWORD).
PASSWORD = "Tongban@2024"


@pytest.fixture(scope="module", autouse=True)
def fast_password_hashing():
    """The demo accounts are re-created for every live-server test; Argon2
    would spend ~2 s of each test hashing their passwords. Hashing is not what
    these tests look at, so a fast hasher stands in (module scope, so it is in
    place before the root conftest loads the accounts). Argon2 stays listed so
    accounts hashed earlier in the session still sign in."""
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A new page (own cookies) on the live server. It records the URL of
    every request it makes (`page.requests`) and fails the test if a script
    error occurred or one was logged to the console."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.requests = []
    errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # htmx reports failed swaps and requests on the console. Chromium's own
    # "Failed to load resource" line for a page answered 403/404 is expected.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield page
    context.close()
    if errors:
        pytest.fail("script errors on the page: " + "; ".join(errors))


@pytest.fixture
def login(page):
    """Sign in through the login form, as a person would."""

    def sign_in(username, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    return sign_in


def same_origin(url, base):
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)
