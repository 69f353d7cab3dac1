"""The demo bulletin for 2024-11-04..08, built from the demo year's case
events: section 四 carries the real bulletin's figures, in the draft and in
the exported PDF. The demo year takes a minute or two to load: once for this
session (the root conftest's `demo_year` fixture, which removes it again afterwards)."""

import io
import re

import pytest

from bulletin import demo, services
from bulletin.models import Bulletin, BulletinFile, DistributionList
from hall.models import ActivityReport, DutyShift, KeyWork

from .conftest import needs_pdf

WEEK_TEXT = "本周，共计咨询1635人次、受理879件、颁发1077件、流转2909件次。"
YEAR_TEXT = "今年以来，累计咨询70371人次、受理29107件、颁发148786件、流转327744件次。"


@pytest.fixture(scope="module")
def demo_bulletin(demo_year, django_db_blocker):
    with django_db_blocker.unblock():
        demo.load_demo()
        bulletin_pk = Bulletin.objects.get(week_start=demo.WEEK_START).pk
    yield bulletin_pk
    with django_db_blocker.unblock():
        Bulletin.objects.all().delete()
        for model in (ActivityReport, DutyShift, KeyWork, DistributionList):
            model.objects.all().delete()


@pytest.fixture
def bulletin(demo_bulletin, db):
    return Bulletin.objects.get(pk=demo_bulletin)


def test_section_four_reads_the_weeks_figures(bulletin):
    windows = bulletin.blocks.get(source="windows")
    assert services.render_text(windows) == WEEK_TEXT + YEAR_TEXT + services.CONSULTATION_NOTE
    assert windows.template == services.WINDOWS_TEMPLATE  # computed, not typed
    assert windows.figures["week_consultations"]["value"] == 1635
    assert windows.figures["year_transfers"]["value"] == 327744
    assert (bulletin.number, str(bulletin.dated)) == (45, "2024-11-11")
    sections = services.document_sections(bulletin)
    assert len(sections[0]["paragraphs"]) == 4 and sections[0]["paragraphs"][0]["text"].startswith("（一）")
    assert [p["lead"] for p in sections[1]["paragraphs"]] == [
        "（一）数字政府项目建设。",
        "（二）高效办成一件事。",
        "（三）惠企政策直达快享。",
    ]
    assert "公安厅党委委员刘志远" in sections[2]["paragraphs"][0]["text"]


def test_loading_again_adds_nothing(bulletin):
    counts = (Bulletin.objects.count(), ActivityReport.objects.count(), DutyShift.objects.count())
    demo.load_demo()
    assert (Bulletin.objects.count(), ActivityReport.objects.count(), DutyShift.objects.count()) == counts


def test_the_demo_pdf_carries_section_four(bulletin):
    needs_pdf()
    from pypdf import PdfReader

    from bulletin import render

    reader = PdfReader(io.BytesIO(render.docx_to_pdf(services.docx_bytes(bulletin))))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "（一）省本级综窗办件情况" + WEEK_TEXT + YEAR_TEXT in text
    assert "第45期" in text and "（11月4日—11月8日）" in text and "（共印100份）" in text
    from .test_export import _fonts

    fonts = _fonts(reader)
    assert all(fonts.values()), fonts  # every font embedded
    faces = ("FandolFang", "UKai", "NotoSansCJK", "NotoSerifCJK", "LiberationSerif")
    assert all(any(face in name for face in faces) for name in fonts), fonts  # no glyph fell back


def test_issued_files_download_as_issued(bulletin, signed_in, demo_user, inline_tasks):
    client = signed_in("editor")
    issued = services.issue(demo_user("editor"), bulletin, version=bulletin.version)
    files = list(BulletinFile.objects.filter(bulletin=issued, issued=True))
    assert {f.kind for f in files} >= {"docx"}
    for record in files:
        response = client.get(f"/console/bulletin/{issued.pk}/files/{record.pk}/")
        assert response.status_code == 200 and response.content == bytes(record.content)
    response = client.get(f"/console/bulletin/{issued.pk}/export.docx")
    assert response.content == bytes(next(f for f in files if f.kind == "docx").content)
    page = client.get(f"/console/bulletin/{issued.pk}/").content.decode()
    assert "已印发" in page and "保存该段" not in page and "刷新平台数据" not in page
