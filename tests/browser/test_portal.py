"""Members of the public using the portal in a real browser."""

import re

from playwright.sync_api import expect

from accounts.demo import make_resident_id, make_uscc


def with_wrong_check_digit(code):
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_citizen_registers_an_organisation_they_act_for(page, login):
    login("citizen")
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    resident_id = make_resident_id("510104", "19880312", "024")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("刘芳")
    expect(facts).to_contain_text(f"{resident_id[:6]}********{resident_id[-4:]}")
    expect(page.locator("body")).not_to_contain_text(resident_id)  # never the whole number
    agent_rows = page.locator("table tbody tr")
    expect(agent_rows).to_have_text(["尚未登记代办的组织"])

    code = make_uscc("510104", "1", 123456789 % 10**9)
    name = "成都蓉城云服科技有限公司"

    def fill_form(uscc):
        page.get_by_label("统一社会信用代码").fill(uscc)
        page.get_by_label("名称").fill(name)
        page.get_by_label("登记地").select_option(label="510104 成都市锦江区")
        page.get_by_label("法定代表人").fill("刘芳")
        page.get_by_role("button", name="保存").click()

    # A wrong check digit: refused with a Chinese message, nothing recorded.
    page.get_by_role("link", name="登记我代办的组织").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记我代办的组织")
    fill_form(with_wrong_check_digit(code))
    error = page.locator(".field.has-error .error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("统一社会信用代码")
    expect(error).to_contain_text("校验码不正确")
    expect(page.get_by_label("名称")).to_have_value(name)
    page.get_by_role("link", name="取消").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(agent_rows).to_have_text(["尚未登记代办的组织"])

    # The right code: they are now its agent and see it listed.
    page.get_by_role("link", name="登记我代办的组织").click()
    fill_form(code)
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.locator(".messages")).to_have_text(f"已登记为“{name}”的经办人")
    expect(agent_rows).to_have_count(1)
    expect(agent_rows.first).to_contain_text(name)
    expect(agent_rows.first).to_contain_text(code)
    expect(agent_rows.first).to_contain_text("成都市锦江区")


def test_visitor_registers_and_fixes_a_wrong_resident_id(page):
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="注册").click()
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("实名注册")

    resident_id = make_resident_id("510105", "19950620", "041")
    # The format hint is read out with the field, not only shown beside it.
    expect(page.get_by_label("身份证号")).to_have_accessible_description(re.compile("18位公民身份号码"))
    page.get_by_label("用户名").fill("zhouxq")
    page.get_by_label("姓名").fill("周小青")
    page.get_by_label("身份证号").fill(with_wrong_check_digit(resident_id))
    page.get_by_label("手机号").fill("13800001234")
    page.get_by_label("密码").fill("Qingcheng#2024")
    page.get_by_role("button", name="注册").click()

    error = page.locator(".field.has-error .error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("身份证号")
    # A screen reader user hears which field is wrong and why.
    expect(page.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("身份证号")).to_have_accessible_description(re.compile("身份证号校验码不正确"))
    expect(page.get_by_label("姓名")).not_to_have_attribute("aria-invalid", "true")
    # What they typed is still there, apart from the password.
    expect(page.get_by_label("用户名")).to_have_value("zhouxq")
    expect(page.get_by_label("姓名")).to_have_value("周小青")
    expect(page.get_by_label("手机号")).to_have_value("13800001234")
    expect(page.get_by_label("身份证号")).to_have_value(with_wrong_check_digit(resident_id))
    expect(page.get_by_label("密码")).to_have_value("")

    page.get_by_label("身份证号").fill(resident_id)
    page.get_by_label("密码").fill("Qingcheng#2024")
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.locator(".messages")).to_contain_text("注册成功")
    expect(page.locator("dl.facts")).to_contain_text("周小青")
    expect(page.locator("dl.facts")).to_contain_text(f"{resident_id[:6]}********{resident_id[-4:]}")
    expect(page.locator("dl.facts")).to_contain_text("13800001234")

    # The new account can sign out and in again with that password.
    page.get_by_role("button", name="退出").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("zhouxq")
    page.get_by_label("密码").fill("Qingcheng#2024")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
