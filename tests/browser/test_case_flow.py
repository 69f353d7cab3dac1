"""One case walked through the platform in a real browser: a consultation,
an online application with an upload, a correction and its answer,
acceptance, transfer, approval, a certificate issued at the window and
verified, a rating, and the dashboard's figures moving accordingly."""

import re

import pytest
from playwright.sync_api import expect

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return settings


def figures(page):
    return {
        name: page.locator(f"#figure-{name} .figure-value").inner_text()
        for name in ("consultations", "acceptances", "certificates", "transfers")
    }


def test_one_case_from_consultation_to_rating(page, login, case_settings):
    from cases.tests.conftest import _matter

    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])

    def switch(username):
        if page.get_by_role("button", name="退出").count():
            page.get_by_role("button", name="退出").click()
        login(username)

    # Irreversible steps (作出决定, 颁发证照) ask first; this walk says yes.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    # The manager's dashboard before anything happened this week.
    login("manager")
    page.goto("/console/cases/stats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办件统计")
    assert figures(page) == {"consultations": "0", "acceptances": "0", "certificates": "0", "transfers": "0"}

    # 咨询登记 at window A01.
    switch("clerk")
    page.goto("/console/cases/")
    page.get_by_role("main").get_by_role("link", name="咨询登记").click()
    page.get_by_label("咨询人").fill("刘芳")
    page.get_by_label("咨询事项").select_option(label=matter.name)
    page.get_by_label("咨询内容").fill("采矿权登记需要哪些材料？可以网上办吗？")
    page.get_by_label("答复内容").fill("可网上申请，需提交申请书")
    page.get_by_label("窗口").select_option(label="A01 综合窗口01")
    page.get_by_role("button", name="登记咨询").click()
    expect(page.locator(".messages")).to_contain_text("已登记刘芳的咨询")

    # The citizen applies online with an upload.
    switch("citizen")
    page.goto(f"/cases/apply/{matter.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(matter.name)
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("申请书").set_input_files({"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    number = re.search(r"/cases/(\d+)/$", page.url).group(1)
    expect(page.locator("#case-state")).to_have_text("已收件")

    # The clerk finds it in the worklist and asks for a correction.
    switch("clerk")
    page.goto("/console/cases/")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"办件 {number}")
    expect(page.get_by_role("link", name="申请书.pdf")).to_be_visible()
    page.get_by_label("需补正的材料及问题").fill("申请书：缺少申请人签字")
    page.get_by_role("button", name="发出补正告知").click()
    expect(page.locator(".messages")).to_contain_text("已发出一次性告知")
    expect(page.get_by_role("link", name="打印一次性告知书")).to_be_visible()

    # The citizen answers with a new upload.
    switch("citizen")
    page.goto(f"/cases/{number}/")
    expect(page.locator(".correction")).to_contain_text("缺少申请人签字")
    page.get_by_label("补正说明").fill("已补签字")
    page.get_by_label("申请书").set_input_files(
        {"name": "申请书-签字.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="提交补正材料").click()
    expect(page.locator(".messages")).to_contain_text("补正材料已提交")
    expect(page.locator("#case-state")).to_have_text("已收件")

    # The clerk accepts and transfers to the department.
    switch("clerk")
    page.goto(f"/console/cases/{number}/")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理，承诺办结日期为")
    expect(page.get_by_label("流转至")).to_have_value(str(matter.department.pk))
    page.get_by_role("button", name="流转", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"已流转至{matter.department.name}")

    # The reviewer approves.
    switch("reviewer")
    page.goto("/console/cases/")
    page.get_by_role("link", name=number).click()
    page.get_by_label("准予").check()
    page.get_by_label("决定意见").fill("符合条件，准予登记")
    page.get_by_role("button", name="作出决定").click()
    expect(page.locator(".messages")).to_contain_text("已作出决定")
    assert "作出决定后办件即办结" in asked[-1]

    # The clerk issues the certificate at the window and hands it over.
    switch("clerk")
    page.goto(f"/console/cases/{number}/")
    page.get_by_label("证照数量").fill("1")
    page.get_by_role("button", name="颁发证照").click()
    expect(page.locator(".messages")).to_contain_text("已颁发证照")
    page.get_by_role("button", name="确认送达").click()
    expect(page.locator(".messages")).to_contain_text("已送达")
    certificate = page.locator("table a[href*='/console/cases/certificates/']").first
    certificate.click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    code = page.locator("#verification-code").inner_text()

    # Anyone can verify it with the code printed on it.
    page.goto("/cases/verify/")
    page.get_by_label("电子证照标识或核验码").fill(code)
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".verdict")).to_have_text("✔ 该证照真实有效")
    expect(page.locator("dl.facts")).to_contain_text(matter.result_name)

    # The citizen rates the service.
    switch("citizen")
    page.goto(f"/cases/{number}/")
    expect(page.locator("#case-state")).to_have_text("已送达")
    page.get_by_label("非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")

    # The dashboard's figures moved: one consultation, one acceptance, one
    # certificate, two transfers (to the department and back to the window).
    switch("manager")
    page.goto("/console/cases/stats/")
    assert figures(page) == {"consultations": "1", "acceptances": "1", "certificates": "1", "transfers": "2"}
    expect(page.locator("#handling-concluded")).to_have_text("1")
    assert page.evaluate("() => typeof window.Chart === 'function'"), "chart.js should load from node_modules"
