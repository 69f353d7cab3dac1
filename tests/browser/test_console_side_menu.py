"""The console's side menu (issue 17): beside the page on a wide screen,
folded behind its button on a phone, opened from the keyboard."""

from playwright.sync_api import expect


def test_side_menu_beside_the_page_and_folded_on_a_phone(page, login):
    page.set_viewport_size({"width": 1366, "height": 900})
    login("manager")
    menu = page.get_by_role("navigation", name="工作台菜单")
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="工作台菜单")).to_be_hidden()
    nav, main = menu.bounding_box(), page.locator("main").bounding_box()
    assert nav["x"] + nav["width"] <= main["x"], "the menu stands left of the page"
    expect(menu.get_by_role("list", name="惠企政策").get_by_role("link", name="政策审核发布")).to_be_visible()
    menu.get_by_role("link", name="审计日志").click()
    expect(menu.get_by_role("link", name="审计日志")).to_have_attribute("aria-current", "page")

    page.set_viewport_size({"width": 390, "height": 844})
    button = page.get_by_role("button", name="工作台菜单")
    expect(menu).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="工作日历")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
