"""The bulletin pages: build, edit a paragraph in place, refresh, export, issue."""

import pytest
from django.core.management import call_command

from bulletin.models import Block, Bulletin

from .conftest import needs_pdf


def test_build_from_the_page(signed_in, distribution):
    client = signed_in("editor")
    page = client.post("/console/bulletin/", {"week_start": ""}).content.decode()
    assert "周一日期为必填项" in page
    response = client.post("/console/bulletin/", {"week_start": "2024-11-06"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/bulletin/{bulletin.pk}/"
    page = client.get(response["Location"]).content.decode()
    for title in (
        "一、政务工作动态",
        "二、重点工作推进情况",
        "三、厅（局）长进大厅",
        "四、综窗改革攻坚行动",
        "（一）省本级综窗办件情况",
        "（二）其他工作开展情况",
    ):
        assert title in page
    assert "本周，共计咨询0人次" in page and "2024年第1期" in page


def test_a_paragraph_is_edited_in_place(signed_in, draft):
    client = signed_in("editor")
    block = draft.blocks.get(source="windows")
    form = client.get(f"/console/bulletin/{draft.pk}/blocks/{block.pk}/?edit=1", HTTP_HX_REQUEST="true")
    assert "<textarea" in form.content.decode() and "{week_acceptances}" in form.content.decode()
    saved = client.post(
        f"/console/bulletin/{draft.pk}/blocks/{block.pk}/",
        {"version": block.version, "template": "本周受理{week_acceptances}件。"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "本周受理0件。" in saved.content.decode()
    assert "<html" not in saved.content.decode()  # only the paragraph comes back
    refused = client.post(
        f"/console/bulletin/{draft.pk}/blocks/{block.pk}/",
        {"version": block.version, "template": "旧稿"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "已被他人修改" in refused and Block.objects.get(pk=block.pk).template == "本周受理{week_acceptances}件。"


def test_a_garbled_version_is_told_as_a_conflict_not_an_error_page(signed_in, draft):
    client = signed_in("editor")
    before = Bulletin.objects.get(pk=draft.pk).version
    response = client.post(f"/console/bulletin/{draft.pk}/refresh/", {"version": "abc"}, follow=True)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert Bulletin.objects.get(pk=draft.pk).version == before


def test_header_errors_show_on_the_form(signed_in, draft):
    client = signed_in("editor")
    fields = {
        "version": draft.version,
        "number": "0",
        "dated": "2024-11-11",
        "issuing_unit": "x",
        "report_to": "",
        "send_to": "y",
        "copies": "0",
    }
    page = client.post(f"/console/bulletin/{draft.pk}/header/", fields).content.decode()
    assert "期号应为正整数" in page and "“报”送范围为必填项" in page and "印数应为1至10000之间的整数" in page
    page = client.post(f"/console/bulletin/{draft.pk}/header/", {**fields, "copies": "abc"}).content.decode()
    assert "印数应为整数" in page
    draft.refresh_from_db()
    assert (draft.number, draft.copies) == (1, 100)


def test_others_may_not_open_the_bulletin(signed_in, draft):
    assert signed_in("clerk").get(f"/console/bulletin/{draft.pk}/").status_code == 403
    assert signed_in("clerk").get("/console/bulletin/").status_code == 403


def test_docx_download(signed_in, draft):
    response = signed_in("editor").get(f"/console/bulletin/{draft.pk}/export.docx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db(transaction=True)  # the worker takes its own exclusive transactions
def test_pdf_renders_in_the_background_and_the_page_polls(signed_in, draft):
    """With the database task backend the page gets a polling placeholder;
    the worker renders; the next poll offers the download."""
    needs_pdf()
    client = signed_in("editor")
    queued = client.post(f"/console/bulletin/{draft.pk}/pdf/", HTTP_HX_REQUEST="true").content.decode()
    assert "PDF 正在后台生成" in queued and 'hx-trigger="load delay:1s"' in queued
    poll = queued.split('hx-get="')[1].split('"')[0]
    call_command("db_worker", "--batch", "--no-startup-delay")
    done = client.get(poll).content.decode()
    assert "PDF 已生成" in done
    link = done.split('id="pdf-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_issue_from_the_page(signed_in, draft, inline_tasks):
    client = signed_in("editor")
    response = client.post(f"/console/bulletin/{draft.pk}/issue/", {"version": draft.version}, follow=True)
    page = response.content.decode()
    assert "已印发并归档" in page
    draft.refresh_from_db()
    assert draft.state == Bulletin.State.ISSUED
    again = client.post(f"/console/bulletin/{draft.pk}/issue/", {"version": draft.version}, follow=True)
    assert "已印发" in again.content.decode()


def test_without_the_pdf_tools_the_page_says_what_to_install(signed_in, draft, monkeypatch):
    from bulletin import render

    monkeypatch.setattr(
        render, "pdf_readiness", lambda: (False, ["libreoffice-writer-nogui（LibreOffice，用于将 DOCX 转为 PDF）"])
    )
    page = signed_in("editor").get(f"/console/bulletin/{draft.pk}/").content.decode()
    assert "本机缺少导出 PDF 所需的软件或字体" in page and render.INSTALL_COMMAND in page
    assert "导出 Word（DOCX）" in page
    answer = signed_in("editor").post(f"/console/bulletin/{draft.pk}/pdf/").content.decode()
    assert "libreoffice-writer-nogui" in answer
