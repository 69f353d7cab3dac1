"""The weekly bulletin: build a week's draft from the platform's records,
edit it, refresh its figures, export and issue it.

A draft is blocks (paragraphs) per section. Blocks the platform generated
remember their source (activity:12, duty, windows, …); the figures they show
are `{key}` placeholders whose values are stored with their source and when
they were computed. Refreshing recomputes every figure, regenerates the
blocks nobody edited, adds blocks for new sources, and keeps every word the
editor wrote. Issuing stores the DOCX and PDF bytes; an issued bulletin is
read-only and downloads as issued.
"""

import datetime as dt
import hashlib
import re
import time
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import policy
from cases import stats
from core import figures, locking
from core.errors import Conflict, ServiceError
from hall import services as hall
from hall.models import KeyWork, KeyWorkNote

from . import render
from .models import Block, Bulletin, BulletinFile, DistributionList

Section = Block.Section
ISSUING_UNIT = "四川省政府政务服务和公共资源交易服务中心"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
WINDOW_FIGURES = {
    "consultations": "咨询（人次）",
    "acceptances": "受理（件）",
    "certificates": "颁发（件）",
    "transfers": "流转（件次）",
}


class _Labels(Mapping):
    """The figures a paragraph may cite: section 四's counts and whatever the
    apps publish in the figure registry (read when asked, after every app's ready())."""

    def _all(self):
        return {
            **{f"week_{k}": f"本周{v}" for k, v in WINDOW_FIGURES.items()},
            **{f"year_{k}": f"今年以来{v}" for k, v in WINDOW_FIGURES.items()},
            **dict(figures.choices()),
        }

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


FIGURE_LABELS = _Labels()
# What 咨询 counts (cases.stats): consultations registered by staff, and online
# policy questions counted once per asker and question a day.
CONSULTATION_NOTE = "（咨询人次含窗口、12345热线登记的咨询和网上政策咨询，网上政策咨询同一人同一问题每日计一次。）"
WINDOWS_TEMPLATE = (
    "本周，共计咨询{week_consultations}人次、受理{week_acceptances}件、颁发{week_certificates}件、"
    "流转{week_transfers}件次。今年以来，累计咨询{year_consultations}人次、受理{year_acceptances}件、"
    "颁发{year_certificates}件、流转{year_transfers}件次。" + CONSULTATION_NOTE
)
OTHER_TEMPLATE = "持续开展受理工作手册梳理、审核工作。目前，{manual_progress}（单位）窗口。"
SECTION_TITLES = {
    Section.ACTIVITY: "一、政务工作动态",
    Section.KEY_WORK: "二、重点工作推进情况",
    Section.DUTY: "三、厅（局）长进大厅",
    "reform": "四、综窗改革攻坚行动",
    Section.WINDOWS: "（一）省本级综窗办件情况",
    Section.OTHER: "（二）其他工作开展情况",
}


def week_of(day):
    """The bulletin's week: the dashboard's 本周 (stats.Period.week_of),
    Monday to Friday or to a make-up working Saturday or Sunday (调休上班)."""
    week = stats.Period.week_of(day)
    return week.start, week.end


# --- figures ---


def compute_figures(bulletin):
    """Every figure a block may show, computed now: key → {value, text, source, computed_at, available}."""
    now = timezone.now().isoformat()
    week = stats.Period(bulletin.week_start, bulletin.week_end)
    year = week.year_to_end()
    out = {}
    for prefix, period in (("week", week), ("year", year)):
        for name, value in stats.figures(period).items():
            out[f"{prefix}_{name}"] = {
                "value": value,
                "text": str(value),
                "available": True,
                "computed_at": now,
                "source": f"cases.stats.figures:{name}:{period.start}..{period.end}",
            }
    for source in figures.keys():  # the figure registry: each app publishes its own
        got = figures.read(source, bulletin.week_start, bulletin.week_end)
        out[source] = {
            "value": got["value"],
            "text": got["text"],
            "available": got["available"],
            "message": got.get("message", ""),
            "computed_at": now,
            "source": f"figures.{source}:{bulletin.week_start}..{bulletin.week_end}",
        }
    return out


