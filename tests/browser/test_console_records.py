"""The centre's manager keeps the hall's windows in the console instead of the
Django admin (issue 22): from the side menu to the list, narrowed to the
dedicated windows, one opened, a clerk assigned and saved; the breadcrumbs say
where they are; a second manager's stale save is told, not applied. At 390 px
the same page is usable behind the folded menu."""

from playwright.sync_api import expect


def test_manager_assigns_a_clerk_to_a_window(page, login, browser, live_server):
    from hall.models import Window

    login("manager")
    page.goto("/console/")
    page.get_by_role("navigation", name="工作台菜单").get_by_role("link", name="窗口", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("窗口")
    expect(page.get_by_role("navigation", name="面包屑")).to_contain_text("工作台")

    page.get_by_label("类型").select_option(label="专窗")
    page.get_by_role("button", name="筛选").click()
    table = page.locator("#table-windows table")
    expect(table.locator("tbody tr").first).to_contain_text("专窗")
    expect(table).not_to_contain_text("综合窗口01")
    table.get_by_role("link", name="B01").click()
    expect(page.get_by_role("navigation", name="面包屑")).to_contain_text("窗口")

    # Another manager opens the same window before this one saves.
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    second = other.new_page()
    second.goto("/accounts/login/")
    second.get_by_label("用户名").fill("admin")
    second.get_by_label("密码").fill("Tongban@2024")
    second.get_by_role("button", name="登录", exact=True).click()
    second.goto(page.url)

    page.get_by_label("王晓燕", exact=False).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("已保存窗口 B01")
    window = Window.objects.get(number="B01")
    assert [u.username for u in window.staff.all()] == ["clerk"]

    second.get_by_label("窗口名称").fill("自然资源专窗（改名）")
    second.get_by_role("button", name="保存").click()
    expect(second.locator(".errors, .error").first).to_contain_text("已被他人修改")
    other.close()
    window.refresh_from_db()
    assert window.name != "自然资源专窗（改名）"

    # The list says who works the window now.
    page.goto("/console/hall/windows/?staff=clerk")
    expect(page.locator("#table-windows tbody tr")).to_have_count(1)
    expect(page.locator("#table-windows tbody")).to_contain_text("王晓燕")

    # A phone's width: the menu folds behind its button, the list still reads.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/console/hall/windows/")
    expect(page.get_by_role("button", name="工作台菜单")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("窗口")
