"""A new case on today's date, through every role's pages in a real browser:
收件 at the window, 补正 recorded at the window, 受理, 流转 to the county,
county and city review, the province's 决定, 颁发, 送达 and the applicant's
好差评. Each person sees only the steps the transition table gives them, and
every irreversible step asks first (a refused confirmation changes nothing)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def steps_of(page):
    return page.locator("form.step h3").all_inner_texts()


def test_a_case_today_through_every_role(page, login, media):
    from accounts.models import Person, Role, User
    from cases.tests.conftest import _matter
    from core.models import Department

    matter = _matter("natural_resources", "探矿权新立登记", 90002, ["county", "city", "province"], promised=15)
    city = User.objects.create(
        username="reviewer_cd",
        name="成都审批员",
        kind="staff",
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id="510100"),
    )
    city.set_password(PASSWORD)
    city.save()
    resident_id = Person.objects.get(user__username="citizen").resident_id
    dialogs, accepting = [], [True]

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if accepting[0] else dialog.dismiss()

    page.on("dialog", answer)

    def switch(username):
        if page.get_by_role("button", name="退出").count():
            page.get_by_role("button", name="退出").click()
        login(username)

    # 收件 at window A01, from the console's menu.
    login("clerk")
    page.get_by_role("navigation", name="工作台菜单").get_by_role("link", name="窗口收件").click()
    expect(page).to_have_url(re.compile(r"/console/cases/new/$"))
    page.goto(f"/console/cases/new/?matter={matter.pk}")
    page.locator("#id_region").select_option("510104")
    page.get_by_label("身份证号").fill(resident_id)
    page.locator("#id_window").select_option(label="A01 综合窗口01")
    page.get_by_role("button", name="收件", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已收件")
    number = re.search(r"/console/cases/(\d+)/$", page.url).group(1)
    assert steps_of(page) == ["受理", "一次性告知补正", "不予受理"]

    # 待我处理 puts it first.
    page.goto("/console/cases/")
    expect(page.locator("table.worklist tbody tr").first).to_contain_text(number)
    page.get_by_role("link", name=number).click()

    # 补正: told at once, brought to the window and recorded there.
    page.get_by_label("需补正的材料及问题").fill("申请书：缺少申请人签字")
    page.get_by_role("button", name="发出补正告知").click()
    expect(page.locator(".messages")).to_contain_text("已发出一次性告知")
    assert steps_of(page) == ["窗口登记补正材料", "不予受理"]
    # 不予受理 asks first; saying no changes nothing.
    accepting[0] = False
    page.get_by_label("不予受理理由").fill("测试")
    page.get_by_label("法律依据").fill("测试")
    page.get_by_role("button", name="不予受理", exact=True).click()
    expect(page.get_by_role("heading", name="窗口登记补正材料")).to_be_visible()
    assert dialogs and "不予受理后办件即办结" in dialogs[-1]
    page.goto(f"/console/cases/{number}/")
    expect(page.locator(".badge.state-correction")).to_have_text("待补正")
    accepting[0] = True

    page.get_by_label("补正情况").fill("申请人到窗口补交签字后的申请书")
    page.get_by_label("申请书").set_input_files(
        {"name": "申请书-签字.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="登记补正材料").click()
    expect(page.locator(".messages")).to_contain_text("已登记补正材料")

    # 受理, 流转 to the county bureau.
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理，承诺办结日期为")
    page.get_by_label("流转至").select_option(label="成都市锦江区自然资源局")
    page.get_by_role("button", name="流转", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已流转至成都市锦江区自然资源局")
    assert steps_of(page) == []

    # The province's reviewer sees it but has nothing to do yet.
    switch("reviewer")
    page.goto(f"/console/cases/{number}/")
    expect(page.get_by_text("您目前在此办件上没有可办理的环节")).to_be_visible()

    # County review, then city review.
    switch("reviewer_jinjiang")
    page.goto("/console/cases/")
    page.get_by_role("link", name=number).click()
    assert steps_of(page) == ["一次性告知补正", "流转", "审查（报上级）", "启动特别程序"]
    page.get_by_label("审查意见").fill("初审通过")
    page.get_by_role("button", name="审查通过，报上级").click()
    expect(page.locator(".messages")).to_contain_text("审查通过，已报")
    switch("reviewer_cd")
    page.goto(f"/console/cases/{number}/")
    page.get_by_label("审查意见").fill("复审通过")
    page.get_by_role("button", name="审查通过，报上级").click()
    expect(page.locator(".messages")).to_contain_text("审查通过，已报四川省自然资源厅")

    # The province decides, after confirming, and still sees the case.
    switch("reviewer")
    page.goto(f"/console/cases/{number}/")
    assert "作出决定" in steps_of(page) and "审查（报上级）" not in steps_of(page)
    page.get_by_label("准予").check()
    page.get_by_label("决定意见").fill("符合条件，准予")
    page.get_by_role("button", name="作出决定").click()
    expect(page.locator(".messages")).to_contain_text("已作出决定")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"办件 {number}")
    assert "作出决定后办件即办结" in dialogs[-1]
    switch("reviewer_jinjiang")  # the county keeps sight of what it reviewed
    page.goto("/console/cases/?view=all&state=all")
    expect(page.get_by_role("link", name=number)).to_be_visible()

    # The window issues (after confirming) and hands over.
    switch("clerk")
    page.goto(f"/console/cases/{number}/")
    assert steps_of(page) == ["颁发证照"]
    page.get_by_role("button", name="颁发证照").click()
    expect(page.locator(".messages")).to_contain_text("已颁发证照")
    assert "颁发后证照编号和电子证照标识即生效" in dialogs[-1]
    page.get_by_role("button", name="确认送达").click()
    expect(page.locator(".messages")).to_contain_text("已送达")
    expect(page.locator("td.mono")).to_contain_text(".2026")

    # The applicant rates the service.
    switch("citizen")
    page.goto(f"/cases/{number}/")
    expect(page.locator("#case-state")).to_have_text("已送达")
    page.get_by_label("非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
