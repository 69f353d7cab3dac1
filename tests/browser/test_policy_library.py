"""The policy zone's library in a real browser: a person reads a city's
policies with their interpretation; a department drafts a document with an
item and submits it, the centre publishes it, and it shows in a city entry."""

import re

from playwright.sync_api import expect

from core.models import Department

TEXT = (
    "第一条 为促进专精特新中小企业高质量发展，结合本市实际，制定本措施。\n"
    "第二条 对新认定的国家级专精特新“小巨人”企业给予50万元一次性奖励。\n"
    "第三条 本措施自2024年1月1日起施行，有效期3年。"
)


def _chengdu_document():
    from accounts.models import User
    from policies import services

    manager = User.objects.get(username="manager")
    dept = Department.objects.get(function="economy_it", region_id="510100")
    doc = services.create_document(
        manager,
        {
            "title": "成都市关于促进专精特新中小企业高质量发展的若干政策措施",
            "number": "成经信发〔2024〕5号",
            "issuers": "成都市经济和信息化局",
            "department": dept.pk,
            "region": "510100",
            "issued_on": "2024-01-01",
            "effective_on": "2024-01-01",
            "expires_on": "2026-12-31",
            "text": TEXT,
        },
    )
    services.create_item(
        manager,
        doc,
        {
            "title": "专精特新“小巨人”企业奖励",
            "kind": "subsidy",
            "delivery": "auto_grant",
            "target": "新认定的国家级专精特新“小巨人”企业",
            "conditions": "当年新获认定",
            "amount": "一次性奖励50万元",
            "apply_period": "每年4月至6月",
            "phone": "028-61881234",
            "article": doc.articles.get(ordinal=2).pk,
        },
    )
    services.create_interpretation(
        manager,
        doc,
        {
            "title": "一图读懂成都专精特新十条",
            "kind": "text",
            "text": "问：哪些企业可以享受？答：新认定的“小巨人”企业。",
        },
    )
    services.submit_document(manager, doc)
    return services.approve_document(manager, doc)


def test_person_reads_a_city_document_with_interpretation_and_key_points(page):
    doc = _chengdu_document()
    page.goto("/policies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("惠企政策专区")
    expect(page.locator(".city-entries li")).to_have_count(21)
    page.get_by_role("link", name="成都市", exact=True).click()
    expect(page).to_have_url(re.compile(r"/policies/city/510100/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("成都市惠企政策服务专区")
    expect(page.locator('[data-counter="documents"]')).to_have_text("1")
    page.get_by_role("link", name=doc.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(doc.title)
    interpretation = page.get_by_role("complementary")
    expect(interpretation).to_contain_text("一图读懂成都专精特新十条")
    points = page.locator(".key-points")
    expect(points).to_contain_text("支持对象")
    expect(points).to_contain_text("新认定的国家级专精特新“小巨人”企业")
    expect(points).to_contain_text("每年4月至6月")
    expect(points).to_contain_text("成都市经济和信息化局")
    page.get_by_role("link", name="专精特新“小巨人”企业奖励").click()
    guide = page.locator(".claim-guide")
    expect(guide).to_contain_text("惠及对象")
    expect(guide).to_contain_text("028-61881234")
    expect(page.locator("blockquote")).to_contain_text("第二条")


def test_department_drafts_and_submits_the_centre_publishes_and_city_shows_it(page, login):
    login("deptadmin")
    page.goto("/console/policies/")
    page.get_by_role("link", name="新增政策文件").first.click()
    page.get_by_label("标题").fill("关于强化产业项目用地保障的若干措施")
    page.get_by_label("文号").fill("川自然资发〔2024〕40号")
    page.get_by_label("发文机关").fill("四川省自然资源厅")
    page.get_by_label("发布日期").fill("2024-10-10")
    page.get_by_label("失效日期").fill("2024-01-01")
    page.get_by_label("正文").fill(
        "第一条 为保障产业项目用地，制定本措施。\n第二条 工业用地可按不超过20年的弹性年期出让。"
    )
    page.get_by_role("button", name="保存").click()
    # A refused form says what is wrong, in Chinese, next to the field.
    expect(page.locator(".has-error")).to_contain_text("失效日期：应晚于发布日期")
    page.get_by_label("失效日期").fill("2029-10-09")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("关于强化产业项目用地保障的若干措施")

    page.get_by_role("link", name="拆解惠企事项").click()
    page.get_by_label("事项名称").fill("工业用地弹性年期出让")
    page.get_by_label("类别").select_option(label="权益")
    page.get_by_role("combobox", name="兑现方式", exact=True).select_option(label="依申请")
    page.get_by_label("出处条款").select_option(index=2)
    page.get_by_label("惠及对象").fill("在四川投资建设工业项目的企业")
    page.get_by_label("申报条件").fill("项目符合国土空间规划")
    page.get_by_label("支持标准").fill("按不超过20年的弹性年期出让")
    page.get_by_label("咨询电话").fill("028-86012345")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工业用地弹性年期出让")
    page.get_by_role("link", name="关于强化产业项目用地保障的若干措施").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("[data-status]").first).to_have_text("待审核")
    page.get_by_role("button", name="退出").click()

    login("manager")
    page.goto("/console/policies/review/")
    row = page.get_by_role("row").filter(has_text="关于强化产业项目用地保障的若干措施")
    # Publishing cannot be undone: the page asks first.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="通过并发布").click()
    expect(page.locator(".messages")).to_contain_text("已审核发布")
    assert "通过并发布后即对公众公开" in asked[0]

    # Province-wide, so it shows in every city's entry.
    page.goto("/policies/city/513400/")
    page.get_by_role("link", name="关于强化产业项目用地保障的若干措施").click()
    expect(page.locator(".key-points")).to_contain_text("在四川投资建设工业项目的企业")
