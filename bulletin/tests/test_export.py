"""The exported files read back: DOCX page setup and fonts (python-docx), PDF
text, page size, margins and embedded fonts (pypdf, pdfminer)."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from bulletin import render, services

from .conftest import needs_pdf

MM = 72 / 25.4


def _edit_windows(draft, demo_user, text):
    block = draft.blocks.get(source="windows")
    services.edit_block(demo_user("editor"), block, version=block.version, template=text)
    return type(draft).objects.get(pk=draft.pk)


def test_docx_page_setup_and_fonts(draft):
    doc = Document(io.BytesIO(services.docx_bytes(draft)))
    section = doc.sections[0]

    def mm(*lengths):  # stored in twips: 0.02 mm steps
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == (37, 35, 28, 26)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml and f'w:val="{align}"' in xml
    east_asia = {f.get(qn("w:eastAsia")) for f in doc.element.body.iter(qn("w:rFonts"))}
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"} <= east_asia
    texts = [p.text for p in doc.paragraphs]
    assert "一、政务工作动态" in texts and "（一）省本级综窗办件情况" in texts
    heading = next(p for p in doc.paragraphs if p.text == "一、政务工作动态")
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("本周，共计咨询"))
    assert body.runs[0].font.size.pt == 16  # 3号
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)  # 22 lines in 225 mm
    masthead = doc.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == "E60012"
    assert texts[-1] == "（共印100份）" and texts[-3].startswith("报：")


def test_pdf_text_page_size_margins_and_fonts(draft, demo_user):
    needs_pdf()
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer
    from pypdf import PdfReader

    long = "本周综窗运行平稳各项工作有序推进" * 90 + "共计受理{week_acceptances}件。"
    draft = _edit_windows(draft, demo_user, long)
    pdf = render.docx_to_pdf(services.docx_bytes(draft))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "四、综窗改革攻坚行动" in text and "共计受理0件" in text and "（共印100份）" in text
    assert "—1—" in text and "—2—" in text
    # every font is embedded
    fonts = _fonts(reader)
    assert fonts and all(embedded for embedded in fonts.values()), fonts
    assert any("FandolFang" in name for name in fonts) and any("UKai" in name for name in fonts)
    # no glyph fell back to a face outside the mapping (LibreOffice substitutes missing glyphs silently)
    faces = ("FandolFang", "UKai", "NotoSansCJK", "NotoSerifCJK", "LiberationSerif")
    assert all(any(face in name for face in faces) for name in fonts), fonts

    body_left, body_right, body_top, body_bottom = 28 * MM, (210 - 26) * MM, (297 - 37) * MM, 35 * MM
    pages = list(extract_pages(io.BytesIO(pdf)))
    for number, layout in enumerate(pages, start=1):
        chars = [
            c
            for box in layout
            if isinstance(box, LTTextContainer)
            for line in box
            for c in line
            if isinstance(c, LTChar) and c.get_text().strip()
        ]
        footer = [c for c in chars if c.y1 < body_bottom]
        body = [c for c in chars if c.y1 >= body_bottom]
        assert min(c.x0 for c in body) == pytest.approx(body_left, abs=1.5)
        assert max(c.x1 for c in body) <= body_right + 1.5
        assert max(c.y1 for c in body) <= body_top + 1.5
        assert "".join(c.get_text() for c in footer).replace(" ", "") == f"—{number}—"
        if number % 2:  # odd pages: number on the right, one character in
            assert max(c.x1 for c in footer) == pytest.approx(body_right - 14, abs=2)
        else:
            assert min(c.x0 for c in footer) == pytest.approx(body_left + 14, abs=2)
    # a full page holds 22 lines and the longest lines fill 28 characters
    second = [
        c
        for box in pages[1]
        if isinstance(box, LTTextContainer)
        for line in box
        for c in line
        if isinstance(c, LTChar) and c.y1 >= body_bottom
    ]
    lines = {}
    for c in second:
        lines.setdefault(round(c.y0), []).append(c)
    assert len(lines) == 22
    assert max(len(row) for row in lines.values()) == 28
    assert max(c.x1 for c in second) == pytest.approx(body_right, abs=1.5)  # justified to the right margin


def _fonts(reader):
    """Every font used on every page → whether its program is embedded."""
    out = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            out[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out