def render_text(block):
    figures = block.figures or {}

    def value(match):
        figure = figures.get(match.group(1))
        if figure is None:
            return match.group(0)
        return figure["text"] if figure.get("available", True) else ""

    return PLACEHOLDER.sub(value, block.template)


def _keys(template):
    return PLACEHOLDER.findall(template)


# --- generated blocks ---


def _generated(bulletin):
    """What the platform would write for this week: (section, source, heading, template) in order."""
    start, end = bulletin.week_start, bulletin.week_end
    out = []
    for report in hall.accepted_activities(start, end):
        out.append((Section.ACTIVITY, f"activity:{report.pk}", "", report.text.strip()))
    notes = {n.key_work_id: n for n in KeyWorkNote.objects.filter(week_start=start)}
    for key_work in KeyWork.objects.filter(active=True):
        note = notes.get(key_work.pk)
        text = note.text.strip() if note else ""
        for source in key_work.sources:
            got = figures.read(source, start, end)
            if got["available"]:
                text += got["sentence"]
        if text:
            out.append((Section.KEY_WORK, f"key_work:{key_work.pk}", key_work.name, text))
    shifts = list(hall.shifts_between(start, end))
    if shifts:
        names = "，".join(
            dict.fromkeys(
                f"{s.department.short_name or s.department.name}{s.leader_title}{s.leader_name}" for s in shifts
            )
        )
        text = f"本周，{names}到省政务服务大厅窗口值守。"
        handled = [s.notes.strip().rstrip("。；") for s in shifts if s.notes.strip()]
        if handled:
            text += "值守期间，" + "；".join(handled) + "。"
        out.append((Section.DUTY, "duty", "", text))
    out.append((Section.WINDOWS, "windows", "", WINDOWS_TEMPLATE))
    out.append((Section.OTHER, "other", "", OTHER_TEMPLATE))
    return out


def _sync(bulletin):
    """Refresh figures, regenerate untouched blocks, add new ones, drop untouched
    ones whose source is gone; the editor's own and edited blocks stay."""
    figures = compute_figures(bulletin)
    existing = {b.source: b for b in bulletin.blocks.exclude(source="")}
    wanted = _generated(bulletin)
    wanted_sources = {source for _, source, _, _ in wanted}
    for block in existing.values():
        if block.source not in wanted_sources and not block.edited:
            block.delete()
    next_order = {}
    for section, order in bulletin.blocks.values_list("section").annotate(m=Max("order")):
        next_order[section] = order + 1
    for section, source, heading, template in wanted:
        block = existing.get(source)
        if block is None:
            order = next_order.get(section, 0)
            next_order[section] = order + 1
            block = Block(bulletin=bulletin, section=section, order=order, source=source)
        if block.pk is None or not block.edited:
            block.heading, block.template = heading, template
        block.figures = {key: figures[key] for key in _keys(block.template) if key in figures}
        if block.pk is not None:
            block.version += 1
        block.save()
    for block in bulletin.blocks.filter(source=""):
        keys = [k for k in _keys(block.template) if k in figures]
        if keys:
            block.figures = {k: figures[k] for k in keys}
            block.version += 1
            block.save(update_fields=["figures", "version"])
    return figures


def _draft(bulletin, version):
    fresh = locking.lock(Bulletin, bulletin.pk)
    if fresh.state != Bulletin.State.DRAFT:
        raise Conflict(f"{fresh}已印发，不能再修改")
    return locking.check_version(fresh, version, f"{fresh}已被他人修改，请刷新页面后再改")


def _touch(bulletin, *fields):
    return locking.bump(bulletin, *fields)


