"""Browser fixtures: one Chromium for the session, a fresh context and page
per test, pointed at pytest-django's live server.

Playwright cannot download browsers here, so the tests drive Debian's
Chromium; without it they are skipped. Pages and `expect` wait at most 10 s,
so a missing element fails quickly instead of hanging the suite."""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
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


# axe-core (npm, node_modules/axe-core) checks every page a browser test
# visits against the WCAG 2.1 A/AA rules that GB/T 37668-2019 takes over
# (issue 17: 0 serious or critical violations on every public and console
# page). The script goes into every document before the page's own scripts
# (an init script is not subject to the page's Content Security Policy); each
# page checks itself once loaded and reports to the test through a binding,
# so pages reached by a click or a form are checked as well as those opened
# with goto. A URL is checked once per test; the page left at the end is
# checked again only if its content changed since (htmx swaps, dialogs).
AXE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = ("serious", "critical")
# Pages that are not ours to fix: Django's admin (its own templates) and the
# API's generated documentation.
AXE_SKIP = re.compile(r"^/(admin|api)/")
AXE_HOOK = """(() => {
  if (window !== window.top || !/^https?:$/.test(location.protocol)) { return; }
  const TAGS = %s, IMPACTS = %s;
  window.__axeDirty = false;
  window.__axeCheck = async () => {
    if (document.contentType !== "text/html") { return null; }
    const r = await axe.run(document, {runOnly: {type: "tag", values: TAGS}, resultTypes: ["violations"]});
    window.__axeDirty = false;
    return r.violations.filter(v => IMPACTS.includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
  };
  window.addEventListener("load", () => {
    new MutationObserver(() => { window.__axeDirty = true; })
      .observe(document.body, {childList: true, subtree: true, attributes: true,
                               attributeFilter: ["hidden", "open", "class", "aria-expanded"]});
    window.__axeDone = (async () => {
      if (!(await window.__axeWanted(location.pathname + location.search))) { return; }
      const found = await window.__axeCheck();
      if (found !== null) { await window.__axeReport(location.pathname + location.search, found); }
    })().catch(() => {});
  });
})();"""


def _install_axe(context, report, checked):
    """Make every page of `context` check itself; `report` collects
    {url: violations} for the test, `checked` the URLs checked. Returns a
    function that checks the page left open at the end of the test."""

    def wanted(url):
        return url not in checked and not AXE_SKIP.match(url)

    def found(url, violations):
        checked.add(url)
        if violations:
            report[url] = violations

    context.add_init_script(
        AXE.read_text(encoding="utf-8") + "\n" + AXE_HOOK % (json.dumps(AXE_TAGS), json.dumps(AXE_IMPACTS))
    )
    context.expose_function("__axeWanted", wanted)
    context.expose_function("__axeReport", found)

    def check_last(page):
        """Wait for the last page's own check; check it (again) if it was
        never checked or has changed since."""
        try:
            page.wait_for_load_state("load")
            page.evaluate("() => window.__axeDone")
            url = page.evaluate("location.pathname + location.search")
            if AXE_SKIP.match(url) or page.evaluate("typeof window.__axeCheck") != "function":
                return
            if url not in checked or page.evaluate("window.__axeDirty"):
                found(url, page.evaluate("() => window.__axeCheck()"))
        except PlaywrightError:
            pass  # the page is gone (closed or navigating): nothing left to check

    return check_last


def axe_report(report):
    lines = []
    for url, violations in report.items():
        lines.append(url)
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"      {node}" for node in v["nodes"])
    return "\n".join(lines)


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
def page(browser, live_server, request):
    """A new page (own cookies) on the live server. It records the URL of
    every request it makes (`page.requests`) and fails the test if a script
    error occurred or one was logged to the console, or if a page it showed
    has serious or critical accessibility violations (axe-core, above)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    violations, checked, shown = {}, set(), set()
    axe_on = os.environ.get("TONGBAN_AXE", "1") != "0"
    check_last = _install_axe(context, violations, checked) if axe_on else lambda page: None
    page = context.new_page()
    page.on(
        "framenavigated",
        lambda frame: shown.add(frame.url.split(live_server.url, 1)[-1]) if frame is page.main_frame else None,
    )
    page.axe_violations = violations  # {url: [violation, ...]} found so far
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
    check_last(page)
    context.close()
    if os.environ.get("TONGBAN_AXE_LOG"):
        # Which pages shown were checked (a page left before its check ended is not).
        with open(os.environ["TONGBAN_AXE_LOG"], "a", encoding="utf-8") as log:
            log.write(
                json.dumps(
                    {"test": request.node.nodeid, "checked": sorted(checked), "shown": sorted(shown)},
                    ensure_ascii=False,
                )
                + "\n"
            )
    if errors:
        pytest.fail("script errors on the page: " + "; ".join(errors))
    if violations:
        pytest.fail("accessibility (axe-core, serious or critical):\n" + axe_report(violations), pytrace=False)


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
