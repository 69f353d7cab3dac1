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


# --- the centre's records: departments and the hall's windows ---
# Kept by the centre's managers and system administrators in the console
# (the Django admin admits superusers only). Saves are audited by core.signals
# with before and after; a window's staff (many-to-many) is recorded here.

FUNCTION_RULE = "职能标识只能由小写字母、数字和下划线组成，以字母开头，2至40位，如 natural_resources"
NUMBER_RULE = "窗口号只能由数字、字母和短横线组成，1至10位"


def _region(errors, code):
    """The GB/T 2260 region a code names (Sichuan's table in core.Region)."""
    import re

    from core.models import Region

    code = (code or "").strip()
    if not code:
        errors["region"] = ["所在区划为必填项，填写6位行政区划代码（GB/T 2260），如 510100"]
        return None
    if not re.fullmatch(r"\d{6}", code):
        errors["region"] = [f"所在区划“{code[:20]}”不是6位数字的行政区划代码（GB/T 2260）"]
        return None
    region = Region.objects.filter(pk=code).first()
    if region is None:
        errors["region"] = [f"所在区划代码{code}不在四川省现行行政区划代码表（GB/T 2260）中"]
    return region


def _department_fields(actor, errors, dept, *, name, short_name, function, region, parent, uscc):
    import re

    from core.regions import region_covers
    from core.validators import validate_uscc

    dept.name = _require_text(errors, "name", name, "部门名称", 80)
    short_name = (short_name or "").strip()
    if len(short_name) > 40:
        errors["short_name"] = [f"简称不能超过40个字（现为{len(short_name)}个字）"]
    dept.short_name = short_name
    function = (function or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", function):
        errors["function"] = [FUNCTION_RULE]
    dept.function = function
    found = _region(errors, region)
    if found is not None:
        if not policy.can(actor, "department.manage", Department(region_id=found.code)):
            errors["region"] = [f"所在区划{found.code}不在您的管理范围内"]
        dept.region, dept.level = found, found.level
    uscc = (uscc or "").strip().upper()
    if uscc:
        try:
            validate_uscc(uscc)
        except Exception as exc:  # Django's ValidationError, with its Chinese message
            errors["uscc"] = list(getattr(exc, "messages", [str(exc)]))
    dept.uscc = uscc
    parent_id = getattr(parent, "pk", parent) or None
    dept.parent = None
    if parent_id:
        up = Department.objects.select_related("region").filter(pk=parent_id).first()
        if up is None or not up.active:
            errors["parent"] = ["上级部门须为在用的部门"]
        elif dept.pk and up.pk == dept.pk:
            errors["parent"] = ["上级部门不能是本部门"]
        elif found is not None and not (up.region_id != found.code and region_covers(up.region_id, found.code)):
            errors["parent"] = [f"上级部门（{up.name}）所在区划须是本部门所在区划（{found.full_name}）的上级区划"]
        else:
            dept.parent = up
    if function and found is not None and "function" not in errors:
        same = Department.objects.filter(function=function, region=found).exclude(pk=dept.pk).first()
        if same is not None:
            errors["function"] = [
                f"{found.full_name}已有职能标识为 {function} 的部门（{same.name}），同一区划每种职能只设一个部门"
            ]
    return dept


@transaction.atomic
def create_department(actor, *, name, short_name="", function, region, parent=None, uscc=""):
    """A new department in a region given by its GB/T 2260 code; its level is the region's."""
    policy.require(actor, "department.manage")
    errors = {}
    dept = _department_fields(
        actor,
        errors,
        Department(),
        name=name,
        short_name=short_name,
        function=function,
        region=region,
        parent=parent,
        uscc=uscc,
    )
    _fail(errors, "部门信息有误，请按提示修改")
    dept.save()
    return dept


@transaction.atomic
def update_department(actor, dept, *, version, name, short_name="", function, region, parent=None, uscc=""):
    policy.require(actor, "department.manage", dept)
    dept = _locked(Department, dept, version, f"部门“{dept.name}”")
    errors = {}
    _department_fields(
        actor,
        errors,
        dept,
        name=name,
        short_name=short_name,
        function=function,
        region=region,
        parent=parent,
        uscc=uscc,
    )
    _fail(errors, "部门信息有误，请按提示修改")
    return _bump(dept, "name", "short_name", "function", "region", "level", "parent", "uscc")


def references_of(dept):
    """The kinds of record that name this department (staff, windows, matters,
    cases …), by their Chinese names: any one keeps it from being deleted."""
    named = []
    for rel in Department._meta.related_objects:
        model = rel.related_model
        if model._base_manager.filter(**{rel.field.name: dept}).exists():
            named.append(str(model._meta.verbose_name))
    return list(dict.fromkeys(named))


@transaction.atomic
def set_department_active(actor, dept, *, version, active):
    """Stop a department (it stays on every record that names it, and is no
    longer offered for new staff, windows or tokens), or take it back into use."""
    policy.require(actor, "department.manage", dept)
    dept = _locked(Department, dept, version, f"部门“{dept.name}”")
    if dept.active == bool(active):
        raise Conflict(f"部门“{dept.name}”已是{'在用' if dept.active else '停用'}状态")
    if not active and dept.children.filter(active=True).exists():
        names = "、".join(dept.children.filter(active=True).values_list("name", flat=True)[:3])
        raise ServiceError(f"部门“{dept.name}”还有在用的下级部门（{names}），请先停用或改挂下级部门")
    dept.active = bool(active)
    return _bump(dept, "active")


@transaction.atomic
def remove_department(actor, dept, *, version):
    """Delete a department no record names; one that is named is stopped
    instead (deleting it would orphan its history). Returns (deleted, names)."""
    policy.require(actor, "department.manage", dept)
    dept = _locked(Department, dept, version, f"部门“{dept.name}”")
    named = references_of(dept)
    if not named:
        dept.delete()
        return True, []
    if dept.active:
        if dept.children.filter(active=True).exists():
            raise ServiceError(f"部门“{dept.name}”还有在用的下级部门，不能删除或停用")
        dept.active = False
        _bump(dept, "active")
    return False, named


def _window_staff(errors, hall, staff_ids):
    from accounts.models import Role, User
    from core.regions import region_covers

    ids = []
    for value in staff_ids or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors["staff"] = ["窗口人员须从列出的窗口人员中选择"]
            return []
    users = list(User.objects.select_related("department").filter(pk__in=set(ids)))
    if len(users) != len(set(ids)):
        errors["staff"] = ["窗口人员须从列出的窗口人员中选择"]
        return []
    for user in users:
        if user.kind != User.Kind.STAFF or user.role != Role.CLERK or not user.is_active:
            errors["staff"] = [f"{user.name or user.username}不是在岗的窗口人员，只能指派角色为窗口人员的在用账户"]
            return []
        if not region_covers(hall.region_id, user.department.region_id):
            errors["staff"] = [f"{user.name}所在部门不在{hall.name}所在区划内"]
            return []
    return users


def _window_fields(actor, errors, window, *, number, name, kind, department):
    import re

    from core.regions import region_covers

    from .models import Window

    number = (number or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z-]{1,10}", number):
        errors["number"] = [NUMBER_RULE]
    elif Window.objects.filter(hall=window.hall, number=number).exclude(pk=window.pk).exists():
        errors["number"] = [f"窗口号{number}在{window.hall.name}已被使用，同一大厅窗口号不能重复"]
    window.number = number
    window.name = _require_text(errors, "name", name, "窗口名称", 80)
    if kind not in Window.Kind.values:
        errors["kind"] = ["类型须为综合窗口、专窗或统一出件窗口"]
    window.kind = kind
    department_id = getattr(department, "pk", department) or None
    window.department = None
    if kind == Window.Kind.DEDICATED:
        dept = Department.objects.filter(pk=department_id, active=True).first() if department_id else None
        if dept is None:
            errors["department"] = ["专窗须指定进驻部门（在用的部门）"]
        elif not region_covers(window.hall.region_id, dept.region_id):
            errors["department"] = [f"进驻部门（{dept.name}）不在{window.hall.name}所在区划内"]
        else:
            window.department = dept
    elif department_id and kind in Window.Kind.values:
        errors["department"] = [f"{Window.Kind(kind).label}受理各部门事项，不指定进驻部门"]
    return window


def _record_staff(window, before, after):
    if before != after:
        audit.record(
            "update",
            window,
            before={"staff": before},
            after={"staff": after},
        )


def _staff_names(users):
    return sorted(f"{u.name}（{u.username}）" for u in users)


@transaction.atomic
def create_window(actor, *, hall, number, name, kind, department=None, staff=()):
    from .models import Window

    policy.require(actor, "window.manage", hall)
    errors = {}
    window = _window_fields(
        actor, errors, Window(hall=hall), number=number, name=name, kind=kind, department=department
    )
    users = _window_staff(errors, hall, staff)
    _fail(errors, "窗口信息有误，请按提示修改")
    window.save()
    window.staff.set(users)
    _record_staff(window, [], _staff_names(users))
    return window


@transaction.atomic
def update_window(actor, window, *, version, number, name, kind, department=None, active=True, staff=()):
    """Edit a window and who works it; a window is stopped (启用 off), never deleted."""
    from .models import Window

    policy.require(actor, "window.manage", window)
    window = _locked(Window.objects.select_related("hall"), window, version, f"窗口“{window}”")
    errors = {}
    _window_fields(actor, errors, window, number=number, name=name, kind=kind, department=department)
    users = _window_staff(errors, window.hall, staff)
    _fail(errors, "窗口信息有误，请按提示修改")
    window.active = bool(active)
    before = _staff_names(window.staff.all())
    window = _bump(window, "number", "name", "kind", "department", "active")
    window.staff.set(users)
    _record_staff(window, before, _staff_names(users))
    return window
