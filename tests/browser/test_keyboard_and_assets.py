"""Using the site by keyboard alone, and serving its own scripts."""

import re

from playwright.sync_api import expect

from .conftest import PASSWORD, same_origin

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
    page.get_by_role("main").get_by_role("link", name="法人信息").click()
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


# --- keyboard-only walks (issue 17: every control reachable by keyboard with
# visible focus; form errors announced and linked) ----------------------------

# What the focused control is, and whether its focus shows: a focus ring
# (outline or box-shadow) computed while it matches :focus-visible.
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const s = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || "",
          name: (e.getAttribute("aria-label") || label || e.textContent || e.value || "").trim().slice(0, 40),
          focusVisible: e.matches(":focus-visible"),
          ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"};
}"""


class Keyboard:
    """Tab through a page as a keyboard user does, noting every control
    whose focus did not show."""

    def __init__(self, page):
        self.page, self.unseen, self.stops = page, [], 0

    def focused(self):
        return self.page.evaluate(FOCUS)

    def tab_to(self, wanted, limit=80, back=False):
        """Press Tab (Shift+Tab) until the focused control is `wanted` (a
        function of the FOCUS record); returns that record."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            now = self.focused()
            if now is None:
                continue
            self.stops += 1
            if not (now["focusVisible"] and now["ring"]):
                self.unseen.append(now)
            if wanted(now):
                return now
        raise AssertionError(f"Tab never reached the control wanted (last: {self.focused()})")

    def named(self, text, tag=None):
        return self.tab_to(lambda f: text in f["name"] and (tag is None or f["tag"] == tag))

    def assert_focus_always_showed(self):
        assert self.stops and not self.unseen, f"focus not visible on: {self.unseen}"


def assert_errors_announced_and_linked(page, field_id):
    """A form sent back with an error: the summary has focus and links to the
    field; the message is an alert and the field names it (aria-describedby)."""
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator(f'a[href="#{field_id}"]')).to_be_visible()
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}_error" in described, described
    expect(page.locator(f"#{field_id}_error [role=alert]")).to_be_visible()


def choose_file(page, file):
    """The system's file dialog is outside the page and headless Chromium
    opens none for a key press; the focused file input gets the file as the
    dialog would hand it over."""
    page.locator(":focus").set_input_files(file)


def test_applying_online_by_keyboard_alone(page, login, settings, tmp_path):
    from catalog.demo import load_demo_catalogue
    from catalog.models import Matter

    settings.MEDIA_ROOT = tmp_path
    load_demo_catalogue()
    matter = Matter.objects.get(name="采矿权登记")
    login("citizen")
    keys = Keyboard(page)

    # From the portal's home page: search for the matter and open its guide.
    page.goto("/")
    keys.tab_to(lambda f: f["type"] == "search")
    page.keyboard.type("采矿权登记")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("采矿权登记")
    keys.tab_to(lambda f: f["tag"] == "a" and f["name"] == "采矿权登记")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/matters/{matter.pk}/$"))

    # The guided questions: each answered with the arrow keys and Enter.
    for _ in range(matter.questions.count()):
        keys.tab_to(lambda f: f["type"] == "radio")
        page.keyboard.press("ArrowDown")  # the second answer
        page.keyboard.press("Enter")  # submits the question's form
        expect(page.locator("#guide")).to_be_visible()
    expect(page.locator("#guide")).to_contain_text("请准备以下材料")
    keys.named("按以上回答在线申请", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("在线申请：采矿权登记")

    # The form: a place chosen with the arrow keys if there is a choice, a file that is not a PDF
    # for the first material, real PDFs for the others.
    files = page.locator("input[type=file]")
    wrong = files.first.get_attribute("id")
    if page.locator("select#id_region").count():  # a province matter has no choice of place
        keys.tab_to(lambda f: f["id"] == "id_region")
        page.keyboard.press("ArrowDown")
    keys.tab_to(lambda f: f["id"] == "id_contact_phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("13800000000")
    for n in range(files.count()):
        input_id = files.nth(n).get_attribute("id")
        keys.tab_to(lambda f, input_id=input_id: f["id"] == input_id)
        body = b"not a pdf" if input_id == wrong else PDF
        choose_file(page, {"name": f"材料{n}.pdf", "mimeType": "application/pdf", "buffer": body})
    keys.named("提交申请", tag="button")
    page.keyboard.press("Enter")
    assert_errors_announced_and_linked(page, wrong)

    # Following the summary's link lands on the field; choose a proper file and send.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{wrong}")).to_be_focused()
    choose_file(page, {"name": "材料0.pdf", "mimeType": "application/pdf", "buffer": PDF})
    keys.named("提交申请", tag="button")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    keys.assert_focus_always_showed()


def test_policy_calculator_by_keyboard_alone(page, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from matching import demo

    result = demo.load_demo(profiles=40)
    nearly = result["nearly"].title
    login("agent")
    keys = Keyboard(page)
    page.goto("/")
    keys.named("政策计算器", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("政策计算器")

    # A value that is not a number is refused, announced and linked.
    keys.tab_to(lambda f: f["id"] == "id_revenue")
    page.keyboard.type("很多")
    keys.named("重新计算", tag="button")
    page.keyboard.press("Enter")
    assert_errors_announced_and_linked(page, "id_revenue")

    # The summary's link leads to the field; clear it, tick 高新技术企业 with Space, recalculate.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#id_revenue")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    keys.tab_to(lambda f: f["type"] == "checkbox" and f["name"] == "高新技术企业")
    page.keyboard.press("Space")
    keys.named("重新计算", tag="button")
    page.keyboard.press("Enter")
    expect(page.locator("#what-if-note")).to_contain_text("企业画像未被修改")
    expect(page.locator("#group-meets .match-item", has_text=nearly).first).to_be_visible()
    # Shift+Tab walks back up through the results to the top.
    keys.tab_to(lambda f: f["name"] == "看差一项的", back=True, limit=200)
    keys.assert_focus_always_showed()