@transaction.atomic
def build_draft(actor, *, week_start, dated=None, number=None, distribution=None):
    """The editor's draft for a working week (Monday to Friday)."""
    policy.require(actor, "bulletin.edit")
    if not isinstance(week_start, dt.date):
        raise ServiceError("请选择周报所属的周", errors={"week_start": ["周一日期为必填项，格式为 YYYY-MM-DD"]})
    start, end = week_of(week_start)
    existing = Bulletin.objects.filter(week_start=start).first()
    if existing is not None:
        raise ServiceError(
            f"{start:%Y-%m-%d}所在周的周报已存在（{existing}）",
            errors={"week_start": [f"该周已有周报：{existing}，请打开它继续编辑"]},
            code="exists",
        )
    year = end.year
    if number is None:
        number = (Bulletin.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0) + 1
    elif Bulletin.objects.filter(year=year, number=number).exists():
        raise ServiceError(f"{year}年第{number}期已存在", errors={"number": [f"{year}年第{number}期已被占用"]})
    distribution = distribution or DistributionList.objects.first()
    now = timezone.now()
    bulletin = Bulletin.objects.create(
        year=year,
        number=number,
        week_start=start,
        week_end=end,
        issuing_unit=ISSUING_UNIT,
        dated=dated or max(timezone.localdate(), end),
        built_by=actor,
        built_at=now,
        refreshed_at=now,
        report_to=distribution.report_to if distribution else "",
        send_to=distribution.send_to if distribution else "",
        copies=distribution.copies if distribution else 0,
    )
    _sync(bulletin)
    return bulletin


@transaction.atomic
def refresh(actor, bulletin, *, version):
    """Recompute the figures and regenerate what nobody edited."""
    policy.require(actor, "bulletin.edit")
    bulletin = _draft(bulletin, version)
    _sync(bulletin)
    bulletin.refreshed_at = timezone.now()
    return _touch(bulletin, "refreshed_at")


@transaction.atomic
def update_header(actor, bulletin, *, version, number, dated, issuing_unit, report_to, send_to, copies):
    policy.require(actor, "bulletin.edit")
    bulletin = _draft(bulletin, version)
    errors = {}
    if not isinstance(number, int) or number < 1:
        errors["number"] = ["期号应为正整数"]
    elif Bulletin.objects.filter(year=bulletin.year, number=number).exclude(pk=bulletin.pk).exists():
        errors["number"] = [f"{bulletin.year}年第{number}期已被占用"]
    if not isinstance(dated, dt.date):
        errors["dated"] = ["印发日期为必填项，格式为 YYYY-MM-DD"]
    elif dated < bulletin.week_start:
        errors["dated"] = [f"印发日期不能早于所报周的周一（{bulletin.week_start}）"]
    issuing_unit = (issuing_unit or "").strip()
    if not issuing_unit:
        errors["issuing_unit"] = ["印发单位为必填项"]
    elif len(issuing_unit) > 30:
        errors["issuing_unit"] = ["印发单位不能超过30个字，否则版头一行排不下"]
    if not (report_to or "").strip():
        errors["report_to"] = ["“报”送范围为必填项"]
    if not (send_to or "").strip():
        errors["send_to"] = ["“发”送范围为必填项"]
    if not isinstance(copies, int) or not 1 <= copies <= 10000:
        errors["copies"] = ["印数应为1至10000之间的整数"]
    if errors:
        raise ServiceError("版头或分送信息有误，请按提示修改", errors=errors)
    bulletin.number, bulletin.dated, bulletin.issuing_unit = number, dated, issuing_unit
    bulletin.report_to, bulletin.send_to, bulletin.copies = report_to.strip(), send_to.strip(), copies
    return _touch(bulletin, "number", "dated", "issuing_unit", "report_to", "send_to", "copies")


@transaction.atomic
def apply_distribution(actor, bulletin, *, version, distribution):
    policy.require(actor, "bulletin.edit")
    bulletin = _draft(bulletin, version)
    bulletin.report_to, bulletin.send_to, bulletin.copies = (
        distribution.report_to,
        distribution.send_to,
        distribution.copies,
    )
    return _touch(bulletin, "report_to", "send_to", "copies")


