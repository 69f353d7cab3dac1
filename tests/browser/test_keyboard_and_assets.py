"""Using the site by keyboard alone, and serving its own scripts."""

import re

from playwright.sync_api import expect

from .conftest import PASSWORD, same_origin


def focused(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? (e.id || e.textContent.trim() || e.tagName) : null; }""")


def test_login_by_keyboard_alone(page):
    page.goto("/accounts/login/")
    # The field has autofocus; start instead from the first Tab stop, the skip link.
    page.locator("a.skip").focus()
    skip_box = page.locator("a.skip").bounding_box()
    assert skip_box and skip_box["x"] >= 0, "the skip link shows when focused"

    visited = []
    # Through the top bar (大字版, 高对比度) and the navigation to the form.
    for _ in range(20):
        page.keyboard.press("Tab")
        visited.append(focused(page))
        if visited[-1] == "id_username":
            break
    assert visited[-1] == "id_username", f"Tab never reached the username field: {visited}"
    page.keyboard.type("clerk")

    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type(PASSWORD)

    page.keyboard.press("Tab")
    assert focused(page) == "登录"
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_focused()

    # Enter on the focused button submits the form.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def test_enter_in_password_field_submits(page):
    page.goto("/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_focused()  # autofocus
    page.keyboard.type("citizen")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")


def test_pages_load_htmx_from_own_static_files(page, live_server, login):
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.status)))

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("四川政务服务 · 通办")
    login("clerk")
    page.get_by_role("link", name="法人信息").click()
    page.get_by_label("名称或信用代码").press_sequentially("青羊")
    expect(page.locator("#table-organisations-rows tbody tr")).to_have_count(1)

    htmx = [url for url in page.requests if "/static/vendor/htmx/" in url]
    assert htmx and all(url.split("?")[0].endswith("/static/vendor/htmx/htmx.min.js") for url in htmx), htmx
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.version").startswith("2.")

    outside = [url for url in page.requests if not same_origin(url, live_server.url)]
    assert not outside, f"requests left the live server: {outside}"
    failed = [(url, status) for url, status in responses if status >= 400]
    assert not failed, f"failed requests: {failed}"
    static = {url.split("?")[0].rsplit("/static/", 1)[1] for url in page.requests if "/static/" in url}
    assert {"css/tongban.css", "js/tongban.js", "vendor/htmx/htmx.min.js"} <= static
