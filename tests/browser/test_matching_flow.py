"""Policy matching in a real browser: an enterprise user opens the policy
calculator, sees an item it nearly meets and why, tries a "what if", and
confirms an auto-grant item; the centre's view shows the confirmation."""

from playwright.sync_api import expect


def test_calculator_what_if_and_auto_grant_confirmation(page, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from matching import demo
    from matching.models import EnterpriseProfile

    result = demo.load_demo(profiles=40)
    nearly, meets = result["nearly"].title, result["meets"].title
    stored = EnterpriseProfile.objects.filter(name=demo.AGENT_ORG).values().get()

    login("agent")
    page.goto("/matching/")
    expect(page.get_by_role("heading", level=1)).to_have_text("政策计算器")
    near = page.locator("#group-nearly .match-item", has_text=nearly).first
    expect(near).to_be_visible()
    expect(near.locator(".short-by")).to_contain_text("未认定为高新技术企业 ✗")
    expect(page.locator("#group-meets")).to_contain_text(meets)

    # What if the company were recognised as high-tech?
    page.get_by_label("高新技术企业", exact=True).check()
    page.get_by_role("button", name="重新计算").click()
    expect(page.locator("#what-if-note")).to_contain_text("企业画像未被修改")
    expect(page.locator("#group-meets .match-item", has_text=nearly).first).to_be_visible()
    assert EnterpriseProfile.objects.filter(name=demo.AGENT_ORG).values().get() == stored

    # 免申即享: confirm the item it meets.
    page.get_by_role("link", name="免申即享意愿确认").first.click()
    row = page.locator("tr", has_text=meets)
    expect(row).to_contain_text("万元")
    row.get_by_role("button", name="同意享受").click()
    expect(page.locator(".messages")).to_contain_text("已确认：同意享受")
    expect(page.locator("tr", has_text=meets)).to_contain_text("陈刚")

    # The centre's view shows the confirmation.
    page.get_by_role("button", name="退出").click()
    login("manager")
    page.goto("/console/matching/grants/")
    page.get_by_role("link", name=meets).click()
    expect(page.locator("#round-counts")).to_contain_text("同意 1 户")
    expect(page.locator("tr", has_text=demo.AGENT_ORG)).to_contain_text("同意享受")
    expect(page.locator("tr", has_text=demo.AGENT_ORG)).to_contain_text("陈刚")

    # The rule editor previews a rule's description (htmx) without saving it.
    page.goto(f"/console/matching/items/{result['nearly'].pk}/rule/")
    page.get_by_label("匹配规则（JSON）").fill('{"condition": {"attr": "employees", "op": ">=", "value": 50}}')
    page.get_by_role("button", name="预览规则说明").click()
    expect(page.locator("#rule-preview")).to_contain_text("从业人员不低于 50人")
    page.get_by_label("匹配规则（JSON）").fill('{"condition": {"attr": "employes", "op": ">=", "value": 50}}')
    page.get_by_role("button", name="预览规则说明").click()
    expect(page.locator("#rule-preview")).to_contain_text("condition.attr：未知的属性“employes”")


def test_calculator_lists_what_can_be_claimed_or_changed_and_marks_what_if(page, login, settings):
    """Issue 18: only claimable or changeable items, each reason once, what-if marks what changed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from matching import demo

    result = demo.load_demo(profiles=40)
    nearly = result["nearly"].title

    login("agent")
    page.goto("/matching/")
    expect(page.locator("#claimable-total")).to_contain_text("万元")
    expect(page.locator("#group-fails")).to_have_count(0)  # what does not meet is counted, not listed
    listed = page.evaluate("""() => [...document.querySelectorAll('.match-item')].map(li => ({
        group: li.closest('section').id,
        shortBy: li.querySelector('.short-by') ? li.querySelector('.short-by').textContent : '',
        reasons: [...li.querySelectorAll('.reason')].map(r => r.textContent.trim())}))""")
    assert listed
    for item in listed:
        assert len(item["reasons"]) == len(set(item["reasons"])), item
        if item["group"] == "group-nearly":
            # one condition short means one the enterprise can change: never industry, region, legal form
            assert not any(word in item["shortBy"] for word in ("所属行业", "所在地区", "个体工商户")), item
            assert not any(r and r in item["shortBy"] for r in item["reasons"]), item

    # windows: a closed item is never "one condition short"; what can be claimed now comes first
    expect(page.locator("#group-nearly .match-item.window-closed")).to_have_count(0)
    order = {"window-open": 0, "window-upcoming": 1, "window-closed": 2}
    states = page.evaluate("() => [...document.querySelectorAll('#group-meets .match-item')].map(li => li.className)")
    ranks = [next(v for k, v in order.items() if k in c) for c in states]
    assert ranks == sorted(ranks), states

    page.get_by_label("高新技术企业", exact=True).check()
    page.get_by_role("button", name="重新计算").click()
    note = page.locator("#what-if-note")
    expect(note).to_contain_text("资质认定由")
    expect(note).to_contain_text("高新技术企业")
    expect(note).not_to_contain_text("high_tech")
    expect(note).to_contain_text("新增符合")
    changed = page.locator("#group-meets .match-item[data-changed='new']", has_text=nearly).first
    expect(changed).to_be_visible()
    expect(changed).to_contain_text("假设后新增符合")
