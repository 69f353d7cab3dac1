"""自然资源非税收入 in a real browser: a county officer registers a mining right
and fills in a fee source; the city and the province approve it; it reaches the
tax-bureau simulator (a separate process); the 缴款通知书 and a payment come
back; the county, city and province dashboards show it and the split."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.demo import make_uscc
from revenue.tests.conftest import Simulator


@pytest.fixture
def revenue_live(transactional_db, tmp_path, settings):
    from revenue import demo, rules

    rules.load_parameters()
    demo.load_users()
    sim = Simulator(tmp_path).start()
    settings.TONGBAN_TAX_URL = sim.url
    yield sim
    sim.kill()


def exchange_until(done):
    """What the exchange worker does beside the server, until `done()` holds."""
    import time

    from revenue import exchange

    for _ in range(50):
        exchange.run_once()
        if done():
            return
        time.sleep(0.1)
    raise AssertionError("the exchange did not get there")


def test_right_to_fee_source_to_tax_bureau_and_back_on_three_dashboards(page, login, revenue_live):
    from revenue import exchange
    from revenue.models import FeeSource, Payment

    login("nr_renhe")
    page.get_by_role("main").get_by_role("link", name="自然资源非税收入").click()
    page.get_by_role("link", name="矿业权", exact=True).click()
    page.locator("#id_kind").select_option(label="采矿权")
    page.get_by_role("textbox", name="许可证号", exact=True).fill("C5104112026117001")
    page.get_by_label("矿业权名称").fill("仁和区大田钒钛磁铁矿")
    page.get_by_role("textbox", name="矿业权人", exact=True).fill("攀枝花大田矿业有限公司")
    page.get_by_label("矿业权人统一社会信用代码").fill(make_uscc("510411", "1", 6612345))
    page.get_by_label("面积（平方公里）").fill("4.5000")
    page.get_by_label("矿种").fill("钒钛磁铁矿")
    page.get_by_label("出让合同编号").fill("攀仁矿出〔2026〕11号")
    page.get_by_label("合同签订日期").fill("2026-11-25")
    page.get_by_label("有效期起").fill("2026-11-25")
    page.get_by_label("有效期止").fill("2041-11-24")
    page.get_by_role("button", name="登记矿业权").click()
    expect(page.locator(".messages")).to_contain_text("已登记矿业权“仁和区大田钒钛磁铁矿”")

    page.get_by_label("费源类型").select_option(label="矿业权出让收益（按金额）")
    page.get_by_label("应缴金额（元）").fill("15000000.00")
    page.get_by_label("分期缴纳").fill("2026-12-31 6000000.00\n2027-12-31 9000000.00")
    page.get_by_label("计征依据").fill("出让合同金额")
    page.get_by_role("button", name="填报并提交审批").click()
    expect(page.locator(".messages")).to_contain_text("市级→省级")
    expect(page.get_by_test_id("state")).to_have_text("审批中")
    fs = FeeSource.objects.get()
    page.get_by_role("button", name="退出").click()

    for username in ("nr_panzhihua", "reviewer"):
        login(username)
        page.goto("/console/revenue/worklist/")
        page.get_by_role("link", name=f"费源{fs.pk} 仁和区大田钒钛磁铁矿").click()
        page.get_by_label("审批意见").fill("同意")
        page.get_by_role("button", name="同意").click()
        expect(page.locator(".messages")).to_contain_text("已同意")
        page.get_by_role("button", name="退出").click()

    # The exchange worker sends it; the simulated bureau serves the notice, then records a payment.
    exchange_until(lambda: FeeSource.objects.get(pk=fs.pk).state == "notified")
    body = json.dumps({"fee_source_id": fs.pk, "seq": 1, "amount": "6000000.00", "paid_on": "2026-12-02"}).encode()
    request = urllib.request.Request(revenue_live.url + "/control/pay", data=body, method="POST")
    request.add_header("X-Signature", exchange.sign(body))
    urllib.request.urlopen(request, timeout=5).read()
    exchange_until(lambda: Payment.objects.exists())

    for username, heading, row in [
        ("nr_renhe", "仁和区（县级看板）", None),
        ("nr_panzhihua", "攀枝花市（市级看板）", "仁和区"),
        ("reviewer", "四川省（省级看板）", "攀枝花市"),
    ]:
        login(username)
        page.goto("/console/revenue/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.locator('[data-figure="owed"]')).to_have_text("15000000.00")
        expect(page.locator('[data-figure="paid"]')).to_have_text("6000000.00")
        expect(page.locator('[data-share="central"]')).to_have_text("2400000.00")
        expect(page.locator('[data-share="county"]')).to_have_text("2160000.00")
        if row:
            page.get_by_role("link", name=row).click()  # drill down
        if username == "reviewer":
            page.get_by_role("link", name="仁和区").click()
        page.get_by_role("link", name=f"费源{fs.pk} 仁和区大田钒钛磁铁矿").click()
        expect(page.get_by_test_id("state")).to_have_text("部分缴纳")
        expect(page.get_by_test_id("notice")).to_contain_text(f"川税缴通〔2026〕{fs.pk:06d}号")
        page.get_by_role("button", name="退出").click()
