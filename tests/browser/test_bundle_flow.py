"""信用修复一件事 in a real browser: the enterprise applies once on today's date,
each department acts on its own child case in its console, one asks for a
correction that the enterprise answers once on the parent, and the
enterprise receives one combined result."""

import re

import pytest
from playwright.sync_api import expect

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FACTS = {
    "penalty_number": "川市监罚〔2026〕118号",
    "penalty_authority": "四川省市场监督管理局",
    "penalty_date": "2026-06-02",
    "performed_date": "2026-07-15",
    "contact": "陈刚",
    "phone": "13800001234",
}


@pytest.fixture
def bundle_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from bundles.demo import load_demo
    from catalog.demo import load_demo_catalogue

    load_demo_catalogue()
    load_demo()
    return settings


def test_credit_repair_as_one_application(page, login, bundle_settings):
    from django.utils import timezone

    def switch(username):
        if page.get_by_role("button", name="退出").count():
            page.get_by_role("button", name="退出").click()
        login(username)

    page.on("dialog", lambda dialog: dialog.accept())  # a person confirms irreversible steps
    # The enterprise's agent answers once, fills one form, gives each material once.
    login("agent")
    page.goto("/")
    page.get_by_role("link", name="一件事", exact=True).click()
    page.get_by_role("link", name="信用修复一件事").first.click()
    page.get_by_label("法定代表人本人办理").check()
    page.get_by_role("button", name="确定").click()
    for key, value in FACTS.items():
        page.locator(f"#fact_{key}").fill(value)
    files = page.locator("input[type=file][name^=material_]")
    for n in range(files.count()):
        files.nth(n).set_input_files({"name": f"材料{n}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="一次提交").click()
    expect(page.locator(".messages")).to_contain_text("已提交“信用修复一件事”")
    number = re.search(r"/bundles/applications/(YJS\d+)/$", page.url).group(1)
    assert number[3:11] == f"{timezone.localdate():%Y%m%d}"  # today's date
    expect(page.locator("#combined-state")).to_have_text("办理中")
    rows = page.locator("#children tbody tr")
    expect(rows).to_have_count(3)
    cases = {
        rows.nth(n).locator("td").nth(2).inner_text(): rows.nth(n).locator("td").nth(3).inner_text() for n in range(3)
    }
    assert set(cases) == {"市场监管局", "发展改革委（数据局）", "税务局"}

    # The centre's window accepts each child and sends it to its department.
    switch("clerk")
    for case in cases.values():
        page.goto(f"/console/cases/{case}/")
        expect(page.locator("main")).to_contain_text("行政处罚决定书文号：川市监罚〔2026〕118号")  # the one form's fact
        page.get_by_role("button", name="受理", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("已受理")
        page.get_by_role("button", name="流转", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("已流转至")

    # 市场监管 asks for a correction in its console; the others approve in theirs.
    switch("reviewer_market")
    page.goto("/console/cases/")
    page.get_by_role("link", name=cases["市场监管局"]).click()
    page.get_by_label("需补正的材料及问题").fill("履行行政处罚决定的证明：缺少罚款缴款凭证")
    page.get_by_role("button", name="发出补正告知").click()
    expect(page.locator(".messages")).to_contain_text("已发出一次性告知")
    for reviewer, department in (("reviewer_credit", "发展改革委（数据局）"), ("reviewer_tax", "税务局")):
        switch(reviewer)
        page.goto("/console/cases/")
        page.get_by_role("link", name=cases[department]).click()
        page.get_by_label("准予").check()
        page.get_by_label("决定意见").fill("已履行处罚决定，准予信用修复")
        page.get_by_role("button", name="作出决定").click()
        expect(page.locator(".messages")).to_contain_text("已作出决定")

    # The enterprise answers once, on the parent.
    switch("agent")
    page.goto(f"/bundles/applications/{number}/")
    expect(page.locator("#combined-state")).to_have_text("待补正")
    expect(page.locator("#corrections")).to_contain_text("缺少罚款缴款凭证")
    page.get_by_label("补正说明").fill("已补充罚款缴款凭证")
    page.locator("#answer-form input[type=file]").first.set_input_files(
        {"name": "缴款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="一次提交补正").click()
    expect(page.locator(".messages")).to_contain_text("补正材料已一次提交")
    expect(page.locator("#combined-state")).to_have_text("办理中")
    expect(page.locator("#results")).to_contain_text("全部事项办结后，结果一并送达")

    switch("reviewer_market")
    page.goto(f"/console/cases/{cases['市场监管局']}/")
    expect(page.get_by_role("link", name="缴款凭证.pdf")).to_be_visible()
    page.get_by_label("准予").check()
    page.get_by_label("决定意见").fill("准予修复")
    page.get_by_role("button", name="作出决定").click()
    expect(page.locator(".messages")).to_contain_text("已作出决定")

    # The window issues every result; the enterprise receives them together.
    switch("clerk")
    for case in cases.values():
        page.goto(f"/console/cases/{case}/")
        page.get_by_label("证照数量").fill("1")
        page.get_by_role("button", name="颁发证照").click()
        expect(page.locator(".messages")).to_contain_text("已颁发证照")
    switch("agent")
    page.goto("/bundles/applications/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#combined-state")).to_have_text("已办结")
    expect(page.locator("#results li")).to_have_count(3)
    expect(page.locator("#results")).to_contain_text("信用修复决定")


def test_bankruptcy_children_run_in_declared_order(page, login, bundle_settings):
    from bundles.tests.helpers import apply, finish

    facts = {
        "court_ruling": "（2026）川01破12号之五",
        "administrator": "四川蜀信律师事务所",
        "contact": "陈刚",
        "phone": "13800001234",
    }
    application = apply("bankruptcy", facts=facts)
    login("agent")
    page.goto(f"/bundles/applications/{application.number}/")
    rows = page.locator("#children tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("已收件")
    expect(rows.nth(1)).to_contain_text("第1项办结后自动开始")
    expect(rows.nth(4)).to_contain_text("第2、3、4项办结后自动开始")
    finish(application.children.get(item__position=1).case)  # 不动产登记 done in its console
    page.reload()
    expect(rows.nth(1)).to_contain_text("已收件")  # 清税 starts by itself
    expect(rows.nth(2)).to_contain_text("第2项办结后自动开始")
    expect(page.locator("#combined-state")).to_have_text("办理中")
