"""Acceptance manuals (受理工作手册): drafting, review and confirmation.

The department drafts a manual for each situation (梳理 → drafted); the centre
reviews it (审核) and approves it (reviewed) or returns it with comments
(returned); the department confirms it (确认 → confirmed). Every edit is a
new version and every step a record. Each action names the version it was
based on: if someone saved a newer version meanwhile, the action is refused
with `Conflict` and nothing is lost.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts import policy
from core.errors import Conflict, ServiceError
from core.models import Department

from .models import Manual, ManualStep, ManualVersion, Situation

STALE = "该手册已被{who}于{when}保存为第{number}版，您编辑的是第{base}版。您填写的内容仍保留在表单中，请对照最新版本后再保存"


def _actor_name(user):
    if user is None:
        return "系统"
    name = getattr(user, "name", "") or user.get_username()
    department = getattr(getattr(user, "department", None), "short_name", "") or ""
    return f"{name}（{department}）" if department else name


def _lines(value):
    return "\n".join(line.strip() for line in str(value or "").splitlines() if line.strip())


def _stale(manual, base):
    latest = manual.versions.order_by("-number").first()
    when = timezone.localtime(latest.created_at).strftime("%Y-%m-%d %H:%M") if latest else ""
    who = latest.author_name if latest else "他人"
    message = STALE.format(who=who, when=when, number=manual.version, base=base)
    return Conflict(message, errors={"version": [message]})


@transaction.atomic
def save_draft(actor, situation, data, *, base_version):
    """Save a new version of the situation's manual (创建或修改梳理稿).

    data: steps, checks ({material id: text}), refusal_reasons,
    correction_reasons, legal_basis, note. `base_version` is the version the
    editor started from (0 for a new manual)."""
    situation = Situation.objects.select_related("matter__department").get(pk=situation.pk)
    policy.require(actor, "manual.draft", situation.matter)
    materials = list(situation.materials.all())
    checks_in = data.get("checks") or {}
    errors = {}
    steps = _lines(data.get("steps"))
    if not steps:
        errors["steps"] = ["受理步骤：请填写受理步骤，每行一步"]
    checks = []
    for material in materials:
        text = str(checks_in.get(material.pk, checks_in.get(str(material.pk), "")) or "").strip()
        if not text:
            errors.setdefault(f"check_{material.pk}", []).append(f"材料审查要点：请填写“{material.name}”的审查要点")
        checks.append({"material_id": material.pk, "material": material.name, "check": text})
    refusals = _lines(data.get("refusal_reasons"))
    corrections = _lines(data.get("correction_reasons"))
    if not refusals:
        errors["refusal_reasons"] = ["常见不予受理情形：请至少填写一条"]
    if not corrections:
        errors["correction_reasons"] = ["常见补正情形：请至少填写一条"]
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = ["修改说明：不能超过200字"]
    try:
        base = int(base_version)
    except (TypeError, ValueError):
        base = -1
    manual = Manual.objects.select_for_update().filter(situation=situation).first()
    current = manual.version if manual else 0
    if base != current:
        if manual is None:
            raise Conflict("版本信息有误，请刷新页面后再保存", errors={"version": ["版本信息有误"]})
        raise _stale(manual, base)
    if errors:
        raise ServiceError("手册内容不完整，请按提示补充", errors=errors)
    now = timezone.now()
    if manual is None:
        try:
            with transaction.atomic():
                manual = Manual.objects.create(
                    situation=situation, state=Manual.State.DRAFTED, version=0, updated_at=now
                )
        except IntegrityError:
            # Someone else started this manual a moment ago.
            raise _stale(Manual.objects.get(situation=situation), base) from None
    manual.version += 1
    manual.state = Manual.State.DRAFTED
    manual.updated_at = now
    manual.save()
    name = _actor_name(actor)
    ManualVersion.objects.create(
        manual=manual,
        number=manual.version,
        steps=steps,
        checks=checks,
        refusal_reasons=refusals,
        correction_reasons=corrections,
        legal_basis=str(data.get("legal_basis") or "").strip(),
        note=note,
        author=actor,
        author_name=name,
        created_at=now,
    )
    ManualStep.objects.create(
        manual=manual,
        version=manual.version,
        action=ManualStep.Action.DRAFT,
        actor=actor,
        actor_name=name,
        at=now,
        comment=note,
    )
    return manual


def _advance(actor, manual, *, action, permission, base_version, expect, to_state, comment, step):
    manual = Manual.objects.select_for_update().select_related("situation__matter__department").get(pk=manual.pk)
    policy.require(actor, permission, manual)
    try:
        base = int(base_version)
    except (TypeError, ValueError):
        base = -1
    if base != manual.version:
        raise _stale(manual, base)
    if manual.state != expect:
        raise Conflict(f"该手册当前状态为“{manual.get_state_display()}”，不能{action}")
    now = timezone.now()
    manual.state = to_state
    manual.updated_at = now
    manual.save()
    ManualStep.objects.create(
        manual=manual,
        version=manual.version,
        action=step,
        actor=actor,
        actor_name=_actor_name(actor),
        at=now,
        comment=comment,
    )
    return manual


@transaction.atomic
def review(actor, manual, *, approve, comment="", base_version):
    """The centre reviews a drafted manual: approve it, or return it with comments."""
    comment = str(comment or "").strip()
    if not approve and not comment:
        raise ServiceError("退回修改时请写明审核意见", errors={"comment": ["审核意见：退回修改时请写明需要修改的内容"]})
    return _advance(
        actor,
        manual,
        action="审核",
        permission="manual.review",
        base_version=base_version,
        expect=Manual.State.DRAFTED,
        to_state=Manual.State.REVIEWED if approve else Manual.State.RETURNED,
        comment=comment,
        step=ManualStep.Action.APPROVE if approve else ManualStep.Action.RETURN,
    )


@transaction.atomic
def confirm(actor, manual, *, comment="", base_version):
    """The department confirms a reviewed manual; clerks then use it."""
    return _advance(
        actor,
        manual,
        action="确认",
        permission="manual.confirm",
        base_version=base_version,
        expect=Manual.State.REVIEWED,
        to_state=Manual.State.CONFIRMED,
        comment=str(comment or "").strip(),
        step=ManualStep.Action.CONFIRM,
    )


# --- progress ----------------------------------------------------------------


@dataclass
class DepartmentProgress:
    department: Department
    situations: int
    drafted: int  # has a manual at all (梳理)
    reviewed: int  # approved by the centre (reviewed or confirmed)
    confirmed: int
    returned: int

    @property
    def percent(self):
        return round(100 * self.confirmed / self.situations) if self.situations else 0


def progress():
    """Per provincial department: situations, and how many are drafted,
    reviewed and confirmed; plus the totals and the bulletin's sentence."""
    S = Manual.State
    rows = (
        Situation.objects.filter(matter__active=True)
        .values("matter__department")
        .annotate(
            situations=Count("pk"),
            drafted=Count("manual"),
            reviewed=Count("manual", filter=Q(manual__state__in=[S.REVIEWED, S.CONFIRMED])),
            confirmed=Count("manual", filter=Q(manual__state=S.CONFIRMED)),
            returned=Count("manual", filter=Q(manual__state=S.RETURNED)),
        )
    )
    departments = Department.objects.in_bulk([r["matter__department"] for r in rows])
    table = [
        DepartmentProgress(
            departments[r["matter__department"]],
            r["situations"],
            r["drafted"],
            r["reviewed"],
            r["confirmed"],
            r["returned"],
        )
        for r in rows
    ]
    table.sort(key=lambda p: p.department.pk)
    totals = DepartmentProgress(
        None,
        sum(p.situations for p in table),
        sum(p.drafted for p in table),
        sum(p.reviewed for p in table),
        sum(p.confirmed for p in table),
        sum(p.returned for p in table),
    )
    done_departments = sum(1 for p in table if p.confirmed)
    sentence = f"已完成{totals.confirmed}个事项情形项的梳理、审核和确认工作，涉及{done_departments}个省级部门"
    return table, totals, sentence
