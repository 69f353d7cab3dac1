"""Hall operations: activity reports, leaders on duty and key work.

Every change goes through a function here: it checks who acts (accounts.policy),
validates everything first (Chinese field errors), and saves in one transaction
with the row locked; a stale `version` gets a Conflict. Key work's figures are
read live through the figure registry (core.figures) that the owning apps
fill in, never typed in and never imported from those apps.
"""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts import policy
from core import audit, figures, locking
from core.errors import Conflict, ServiceError
from core.models import Department

from .models import ActivityPhoto, ActivityReport, DutyShift, KeyWork, KeyWorkNote

State = ActivityReport.State
PHOTO_TYPES = [("image/jpeg", ".jpg", b"\xff\xd8\xff"), ("image/png", ".png", b"\x89PNG\r\n\x1a\n")]
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 6


def monday_of(day):
    return day - dt.timedelta(days=day.weekday())


def _require_text(errors, field, value, label, limit=None):
    value = (value or "").strip()
    if not value:
        errors[field] = [f"{label}为必填项"]
    elif limit and len(value) > limit:
        errors[field] = [f"{label}不能超过{limit}个字（现为{len(value)}个字）"]
    return value


def _require_date(errors, field, value, label):
    if not isinstance(value, dt.date):
        errors[field] = [f"{label}为必填项，格式为 YYYY-MM-DD"]
        return None
    if value.year < 2000 or value > timezone.localdate() + dt.timedelta(days=366):
        errors[field] = [f"{label}{value}超出可登记的范围"]
    return value


def _fail(errors, message="提交的数据有误，请按提示修改"):
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(first if len(errors) == 1 else message, errors=errors)


def _locked(model, obj, version, what):
    return locking.lock(model, obj.pk, version, f"{what}已被他人修改，请刷新后再改")


def _bump(obj, *fields):
    return locking.bump(obj, *fields)


# --- activity reports ---


def _photo_problem(upload):
    if upload.size == 0:
        return f"照片“{upload.name}”为空文件"
    if upload.size > PHOTO_MAX_BYTES:
        return f"照片“{upload.name}”超过{PHOTO_MAX_BYTES // (1024 * 1024)} MB 的上限"
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for _, _, magic in PHOTO_TYPES):
        return f"照片“{upload.name}”不是 JPEG 或 PNG 图片（按文件内容判断）"
    return ""


def _activity_fields(errors, *, date, title, text, kind):
    date = _require_date(errors, "date", date, "日期")
    title = _require_text(errors, "title", title, "标题", 100)
    text = _require_text(errors, "text", text, "内容", 2000)
    if kind not in ActivityReport.Kind.values:
        errors["kind"] = ["请选择类别：" + "、".join(ActivityReport.Kind.labels)]
    return date, title, text


def submit_activity(actor, *, date, title, text, kind, window=None, photos=()):
    """A window or department sends in an item; it waits for the editor."""
    policy.require(actor, "activity.submit")
    errors = {}
    date, title, text = _activity_fields(errors, date=date, title=title, text=text, kind=kind)
    if getattr(actor, "department", None) is None:
        errors["department"] = ["报送人未关联部门，不能报送"]
    if window is not None and not window.active:
        errors["window"] = [f"窗口{window.number}已停用"]
    photos = list(photos or [])
    if len(photos) > PHOTO_MAX_COUNT:
        errors["photos"] = [f"照片最多{PHOTO_MAX_COUNT}张"]
    else:
        problems = [p for p in (_photo_problem(u) for u in photos) if p]
        if problems:
            errors["photos"] = problems
    _fail(errors)
    written = []
    try:
        with transaction.atomic():
            report = ActivityReport.objects.create(
                date=date,
                title=title,
                text=text,
                kind=kind,
                department=actor.department,
                window=window,
                submitted_by=actor,
                submitted_at=timezone.now(),
            )
            for upload in photos:
                written.append(_store_photo(report, upload))
    except Exception:
        for photo in written:
            photo.file.storage.delete(photo.file.name)
        raise
    return report


