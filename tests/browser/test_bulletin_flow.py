"""The weekly bulletin in a real browser: a window clerk sends an activity
item, the editor accepts it, builds the week's bulletin, edits a paragraph
in place, exports DOCX and PDF and issues it; the issued files download
again as issued."""

import io

from playwright.sync_api import expect


def test_activity_to_issued_bulletin(page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # PDF rendering runs as a task; here it runs inline in the live server.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from bulletin import render
    from bulletin.models import Bulletin, DistributionList

    DistributionList.objects.create(
        name="常规分送",
        report_to="省政务管理办公室，省中心领导。",
        send_to="省级相关部门（单位）窗口。",
        copies=100,
        is_default=True,
    )

    # The window sends in an item.
    login("clerk")
    page.goto("/console/hall/activities/")
    # The report form, not the list's filter bar above it (which also has 类别).
    form = page.locator("form").filter(has=page.get_by_role("button", name="报送"))
    form.get_by_label("日期").fill("2024-11-06")
    form.get_by_label("标题", exact=True).fill("窗口开展消防宣传")
    form.get_by_label("类别").select_option(label="宣传活动")
    form.get_by_label("报送窗口").select_option(label="A01 综合窗口01")
    form.get_by_label("内容", exact=True).fill("消防救援总队窗口在大厅开展消防宣传，发放资料200余份。")
    form.get_by_role("button", name="报送").click()
    expect(page.locator(".messages")).to_contain_text("已报送“窗口开展消防宣传”")
    page.get_by_role("button", name="退出").click()

    # The editor accepts it.
    login("editor")
    page.goto("/console/hall/activities/?state=submitted")
    page.get_by_role("link", name="窗口开展消防宣传").click()
    page.get_by_label("内容").fill("消防救援总队窗口在省政务服务大厅开展消防宣传，发放资料200余份。")
    page.get_by_role("button", name="采用").click()
    expect(page.locator("#report-state")).to_have_text("已采用")

    # ... builds the week's bulletin.
    page.goto("/console/bulletin/")
    page.get_by_label("所报周（任选该周一天）").fill("2024-11-06")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024年第1期工作周报")
    activity = page.locator("#section-activity + .bulletin-block")
    expect(activity).to_contain_text("在省政务服务大厅开展消防宣传")
    expect(page.locator(".bulletin-draft")).to_contain_text("本周，共计咨询0人次、受理0件")

    # ... edits that paragraph in place (htmx).
    activity.get_by_role("button", name="编辑").click()
    box = page.locator(".bulletin-block textarea")
    box.fill("消防救援总队窗口结合消防宣传月开展宣传，发放资料200余份。")
    page.get_by_role("button", name="保存该段").click()
    expect(page.locator(".bulletin-draft")).to_contain_text("结合消防宣传月开展宣传")
    expect(page.locator(".bulletin-block textarea")).to_have_count(0)

    # ... exports DOCX.
    with page.expect_download() as download:
        page.locator("#export-docx").click()
    docx = download.value.path().read_bytes()
    from docx import Document

    assert any("结合消防宣传月" in p.text for p in Document(io.BytesIO(docx)).paragraphs)

    # ... and PDF (or is told what to install).
    if render.pdf_readiness()[0]:
        page.locator("#export-pdf").click()
        expect(page.locator("#pdf")).to_contain_text("PDF 已生成", timeout=60_000)
        with page.expect_download() as download:
            page.locator("#pdf-download").click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
    else:
        pdf = None
        expect(page.locator("#pdf")).to_contain_text("本机缺少导出 PDF 所需的软件或字体")

    # ... and issues it, without reloading: the edit in place also updated the
    # bulletin's version in the page's other forms.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#issue").click()
    expect(page.locator(".messages")).to_contain_text("已印发并归档")
    expect(page.locator("#bulletin-state")).to_have_text("已印发")
    expect(page.get_by_role("button", name="编辑")).to_have_count(0)
    expect(page.locator(".bulletin-draft")).to_contain_text("结合消防宣传月开展宣传")
    with page.expect_download() as download:
        page.locator("#issued-docx").click()
    issued = Bulletin.objects.get().files.get(issued=True, kind="docx")
    assert download.value.path().read_bytes() == bytes(issued.content)
    if pdf is not None:  # the PDF rendered for this version is the one issued
        assert bytes(Bulletin.objects.get().files.get(issued=True, kind="pdf").content) == pdf
