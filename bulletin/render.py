"""The bulletin as a GB/T 9704-2012 style document: DOCX with python-docx,
PDF by rendering that DOCX with LibreOffice headless.

Page: A4; margins 37 mm top, 28 mm left, 26 mm right, 35 mm bottom; 22 lines
of 28 characters (exact line pitch 225 mm / 22, and a small negative character
spacing so 28 characters of 16 pt fill the 156 mm line, because LibreOffice
ignores Word's character grid). Body 仿宋 3号, first-level headings 黑体,
second-level 楷体, masthead title 方正小标宋简体 in red over a red rule, page
numbers "— N —" 4号, odd pages right and even pages left, one character in.
The DOCX names the Windows fonts; bulletin/fonts/fonts.conf maps them to the
free faces for the PDF.
"""

import io
import os
import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

FANGSONG, HEITI, KAITI, TITLE_FONT, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT = 16  # 3号
LINE = Twips(579)  # 225 mm / 22 lines = 28.99 pt; 28.95 pt keeps 22 whole lines
CHAR_SPACING = -5  # twentieths of a point: 28 × (16 − 0.25) pt = 441 pt ≤ 156 mm (442.2 pt)
INDENT = Pt(2 * (BODY_PT - 0.25))  # two characters
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
# What the PDF needs, and where it comes from on Debian.
PDF_PACKAGES = [
    "libreoffice-writer-nogui",
    "fonts-noto-cjk",
    "fonts-arphic-ukai",
    "texlive-lang-chinese",
    "fonts-liberation2",
]
INSTALL_COMMAND = "sudo apt-get install -y --no-install-recommends " + " ".join(PDF_PACKAGES)
# Windows name in the DOCX → the free face fonts.conf must give for it.
FONT_MAP = {
    FANGSONG: "FandolFang",
    HEITI: "Noto Sans CJK SC",
    KAITI: "AR PL UKai CN",
    TITLE_FONT: "Noto Serif CJK SC",
    SONGTI: "Noto Serif CJK SC",
    LATIN: "Liberation Serif",
}
# (Debian package, what it gives) for the message on the page.
FONT_PACKAGES = {
    "FandolFang": "texlive-lang-chinese（仿宋：FandolFang）",
    "Noto Sans CJK SC": "fonts-noto-cjk（黑体：Noto Sans CJK SC）",
    "Noto Serif CJK SC": "fonts-noto-cjk（宋体、小标宋：Noto Serif CJK SC）",
    "AR PL UKai CN": "fonts-arphic-ukai（楷体：AR PL UKai CN）",
    "Liberation Serif": "fonts-liberation2（Times New Roman 的替代字体）",
}

CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n):
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")


# --- DOCX ---


def _fonts(run, east_asia, size, *, color=None, bold=False, latin=LATIN, spacing=CHAR_SPACING):
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), value)
    if spacing:
        sp = OxmlElement("w:spacing")
        sp.set(qn("w:val"), str(spacing))
        rpr.append(sp)
    return run


def _paragraph(doc, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, exact=True):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    if indent:
        fmt.first_line_indent = INDENT
    fmt.widow_control = False
    return p


def _border(paragraph, edge, size, color="000000"):
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{edge}")
    for attr, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        line.set(qn(attr), value)
    borders.append(line)


def _page_number(footer, align, indent_side):
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    setattr(p.paragraph_format, indent_side, Pt(14))  # one character in from the edge
    _fonts(p.add_run("— "), SONGTI, 14, spacing=0)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = _fonts(p.add_run(), SONGTI, 14, spacing=0)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
    _fonts(p.add_run(" —"), SONGTI, 14, spacing=0)


def _setup(doc):
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(22)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent")
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")
    # Word's grid of 22 lines × 28 characters (LibreOffice goes by the exact spacing instead).
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    core = doc.core_properties
    core.author = core.last_modified_by = "tongban"


def _masthead(doc, bulletin):
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=False)
    p.paragraph_format.space_before = Pt(12)
    _fonts(p.add_run("政务服务工作周报"), TITLE_FONT, 36, color=RED, spacing=20)
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    p.paragraph_format.space_before = Pt(12)
    _fonts(p.add_run(f"第{bulletin.number}期"), FANGSONG, BODY_PT)
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    start, end = bulletin.week_start, bulletin.week_end
    _fonts(p.add_run(f"（{start.month}月{start.day}日—{end.month}月{end.day}日）"), KAITI, BODY_PT)
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    d = bulletin.dated
    _fonts(p.add_run(f"{bulletin.issuing_unit}\t{d.year}年{d.month}月{d.day}日"), FANGSONG, 14, spacing=0)
    _border(p, "bottom", 16, "E60012")  # the red rule
    _paragraph(doc, indent=False)  # one blank line under the rule