def _check_template(errors, template, figures):
    template = (template or "").strip()
    if not template:
        errors["template"] = ["正文为必填项"]
    elif len(template) > 3000:
        errors["template"] = [f"正文不能超过3000字（现为{len(template)}字）"]
    else:
        unknown = [k for k in _keys(template) if k not in figures]
        if unknown:
            errors["template"] = [
                "正文中的"
                + "、".join("{" + k + "}" for k in unknown)
                + "不是平台数据，可用："
                + "、".join("{" + k + "}" for k in FIGURE_LABELS)
            ]
    return template


@transaction.atomic
def edit_block(actor, block, *, version, template, heading=""):
    """The editor rewrites a paragraph; it is then kept as written on refresh
    (its `{key}` figures still update)."""
    policy.require(actor, "bulletin.edit")
    _draft(block.bulletin, None)
    blocks = Block.objects.select_related("bulletin")
    block = locking.lock(blocks, block.pk, version, "这一段已被他人修改，请刷新页面后再改", required=True)
    errors = {}
    figures = {**compute_figures(block.bulletin), **(block.figures or {})}
    template = _check_template(errors, template, figures)
    heading = (heading or "").strip()
    if len(heading) > 60:
        errors["heading"] = ["小标题不能超过60个字"]
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], errors=errors)
    block.template, block.heading, block.edited = template, heading, True
    block.figures = {k: figures[k] for k in _keys(template)}
    block.version += 1
    block.save()
    _touch(Bulletin.objects.get(pk=block.bulletin_id))
    return block


@transaction.atomic
def add_block(actor, bulletin, *, version, section, template, heading=""):
    policy.require(actor, "bulletin.edit")
    bulletin = _draft(bulletin, version)
    errors = {}
    if section not in Section.values:
        errors["section"] = ["请选择栏目"]
    figures = compute_figures(bulletin)
    template = _check_template(errors, template, figures)
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], errors=errors)
    order = (bulletin.blocks.filter(section=section).aggregate(m=Max("order"))["m"] or 0) + 1
    block = Block.objects.create(
        bulletin=bulletin,
        section=section,
        order=order,
        heading=(heading or "").strip(),
        template=template,
        edited=True,
        figures={k: figures[k] for k in _keys(template)},
    )
    _touch(bulletin)
    return block


@transaction.atomic
def delete_block(actor, block, *, version):
    policy.require(actor, "bulletin.edit")
    _draft(block.bulletin, None)
    block = locking.lock(Block, block.pk, version, "这一段已被他人修改，请刷新页面后再改", required=True)
    bulletin = block.bulletin
    block.delete()
    return _touch(Bulletin.objects.get(pk=bulletin.pk))


# --- the document ---


def document_sections(bulletin):
    """The bulletin's text, section by section, as the export writes it."""
    blocks = list(bulletin.blocks.all())
    by = {s: [b for b in blocks if b.section == s] for s in Section.values}

    def paragraphs(section, numbered=False, lead_headings=False):
        out = []
        for i, block in enumerate(by[section], start=1):
            text = render_text(block).strip()
            if not text:
                continue
            lead = None
            if lead_headings and block.heading:
                lead = f"（{render.cn_number(i)}）{block.heading}。"
            elif numbered and len(by[section]) > 1:
                text = f"（{render.cn_number(i)}）{text}"
            out.append({"text": text, "lead": lead, "block": block})
        return out

    return [
        {"title": SECTION_TITLES[Section.ACTIVITY], "paragraphs": paragraphs(Section.ACTIVITY, numbered=True)},
        {
            "title": SECTION_TITLES[Section.KEY_WORK],
            "paragraphs": paragraphs(Section.KEY_WORK, numbered=True, lead_headings=True),
        },
        {"title": SECTION_TITLES[Section.DUTY], "paragraphs": paragraphs(Section.DUTY)},
        {
            "title": SECTION_TITLES["reform"],
            "paragraphs": [],
            "subsections": [
                {"title": SECTION_TITLES[Section.WINDOWS], "paragraphs": paragraphs(Section.WINDOWS)},
                {"title": SECTION_TITLES[Section.OTHER], "paragraphs": paragraphs(Section.OTHER)},
            ],
        },
    ]


