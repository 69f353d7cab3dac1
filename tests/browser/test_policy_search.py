"""The policy zone's search and consultation in a real browser: a person
searches from the zone, filters by city, opens a result, asks a question and
gets a cited answer, turns it into a ticket; the claiming department's
reviewer answers it; the asker sees the reply."""

import re

from playwright.sync_api import expect


def test_search_ask_ticket_and_reply(page, login):
    from policies.search import samples

    samples.load_samples()

    def switch(username):
        if page.get_by_role("button", name="退出").count():
            page.get_by_role("button", name="退出").click()
        login(username)

    # Search from the zone, then narrow to Chengdu: its own items and the province's.
    page.goto("/policies/")
    page.get_by_label("搜索政策").fill("奖励")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/policies/search/\?q="))
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="高新技术企业认定奖励")).to_be_visible()
    page.locator("#city").select_option(label="成都市")
    expect(results.get_by_role("link", name="专精特新“小巨人”企业奖励")).to_be_visible()
    expect(page).to_have_url(re.compile(r"city=510100"))
    expect(results.locator("mark").first).to_be_visible()
    page.locator("#city").select_option(label="绵阳市")
    expect(results.get_by_role("link", name="小微企业房租补贴")).to_be_visible()
    expect(results.get_by_role("link", name="专精特新“小巨人”企业奖励")).to_have_count(0)

    # Suggestions as one types.
    page.locator("#q").fill("稳岗")
    expect(page.locator("#suggestions").get_by_role("link", name="稳岗返还", exact=True)).to_be_visible()

    # Open a result.
    page.locator("#q").fill("小微企业 房租")
    page.get_by_role("button", name="检索").click()
    # the new results page, not the old one still on screen while it loads
    expect(page).to_have_url(re.compile(r"q=%E5%B0%8F%E5%BE%AE"))
    results.get_by_role("link", name="小微企业房租补贴").click()
    expect(page).to_have_url(re.compile(r"/policies/items/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("小微企业房租补贴")

    # Ask a question, signed in as a member of the public: a cited answer card.
    switch("citizen")
    page.goto("/policies/ask/")
    page.get_by_label("您的问题").fill("绿色矿山建设奖补怎么申请？")
    page.get_by_role("button", name="提问").click()
    card = page.locator(".answer-card")
    expect(card.get_by_role("link", name="绿色矿山建设奖补")).to_be_visible()
    expect(card).to_contain_text("一次性奖补20万元")
    expect(card.locator(".source")).to_contain_text("川自然资规〔2024〕5号")
    expect(card.locator(".source")).to_contain_text("第六条")

    # Not solved: one click makes a ticket for the claiming department.
    card.get_by_role("button", name="没有解决我的问题").click()
    expect(page).to_have_url(re.compile(r"/policies/tickets/\d+/"))
    expect(page.get_by_text("四川省自然资源厅", exact=False).first).to_be_visible()
    expect(page.locator(".ticket-reply")).to_contain_text("尚未答复")
    ticket_url = page.url

    # The natural resources reviewer answers it.
    switch("reviewer")
    page.goto("/console/policies/tickets/")
    page.get_by_role("link", name=re.compile("绿色矿山建设奖补怎么申请")).click()
    page.get_by_label("答复内容").fill("请于每年3月通过惠企政策专区在线申报，附绿色矿山名录公告。")
    page.get_by_role("button", name="发送答复").click()
    expect(page.locator(".messages")).to_contain_text("答复已发送")

    # The asker sees the reply.
    switch("citizen")
    page.goto(ticket_url)
    expect(page.locator(".ticket-reply")).to_contain_text("请于每年3月通过惠企政策专区在线申报")
    expect(page.locator(".ticket-reply")).to_contain_text("四川省自然资源厅")
    page.get_by_role("button", name="问题已解决，办结工单").click()
    expect(page.get_by_text("已办结").first).to_be_visible()


def test_search_understands_questions_cities_traditional_typos_and_says_when_nothing_fits(page):
    """What a person sees for four kinds of query: a situational question naming
    a city, traditional characters, a same-sound typo, and a question the
    library cannot answer."""
    from policies.search import ranker, samples

    samples.load_samples()
    ranker.invalidate()
    results = page.locator("#search-results")

    def search(q):
        page.goto("/policies/search/")
        page.locator("#q").fill(q)
        page.get_by_role("button", name="检索").click()
        expect(page).to_have_url(re.compile(r"/policies/search/\?q="))

    # A situational question naming Chengdu: Chengdu's own policy comes first, under
    # its document, with the matched words marked, and a chip to keep to Chengdu.
    search("我们公司在成都，刚评上专精特新小巨人，有没有奖励")
    first = results.locator("li.hit").first
    expect(first.get_by_role("link", name="成都市促进专精特新中小企业高质量发展的若干政策")).to_be_visible()
    expect(first.locator(".best-match").get_by_role("link", name="专精特新“小巨人”企业奖励")).to_be_visible()
    expect(first.locator("mark").first).to_be_visible()
    results.get_by_role("link", name="只看成都市").click()
    expect(page).to_have_url(re.compile(r"city=510100"))
    expect(page.locator("#city")).to_have_value("510100")

    # Traditional characters find the simplified text.
    search("穩崗返還怎麼申請")
    expect(results.get_by_role("link", name="失业保险稳岗返还", exact=True)).to_be_visible()

    # A same-sound typo is corrected, and the correction is offered.
    search("文岗返还")
    expect(results.locator(".did-you-mean")).to_contain_text("您是不是要找")
    expect(results.locator(".did-you-mean").get_by_role("link", name="「稳岗返还」")).to_be_visible()
    expect(results.get_by_role("link", name="失业保险稳岗返还", exact=True)).to_be_visible()

    # Nothing in the library answers: say so, offer near topics and the consultation.
    search("养狗需要办证吗")
    expect(results.locator(".no-answer")).to_contain_text("没有找到直接相关的政策")
    expect(results.locator("li.hit")).to_have_count(0)
    results.get_by_role("link", name="向政策咨询提问").click()
    expect(page).to_have_url(re.compile(r"/policies/ask/\?q="))
    expect(page.get_by_label("您的问题")).to_have_value("养狗需要办证吗")


def test_the_centre_reviews_a_colloquial_word_and_search_understands_it(page, login):
    """检索词表: a department proposes a colloquial name with its source, the
    centre approves it in the console, and a search in that word finds the
    policy at once."""
    from policies.search import ranker, samples

    samples.load_samples()
    ranker.invalidate()
    login("deptadmin")
    page.goto("/console/policies/")
    page.get_by_role("link", name="检索词表").click()
    expect(page.get_by_role("heading", name="检索词表")).to_be_visible()
    page.get_by_label("词语（以空格分隔；同义词组至少两个词）").fill("稳岗返还 保岗钱")
    page.get_by_label("来源（政策原文的文号和条款，或公开出处）").fill("人社部门政策答问用语（公开出处）")
    page.get_by_role("button", name="提出").click()
    expect(page.locator(".messages")).to_contain_text("已提出，待政务服务中心复核")
    expect(page.locator("table.vocabulary-queue")).to_contain_text("待中心复核")

    page.get_by_role("button", name="退出").click()
    login("manager")
    page.goto("/console/policies/vocabulary/")
    queue = page.locator("table.vocabulary-queue")
    expect(queue).to_contain_text("稳岗返还 保岗钱")
    expect(queue).to_contain_text("人社部门政策答问用语")
    queue.get_by_role("button", name="采用", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已采用")
    expect(page.locator("table.vocabulary-queue")).to_contain_text("没有待复核的条目")

    page.goto("/policies/search/?q=保岗钱")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="关于做好失业保险稳岗返还工作的通知", exact=True)).to_be_visible()
    expect(results.locator("mark").first).to_have_text("稳岗返还")
