"""Staff walking through the console in a real browser."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import make_resident_id
from accounts.models import Organisation

JINJIANG_ORG = "成都锦程数字科技有限公司"  # 510104 锦江区
QINGYANG_ORG = "成都青羊文旅发展有限公司"  # 510105 青羊区


def with_wrong_check_digit(code):
    """The same code with its last character changed, so only the check digit is wrong."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_clerk_searches_organisations_and_registers_a_person(page, login):
    login("clerk")

    # Lands on the console's home page, showing who they are.
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("王晓燕")
    expect(facts).to_contain_text("窗口人员")
    expect(facts).to_contain_text("四川省政府政务服务和公共资源交易服务中心")
    expect(page.get_by_role("navigation", name="主导航")).to_contain_text("王晓燕（窗口人员）")

    # 法人信息: the province-wide list; typing in the search box narrows it
    # through htmx, without leaving the page.
    page.get_by_role("main").get_by_role("link", name="法人信息").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("法人信息")
    rows = page.locator("#table-organisations-rows tbody tr")
    expect(rows).to_have_count(5)
    list_url = page.url
    with page.expect_request(lambda r: "q=" in r.url and r.headers.get("hx-request") == "true"):
        page.get_by_label("名称或信用代码").press_sequentially("锦程")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(JINJIANG_ORG)
    expect(page.locator("#table-organisations-rows")).not_to_contain_text(QINGYANG_ORG)
    assert page.url == list_url, "the search should update the list in place"

    # A search with no match says so.
    page.get_by_label("名称或信用代码").fill("不存在的公司")
    expect(page.locator("#table-organisations-rows")).to_contain_text("没有符合条件的记录")
    page.get_by_label("名称或信用代码").fill("锦程")
    page.get_by_role("link", name=JINJIANG_ORG).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(JINJIANG_ORG)
    expect(page.locator("dl.facts")).to_contain_text("成都市锦江区（510104）")

    # 登记自然人 from the console home.
    page.get_by_role("link", name="工作台首页").click()
    page.get_by_role("main").get_by_role("link", name="登记自然人").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记自然人")
    resident_id = make_resident_id("510104", "19900101", "123")

    page.get_by_label("姓名").fill("马丽")
    page.get_by_label("身份证号").fill(with_wrong_check_digit(resident_id))
    page.get_by_role("button", name="登记").click()
    error = page.locator(".field.has-error .error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("身份证号")
    expect(error).to_contain_text("校验码不正确")
    expect(page.get_by_label("姓名")).to_have_value("马丽")

    page.get_by_label("身份证号").fill(resident_id)
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_have_text(f"已登记自然人 马丽（{resident_id[:6]}********{resident_id[-4:]}）")
    expect(page.locator(".error")).to_have_count(0)


def test_county_reviewer_cannot_open_another_countys_organisation(page, login):
    jinjiang = Organisation.objects.get(name=JINJIANG_ORG).pk
    qingyang = Organisation.objects.get(name=QINGYANG_ORG).pk
    login("reviewer_jinjiang")
    expect(page.locator("dl.facts")).to_contain_text("成都市锦江区（510104）")

    response = page.goto(f"/console/organisations/{qingyang}/")
    assert response.status == 403
    expect(page).to_have_title(re.compile("^无权访问"))
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    expect(page.get_by_role("alert")).to_contain_text("不在您所在部门或区划的办理范围内")
    expect(page.locator("body")).not_to_contain_text("黄海")  # nothing of the record leaks

    response = page.goto(f"/console/organisations/{jinjiang}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(JINJIANG_ORG)
    # A reviewer may look but not edit.
    expect(page.get_by_role("link", name="修改")).to_have_count(0)

    # Their list only holds their own county's organisations.
    page.get_by_role("link", name="返回列表").click()
    expect(page.locator("#table-organisations-rows tbody tr")).to_have_count(1)
    expect(page.locator("#table-organisations-rows")).to_contain_text(JINJIANG_ORG)


def test_sysadmin_verifies_the_audit_chain(page, login):
    login("admin")
    page.get_by_role("main").get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    expect(page.locator("table tbody tr").first).not_to_contain_text("暂无记录")

    page.get_by_role("button", name="校验审计链").click()
    verify = page.locator("#verify")
    expect(verify).to_contain_text("校验任务已排队")
    assert page.url.endswith("/console/audit/"), "verification is started in place, via htmx"

    # The worker picks the queued task up; the page, polling, shows the outcome.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.locator("#verify-result")).to_contain_text("审计链完整")
    expect(page.locator("#verify-result")).to_have_class(re.compile(r"\bok\b"))
    expect(page.get_by_role("button", name="再次校验")).to_be_visible()