def docx_bytes(bulletin):
    return render.build_docx(bulletin, document_sections(bulletin))


def export_pdf(bulletin_id):
    """Render the bulletin's current version to PDF and keep it (the task's work)."""
    bulletin = Bulletin.objects.get(pk=bulletin_id)
    version = bulletin.version
    started = time.perf_counter()
    content = render.docx_to_pdf(docx_bytes(bulletin))
    seconds = time.perf_counter() - started
    with transaction.atomic():
        BulletinFile.objects.filter(bulletin=bulletin, kind="pdf", issued=False).delete()
        record = BulletinFile.objects.create(
            bulletin=bulletin,
            kind="pdf",
            bulletin_version=version,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            seconds=seconds,
        )
    return record


def current_pdf(bulletin):
    return BulletinFile.objects.filter(
        bulletin=bulletin, kind="pdf", issued=False, bulletin_version=bulletin.version
    ).first()


def issue(actor, bulletin, *, version):
    """Issue the bulletin: its DOCX and PDF are stored as issued and it becomes
    read-only. The PDF already rendered for this version is used; otherwise
    it is rendered now (when the machine can)."""
    policy.require(actor, "bulletin.issue")
    if bulletin.state != Bulletin.State.DRAFT:
        raise Conflict(f"{bulletin}已印发")
    locking.check_version(bulletin, version, f"{bulletin}已被他人修改，请刷新页面后再印发", required=True)
    docx = docx_bytes(bulletin)
    pdf = current_pdf(bulletin)
    pdf_content = bytes(pdf.content) if pdf else None
    if pdf_content is None and render.pdf_readiness()[0]:
        pdf_content = render.docx_to_pdf(docx)
    with transaction.atomic():
        bulletin = _draft(bulletin, version)
        errors = {}
        if not bulletin.report_to or not bulletin.send_to or not bulletin.copies:
            errors["report_to"] = ["印发前请填写分送范围（报、发）和印数"]
        if not bulletin.blocks.exists():
            errors["blocks"] = ["周报没有正文，不能印发"]
        if errors:
            raise ServiceError(next(iter(errors.values()))[0], errors=errors)
        for kind, content in (("docx", docx), ("pdf", pdf_content)):
            if content is not None:
                BulletinFile.objects.create(
                    bulletin=bulletin,
                    kind=kind,
                    bulletin_version=bulletin.version + 1,
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    issued=True,
                )
        BulletinFile.objects.filter(bulletin=bulletin, issued=False).delete()
        bulletin.state, bulletin.issued_by, bulletin.issued_at = Bulletin.State.ISSUED, actor, timezone.now()
        return _touch(bulletin, "state", "issued_by", "issued_at")


# --- distribution lists ---


@transaction.atomic
def save_distribution_list(actor, *, name, report_to, send_to, copies, is_default=False, instance=None, version=None):
    policy.require(actor, "bulletin.edit")
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["名称为必填项"]
    elif DistributionList.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [f"已有名为“{name}”的分送范围"]
    if not (report_to or "").strip():
        errors["report_to"] = ["“报”送范围为必填项"]
    if not (send_to or "").strip():
        errors["send_to"] = ["“发”送范围为必填项"]
    if not isinstance(copies, int) or not 1 <= copies <= 10000:
        errors["copies"] = ["印数应为1至10000之间的整数"]
    if errors:
        raise ServiceError("分送范围信息有误，请按提示修改", errors=errors)
    if is_default:
        DistributionList.objects.exclude(pk=getattr(instance, "pk", None)).update(is_default=False)
    if instance is None:
        return DistributionList.objects.create(
            name=name, report_to=report_to.strip(), send_to=send_to.strip(), copies=copies, is_default=is_default
        )
    instance = locking.lock(
        DistributionList, instance.pk, version, lambda d: f"分送范围“{d.name}”已被他人修改，请刷新后再改"
    )
    instance.name, instance.report_to, instance.send_to = name, report_to.strip(), send_to.strip()
    instance.copies, instance.is_default = copies, is_default
    instance.version += 1
    instance.save()
    return instance