def _heading(doc, text, font):
    p = _paragraph(doc)
    p.paragraph_format.keep_with_next = True
    _fonts(p.add_run(text), font, BODY_PT)
    return p


def _body(doc, text, *, lead=None, lead_font=KAITI):
    p = _paragraph(doc)
    if lead:
        _fonts(p.add_run(lead), lead_font, BODY_PT)
    _fonts(p.add_run(text), FANGSONG, BODY_PT)
    return p


def _distribution(doc, bulletin):
    _paragraph(doc, indent=False).paragraph_format.keep_with_next = True
    rows = [("报：", bulletin.report_to), ("发：", bulletin.send_to)]
    for i, (label, text) in enumerate(rows):
        p = _paragraph(doc, indent=False, exact=False)
        fmt = p.paragraph_format
        fmt.left_indent, fmt.right_indent = Pt(14), Pt(14)
        fmt.keep_together = fmt.keep_with_next = True  # the end block stays on one page
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing = Pt(26)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        if i == 0:
            _border(p, "top", 8)  # first rule: thick
        _border(p, "bottom", 4)  # thin rules between
        _fonts(p.add_run(label + text), FANGSONG, 14, spacing=0)
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, exact=False)
    p.paragraph_format.right_indent = Pt(14)
    p.paragraph_format.line_spacing = Pt(26)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    _border(p, "bottom", 8)  # last rule: thick
    _fonts(p.add_run(f"（共印{bulletin.copies}份）"), FANGSONG, 14, spacing=0)


def build_docx(bulletin, sections):
    """`sections`: bulletin.services.document_sections(bulletin). Returns bytes."""
    doc = Document()
    _setup(doc)
    _masthead(doc, bulletin)
    for section in sections:
        _heading(doc, section["title"], HEITI)
        for sub in section.get("subsections", [section]):
            if sub is not section:
                _heading(doc, sub["title"], KAITI)
            for para in sub["paragraphs"]:
                _body(doc, para["text"], lead=para.get("lead"))
    _distribution(doc, bulletin)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ---


def _fc_env():
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


@lru_cache(maxsize=1)
def pdf_readiness():
    """(ready, missing): what the machine lacks for PDF, as Chinese lines."""
    missing = []
    if not shutil.which("soffice"):
        missing.append("libreoffice-writer-nogui（LibreOffice，用于将 DOCX 转为 PDF）")
    if not shutil.which("fc-match"):
        missing.append("fontconfig（字体配置）")
    else:
        for windows_name, face in FONT_MAP.items():
            try:
                found = subprocess.run(
                    ["fc-match", "-f", "%{family}", windows_name],
                    env=_fc_env(),
                    capture_output=True,
                    text=True,
                    timeout=20,
                ).stdout
            except (OSError, subprocess.SubprocessError):
                found = ""
            if face not in found.split(","):
                line = FONT_PACKAGES[face]
                if line not in missing:
                    missing.append(line)
    return (not missing), missing


def pdf_missing_message():
    ready, missing = pdf_readiness()
    if ready:
        return ""
    return "本机缺少导出 PDF 所需的软件或字体：" + "；".join(missing) + "。请由系统管理员执行：" + INSTALL_COMMAND


class PdfUnavailable(Exception):
    pass


_lock = threading.Lock()


def docx_to_pdf(docx_bytes, timeout=180):
    """Render with LibreOffice headless; one conversion at a time per process
    (a private LibreOffice profile, made once and reused, keeps later
    conversions fast)."""
    ready, _ = pdf_readiness()
    if not ready:
        raise PdfUnavailable(pdf_missing_message())
    profile = Path(tempfile.gettempdir()) / f"tongban-lo-{os.getuid()}-{os.getpid()}"
    with _lock, tempfile.TemporaryDirectory(prefix="tongban-bulletin-") as work:
        source = Path(work) / "bulletin.docx"
        source.write_bytes(docx_bytes)
        env = _fc_env()
        env["HOME"] = str(profile)
        command = [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            work,
            str(source),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        target = Path(work) / "bulletin.pdf"
        if not target.exists():
            raise PdfUnavailable(f"LibreOffice 转换失败：{(done.stderr or done.stdout).strip()[:300]}")
        return target.read_bytes()