def _store_photo(report, upload):
    head = upload.read(16)
    upload.seek(0)
    content_type, extension = next((t, e) for t, e, magic in PHOTO_TYPES if head.startswith(magic))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    photo = ActivityPhoto(
        report=report,
        original_name=(upload.name or "")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    photo.file.save(secrets.token_hex(16) + extension, upload, save=False)
    photo.save()
    return photo


@transaction.atomic
def edit_activity(actor, report, *, version, date, title, text, kind):
    """The editor tidies an item's wording before accepting it."""
    policy.require(actor, "activity.edit")
    report = _locked(ActivityReport, report, version, f"动态“{report.title}”")
    errors = {}
    date, title, text = _activity_fields(errors, date=date, title=title, text=text, kind=kind)
    _fail(errors)
    report.date, report.title, report.text, report.kind = date, title, text, kind
    return _bump(report, "date", "title", "text", "kind")


@transaction.atomic
def accept_activity(actor, report, *, version):
    policy.require(actor, "activity.edit")
    report = _locked(ActivityReport, report, version, f"动态“{report.title}”")
    if report.state == State.ACCEPTED:
        raise Conflict(f"动态“{report.title}”已被采用")
    report.state, report.decided_by, report.decided_at, report.comment = State.ACCEPTED, actor, timezone.now(), ""
    return _bump(report, "state", "decided_by", "decided_at", "comment")


@transaction.atomic
def return_activity(actor, report, *, version, comment):
    policy.require(actor, "activity.edit")
    report = _locked(ActivityReport, report, version, f"动态“{report.title}”")
    errors = {}
    comment = _require_text(errors, "comment", comment, "退回意见", 500)
    _fail(errors)
    if report.state != State.SUBMITTED:
        raise Conflict(f"动态“{report.title}”当前为“{report.get_state_display()}”，不能退回")
    report.state, report.decided_by, report.decided_at, report.comment = State.RETURNED, actor, timezone.now(), comment
    with audit.because(comment):
        return _bump(report, "state", "decided_by", "decided_at", "comment")


@transaction.atomic
def resubmit_activity(actor, report, *, version, date, title, text, kind):
    """The sender fixes a returned item and sends it again."""
    policy.require(actor, "activity.submit")
    report = _locked(ActivityReport, report, version, f"动态“{report.title}”")
    if report.submitted_by_id != actor.pk:
        raise ServiceError("只能修改本人报送的动态", status=403, code="forbidden")
    if report.state != State.RETURNED:
        raise Conflict(f"动态“{report.title}”当前为“{report.get_state_display()}”，不能重新报送")
    errors = {}
    date, title, text = _activity_fields(errors, date=date, title=title, text=text, kind=kind)
    _fail(errors)
    report.date, report.title, report.text, report.kind = date, title, text, kind
    report.state, report.submitted_at = State.SUBMITTED, timezone.now()
    return _bump(report, "date", "title", "text", "kind", "state", "submitted_at")


def accepted_activities(start, end):
    return (
        ActivityReport.objects.filter(state=State.ACCEPTED, date__range=(start, end))
        .select_related("department")
        .order_by("date", "pk")
    )


# --- leaders on duty ---


def _shift_fields(errors, *, leader_name, leader_title, department, date, window):
    leader_name = _require_text(errors, "leader_name", leader_name, "姓名", 40)
    leader_title = _require_text(errors, "leader_title", leader_title, "职务", 80)
    if not isinstance(department, Department):
        errors["department"] = ["部门为必填项"]
    date = _require_date(errors, "date", date, "值守日期")
    if date and date.weekday() >= 5:
        errors.setdefault("date", []).append(f"{date}是周末，值守安排在工作日")
    if window is not None and not window.active:
        errors["window"] = [f"窗口{window.number}已停用"]
    return leader_name, leader_title, date


@transaction.atomic
def schedule_duty(actor, *, leader_name, leader_title, department, date, window=None):
    policy.require(actor, "duty.manage")
    errors = {}
    leader_name, leader_title, date = _shift_fields(
        errors, leader_name=leader_name, leader_title=leader_title, department=department, date=date, window=window
    )
    if not errors and DutyShift.objects.filter(leader_name=leader_name, department=department, date=date).exists():
        errors["date"] = [f"{leader_name}在{date}已有值守安排"]
    _fail(errors)
    return DutyShift.objects.create(
        leader_name=leader_name, leader_title=leader_title, department=department, date=date, window=window
    )


@transaction.atomic
def sign_in_duty(actor, shift, *, version, at=None):
    """The leader arrives: a clerk (or the leader's department) records it."""
    policy.require(actor, "duty.sign")
    shift = _locked(DutyShift, shift, version, f"{shift.leader_name}的值守安排")
    if shift.signed_in_at:
        raise Conflict(f"{shift.leader_name}已于{timezone.localtime(shift.signed_in_at):%H:%M}签到")
    at = at or timezone.now()
    if timezone.localdate(at) != shift.date:
        raise ServiceError(f"值守日期为{shift.date}，只能在当天签到", errors={"date": ["只能在值守当天签到"]})
    shift.signed_in_at, shift.signed_in_by = at, actor
    return _bump(shift, "signed_in_at", "signed_in_by")


@transaction.atomic
def record_duty_notes(actor, shift, *, version, notes):
    if not (policy.can(actor, "duty.sign") or policy.can(actor, "duty.manage")):
        policy.require(actor, "duty.sign")
    shift = _locked(DutyShift, shift, version, f"{shift.leader_name}的值守安排")
    errors = {}
    notes = _require_text(errors, "notes", notes, "值守情况", 1000)
    if not shift.signed_in_at and not policy.can(actor, "duty.manage"):
        errors["notes"] = ["请先签到，再记录值守情况"]
    _fail(errors)
    shift.notes = notes
    return _bump(shift, "notes")


def shifts_between(start, end):
    return DutyShift.objects.filter(date__range=(start, end)).select_related("department", "window")


# --- key work ---


@transaction.atomic
def save_key_work(actor, *, name, order=0, sources=(), active=True, key_work=None, version=None):
    policy.require(actor, "keywork.edit")
    errors = {}
    name = _require_text(errors, "name", name, "名称", 60)
    sources = list(sources or [])
    unknown = [s for s in sources if figures.get(s) is None]
    if unknown:
        errors["sources"] = ["未知的数据来源：" + "、".join(unknown)]
    same = KeyWork.objects.filter(name=name)
    if key_work is not None:
        same = same.exclude(pk=key_work.pk)
    if name and same.exists():
        errors["name"] = [f"已有名为“{name}”的重点工作"]
    _fail(errors)
    if key_work is None:
        return KeyWork.objects.create(name=name, order=order, sources=sources, active=active)
    key_work = _locked(KeyWork, key_work, version, f"重点工作“{key_work.name}”")
    key_work.name, key_work.order, key_work.sources, key_work.active = name, order, sources, active
    return _bump(key_work, "name", "order", "sources", "active")


@transaction.atomic
def save_key_work_note(actor, key_work, *, week_start, text, version=None):
    """The week's progress note: one per key work and week (saving again updates it)."""
    policy.require(actor, "keywork.edit")
    errors = {}
    text = _require_text(errors, "text", text, "本周进展", 1500)
    if not isinstance(week_start, dt.date):
        errors["week_start"] = ["所在周为必填项"]
    _fail(errors)
    week_start = monday_of(week_start)
    note = KeyWorkNote.objects.select_for_update().filter(key_work=key_work, week_start=week_start).first()
    if note is None:
        if version:
            raise Conflict("该周进展已被删除或移动，请刷新后再改")
        return KeyWorkNote.objects.create(key_work=key_work, week_start=week_start, text=text, author=actor)
    locking.check_version(note, version, f"“{key_work.name}”本周进展已被他人修改，请刷新后再改")
    note.text, note.author = text, actor
    return _bump(note, "text", "author", "updated_at")


def live_figures(key_work, start=None, end=None):
    """The platform's own figures for a key work, read now through the figure
    registry (core.figures) for the period [start, end] (default: this week).
    Each entry: key, label, available, value, values, text, phrase (the
    bulletin's sentence), message."""
    return [figure_source(source, start, end) for source in key_work.sources]


def figure_source(source, start=None, end=None):
    got = figures.read(source, start, end)
    if got["available"]:
        got["phrase"] = got["sentence"].replace("{" + source + "}", got["text"])
    return got
