"""Everything that changes a bundle, an application or a problem.

Rules: 《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》
（国发〔2024〕3号）: one questionnaire (一次告知), one form (一表申请), materials given
once (一套材料), accepted at one place and fanned out to the departments
(一口受理、并联办理), results delivered together (统一出件); 容缺后补 on a written
promise. Each child is an ordinary case, moved only by cases.services.
"""

import datetime as dt
import hashlib
import re
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import policy
from cases import services as cases
from cases import transitions, uploads
from cases.models import Case, CaseEvent, CaseFile, Certificate, Channel
from catalog.models import Matter, Situation
from core import audit, locking, workdays
from core.errors import Conflict, ServiceError
from core.models import Department, Level
from core.personal import matching

from .models import (
    Application,
    ApplicationChild,
    ApplicationMaterial,
    Bundle,
    BundleItem,
    BundleStep,
    BundleVersion,
    Deferral,
    Mode,
    Problem,
    ProblemChange,
)

State = Case.State
DONE_WELL = {State.APPROVED, State.ISSUED, State.DELIVERED}
DONE_BADLY = {State.REFUSED, State.DENIED}
FIELD_KINDS = {"text": "文本", "date": "日期", "number": "数字", "choice": "选项"}
DEFERRAL_MAX_DAYS = 30  # a promise longer than a month is no 容缺 but a missing material
PROBLEM_DAYS = 5  # working days to handle a ticket when no deadline is given
# What an applicant can do when a child ends badly: 《中华人民共和国行政复议法》第二十条 (60 days),
# 《中华人民共和国行政诉讼法》第四十六条 (6 months); a refusal states its reasons (行政许可法第三十二条).
NEXT_STEPS = {
    State.REFUSED: "按不予受理通知书所列理由整改或补齐条件后，可重新申请该事项；其他事项照常办理，结果一并送达。",
    State.DENIED: "对不予许可决定不服的，可自知道该决定之日起60日内申请行政复议，或6个月内提起行政诉讼；"
    "其他事项照常办理，结果一并送达。",
}
WAITING_BLOCKED = "前置事项未通过，本事项无法开始；请先按前置事项的提示办理。"


def _fail(errors, message="提交的数据有误，请按提示修改"):
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(first if len(errors) == 1 else message, errors=errors)


def _label(actor):
    return audit.Actor(actor).label if actor is not None else "系统"


def _now(at):
    return at or timezone.now()


def _local_date(at):
    return timezone.localdate(at)


# --- bundles: 梳理 → 审核 → 确认 -------------------------------------------------


def _check_fields(errors, fields):
    keys = []
    for n, f in enumerate(fields or [], start=1):
        key, label, kind = (f.get("key") or "").strip(), (f.get("label") or "").strip(), f.get("kind", "text")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            errors.setdefault("fields", []).append(f"第{n}个字段的编码“{key}”应为小写字母开头的字母、数字或下划线")
        if not label:
            errors.setdefault("fields", []).append(f"第{n}个字段缺少名称")
        if kind not in FIELD_KINDS:
            errors.setdefault("fields", []).append(f"字段“{label or key}”的类型应为" + "、".join(FIELD_KINDS.values()))
        if kind == "choice" and not f.get("choices"):
            errors.setdefault("fields", []).append(f"选项字段“{label or key}”须列出可选项")
        if key in keys:
            errors.setdefault("fields", []).append(f"字段编码“{key}”重复")
        keys.append(key)
    return set(keys)


def _check_items(errors, items, field_keys, questions):
    """items: [{"matter", "situation", "after": [positions], "field_map", "only_if"}] in declared order."""
    if len(items or []) < 2:
        errors["items"] = ["一件事至少包含两个事项"]
        return []
    question_options = {q["key"]: q.get("options", []) for q in questions or []}
    rows = []
    for position, item in enumerate(items, start=1):
        matter, situation = item.get("matter"), item.get("situation")
        where = f"第{position}个事项"
        if not isinstance(matter, Matter):
            errors.setdefault("items", []).append(f"{where}未选择事项")
            continue
        if not isinstance(situation, Situation) or situation.matter_id != matter.pk:
            errors.setdefault("items", []).append(f"{where}“{matter.name}”的情形不属于该事项")
        if not matter.online:
            errors.setdefault("items", []).append(f"{where}“{matter.name}”不能网上办理，不能纳入一件事网上申请")
        after = list(item.get("after") or [])
        if any(not isinstance(p, int) or not 1 <= p < position for p in after):
            errors.setdefault("items", []).append(f"{where}“{matter.name}”的前置事项只能是排在它前面的事项")
        unknown = sorted({v for v in (item.get("field_map") or {}).values() if v not in field_keys})
        if unknown:
            errors.setdefault("items", []).append(
                f"{where}“{matter.name}”的字段对应引用了表单中没有的字段：" + "、".join(unknown)
            )
        only_if = item.get("only_if") or {}
        if only_if and only_if.get("option") not in question_options.get(only_if.get("question"), []):
            errors.setdefault("items", []).append(f"{where}“{matter.name}”的适用条件不是一次告知问题的选项")
        rows.append(
            BundleItem(
                position=position,
                matter=matter,
                situation=situation,
                after=after,
                field_map=dict(item.get("field_map") or {}),
                only_if=dict(only_if),
            )
        )
    return rows


def _content(bundle):
    return {
        "name": bundle.name,
        "mode": bundle.mode,
        "deferral": bundle.deferral,
        "lead": bundle.lead_id,
        "cooperating": sorted(bundle.cooperating.values_list("pk", flat=True)),
        "summary": bundle.summary,
        "fields": bundle.fields,
        "questions": bundle.questions,
        "items": [
            {
                "position": i.position,
                "matter": i.matter_id,
                "situation": i.situation_id,
                "after": i.after,
                "field_map": i.field_map,
                "only_if": i.only_if,
            }
            for i in bundle.items.order_by("position")
        ],
    }


@transaction.atomic
def save_bundle(
    actor,
    *,
    code,
    name,
    mode,
    lead,
    items,
    fields=(),
    questions=(),
    deferral=False,
    summary="",
    for_enterprise=True,
    note="",
    bundle=None,
    version=None,
):
    """梳理: save a bundle's text as a new version; it then waits for the centre's review."""
    policy.require(actor, "bundle.edit", bundle or lead)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["名称为必填项"]
    elif Bundle.objects.filter(name=name).exclude(pk=getattr(bundle, "pk", None)).exists():
        errors["name"] = [f"已有名为“{name}”的一件事"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", code or ""):
        errors["code"] = ["编码应为2至40位小写字母、数字或连字符"]
    elif Bundle.objects.filter(code=code).exclude(pk=getattr(bundle, "pk", None)).exists():
        errors["code"] = [f"编码“{code}”已被使用"]
    if mode not in Mode.values:
        errors["mode"] = ["办理模式应为关联事项集成办、跨域办或免申办"]
    if not isinstance(lead, Department):
        errors["lead"] = ["牵头部门为必填项"]
    field_keys = _check_fields(errors, fields)
    questions = [dict(q) for q in questions or []]
    for q in questions:
        if not q.get("key") or not q.get("text") or len(q.get("options") or []) < 2:
            errors.setdefault("questions", []).append(f"问题“{q.get('text', '')}”须有编码、问题和至少两个选项")
    rows = _check_items(errors, list(items or []), field_keys, questions)
    _fail(errors)
    if bundle is None:
        bundle = Bundle.objects.create(
            code=code,
            name=name,
            mode=mode,
            lead=lead,
            deferral=deferral,
            summary=summary,
            fields=list(fields),
            questions=questions,
            for_enterprise=for_enterprise,
        )
    else:
        bundle = locking.lock(
            Bundle, bundle.pk, version, lambda b: f"一件事“{b.name}”已被他人修改（现为第{b.version}版），请刷新后再改"
        )
        if bundle.applications.exists() and bundle.code != code:
            raise ServiceError("已有申请的一件事不能改编码", errors={"code": ["已有申请，编码不能修改"]})
        bundle.code, bundle.name, bundle.mode, bundle.lead, bundle.deferral = code, name, mode, lead, deferral
        bundle.summary, bundle.fields, bundle.questions = summary, list(fields), questions
        bundle.for_enterprise = for_enterprise
        bundle.items.all().delete()
    for row in rows:
        row.bundle = bundle
    BundleItem.objects.bulk_create(rows)
    bundle.cooperating.set({r.matter.department for r in rows if r.matter.department_id != lead.pk})
    bundle.version += 1
    bundle.state = Bundle.State.DRAFTED
    bundle.save()
    BundleVersion.objects.create(
        bundle=bundle, number=bundle.version, content=_content(bundle), note=note, author_name=_label(actor)
    )
    BundleStep.objects.create(
        bundle=bundle, version=bundle.version, action=BundleStep.Action.DRAFT, actor_name=_label(actor), comment=note
    )
    return bundle


def _locked_bundle(bundle, version, states, step):
    fresh = locking.lock(
        Bundle, bundle.pk, version, lambda b: f"一件事“{b.name}”已有新版本（第{b.version}版），请刷新后再{step}"
    )
    if fresh.state not in states:
        raise Conflict(f"一件事“{fresh.name}”当前为“{fresh.get_state_display()}”，不能{step}")
    return fresh


@transaction.atomic
def review_bundle(actor, bundle, *, approve, comment="", version=None):
    """审核: the centre approves the version or returns it with comments."""
    policy.require(actor, "bundle.review", bundle)
    bundle = _locked_bundle(bundle, version, {Bundle.State.DRAFTED}, "审核")
    if not approve and not (comment or "").strip():
        raise ServiceError("退回须写明修改意见", errors={"comment": ["退回意见为必填项"]})
    bundle.state = Bundle.State.REVIEWED if approve else Bundle.State.RETURNED
    bundle.save(update_fields=["state", "updated_at"])
    BundleStep.objects.create(
        bundle=bundle,
        version=bundle.version,
        actor_name=_label(actor),
        action=BundleStep.Action.APPROVE if approve else BundleStep.Action.RETURN,
        comment=(comment or "").strip(),
    )
    return bundle


@transaction.atomic
def confirm_bundle(actor, bundle, *, version=None):
    """确认: the lead department confirms the reviewed version; it is then offered to applicants."""
    policy.require(actor, "bundle.confirm", bundle)
    bundle = _locked_bundle(bundle, version, {Bundle.State.REVIEWED}, "确认")
    if getattr(actor, "department_id", None) != bundle.lead_id and actor.role != "sysadmin":
        raise ServiceError("一件事由牵头部门确认", status=403, code="forbidden")
    bundle.state = Bundle.State.CONFIRMED
    bundle.save(update_fields=["state", "updated_at"])
    BundleStep.objects.create(
        bundle=bundle, version=bundle.version, action=BundleStep.Action.CONFIRM, actor_name=_label(actor)
    )
    return bundle


# --- one questionnaire, one form, one set of materials --------------------------


def questionnaire(bundle):
    """The bundle's own questions, then the guiding questions of its matters,
    each asked once even when several matters ask it (matched by its wording).
    [{"key", "text", "options": [...], "matters": [...]}]"""
    out = [{"key": q["key"], "text": q["text"], "options": list(q["options"]), "matters": []} for q in bundle.questions]
    seen = {}
    items = bundle.items.select_related("matter").prefetch_related("matter__questions__options")
    for item in items:
        for question in item.matter.questions.all():
            options = [o.text for o in question.options.all()]
            # Only questions that matter for the declared situation: they bring in materials.
            if not any(o.materials.filter(situation=item.situation_id).exists() for o in question.options.all()):
                continue
            key = "g" + hashlib.sha1(question.text.encode()).hexdigest()[:8]
            if key not in seen:
                seen[key] = {"key": key, "text": question.text, "options": options, "matters": []}
                out.append(seen[key])
            seen[key]["matters"].append(item.matter.name)
    return out


def _check_answers(errors, bundle, answers):
    questions = questionnaire(bundle)
    clean = {}
    for q in questions:
        value = (answers or {}).get(q["key"])
        if value not in q["options"]:
            errors.setdefault(f"answer_{q['key']}", []).append(
                f"请回答“{q['text']}”（可选：{'、'.join(q['options'])}）"
            )
        else:
            clean[q["key"]] = value
    return clean, questions


def applicable_items(bundle, answers):
    return [
        i
        for i in bundle.items.select_related("matter", "matter__department", "situation").order_by("position")
        if not i.only_if or answers.get(i.only_if["question"]) == i.only_if["option"]
    ]


def materials_needed(bundle, answers, items=None):
    """Each material once, with the items that need it: [{"name", "items": [BundleItem], "e_certificate"}].
    A material brought in by a guiding answer is needed only on that answer."""
    items = items if items is not None else applicable_items(bundle, answers)
    chosen_text = {}
    for q in questionnaire(bundle):
        if q["key"] in answers:
            chosen_text[q["text"]] = answers[q["key"]]
    out = {}
    for item in items:
        for material in item.situation.materials.select_related("only_if__question"):
            if material.only_if_id and chosen_text.get(material.only_if.question.text) != material.only_if.text:
                continue
            if not material.required:
                continue
            entry = out.setdefault(
                material.name,
                {
                    "name": material.name,
                    "items": [],
                    "e_certificate": material.e_certificate_name if material.from_e_certificate else "",
                },
            )
            entry["items"].append(item)
    return list(out.values())


def _check_facts(errors, bundle, facts):
    """The one form: every field checked once, with the field's name and the rule."""
    clean = {}
    for f in bundle.fields:
        key, label, kind = f["key"], f["label"], f.get("kind", "text")
        raw = (facts or {}).get(key)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            if f.get("required", True):
                errors[f"fact_{key}"] = [f"“{label}”为必填项"]
            continue
        if kind == "date":
            try:
                value = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[f"fact_{key}"] = [f"“{label}”应为日期，格式为 YYYY-MM-DD"]
                continue
        elif kind == "number":
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[f"fact_{key}"] = [f"“{label}”应为数字"]
                continue
            if number < 0:
                errors[f"fact_{key}"] = [f"“{label}”不能为负数"]
                continue
            value = str(value)
        elif kind == "choice" and value not in f.get("choices", []):
            errors[f"fact_{key}"] = [f"“{label}”应为以下之一：{'、'.join(f.get('choices', []))}"]
            continue
        elif kind == "text":
            limit = int(f.get("max_length") or 200)
            if len(value) > limit:
                errors[f"fact_{key}"] = [f"“{label}”不能超过{limit}个字"]
                continue
            if f.get("pattern") and not re.fullmatch(f["pattern"], value):
                errors[f"fact_{key}"] = [f"“{label}”格式不正确：{f.get('pattern_label', '请按要求填写')}"]
                continue
        clean[key] = value
    return clean


def _facts_for(item, bundle, facts):
    labels = {f["key"]: f["label"] for f in bundle.fields}
    return {label: facts[key] for label, key in item.field_map.items() if key in facts and key in labels}


def _platform_certificate(applicant_code, title):
    return (
        Certificate.objects.filter(matching("holder_code", applicant_code), title=title, revoked=False)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
        .order_by("-issued_at")
        .first()
    )


def _region_for(matter, applicant):
    level = cases.receiving_level(matter)
    if level == Level.PROVINCE or matter.department.region_id == getattr(applicant, "region_id", None):
        return matter.department.region
    region = getattr(applicant, "region", None)
    if region is None or region.level != level:
        raise ServiceError(
            f"“{matter.name}”由{Level(level).label}部门受理，请以所在地申请",
            errors={"applicant": ["申请人登记地与事项受理层级不符"]},
        )
    return region


NO_APPLICATION_TEXT = "免申办：无需申请，由牵头部门依据平台已有数据主动办理，办理结果送达申请人。"


def _check_region(errors, bundle, applicant):
    """跨域办 (国发〔2024〕3号: 异地办理): an applicant registered anywhere may apply.
    Otherwise the bundle serves those registered within its lead department's region."""
    region = getattr(applicant, "region", None)
    if bundle.mode == Mode.CROSS_REGION or region is None or bundle.lead.region.covers(region.code):
        return
    errors["applicant"] = [
        f"“{bundle.name}”由{bundle.lead.name}牵头，只受理登记地在{bundle.lead.region.full_name}的申请人"
        f"（申请人登记地为{region.full_name}）；跨域办的一件事才可异地申请"
    ]


@transaction.atomic
def submit(
    actor,
    bundle,
    *,
    answers,
    facts,
    uploads_by_material=None,
    deferrals=(),
    applicant_organisation=None,
    applicant_person=None,
    contact_phone="",
    at=None,
    demo=False,
):
    """一件事 submitted once: checks everything, then one case per matter starts
    (those without declared inputs now; the others when their inputs exist)."""
    policy.require(actor, "bundle.apply")
    if bundle.mode == Mode.NO_APPLICATION:
        raise ServiceError(f"“{bundle.name}”为{NO_APPLICATION_TEXT}", status=409, code="no_application")
    errors = {}
    person = getattr(actor, "person", None)
    if applicant_organisation is not None and (
        person is None or not applicant_organisation.agent_set.filter(person=person).exists()
    ):
        errors["applicant"] = ["只能以本人代办的企业名义申请"]
    if applicant_person is not None and (person is None or applicant_person.pk != person.pk):
        errors["applicant"] = ["只能以本人名义申请"]
    return _take_in(
        actor,
        bundle,
        errors,
        answers=answers,
        facts=facts,
        uploads_by_material=uploads_by_material,
        deferrals=deferrals,
        applicant_organisation=applicant_organisation,
        applicant_person=applicant_person,
        contact_phone=contact_phone,
        at=at,
        demo=demo,
    )


@transaction.atomic
def start_without_application(
    actor, bundle, *, answers, facts, applicant_organisation=None, applicant_person=None, at=None
):
    """免申办 (国发〔2024〕3号: 免申即享、主动服务): the window starts the bundle for a
    person or enterprise from data the platform already holds. Nothing is
    uploaded: every material must be a certificate the platform issued to the
    applicant, or an e-certificate the department fetches itself."""
    policy.require(actor, "bundle.handle")
    policy.require(actor, "case.receive")
    if bundle.mode != Mode.NO_APPLICATION:
        raise ServiceError(
            f"“{bundle.name}”为{bundle.get_mode_display()}，须由申请人申请", status=409, code="application_needed"
        )
    return _take_in(
        actor,
        bundle,
        {},
        answers=answers,
        facts=facts,
        applicant_organisation=applicant_organisation,
        applicant_person=applicant_person,
        at=at,
        proactive=True,
    )


def _take_in(
    actor,
    bundle,
    errors,
    *,
    answers,
    facts,
    uploads_by_material=None,
    deferrals=(),
    applicant_organisation=None,
    applicant_person=None,
    contact_phone="",
    at=None,
    demo=False,
    proactive=False,
):
    if not bundle.published:
        raise ServiceError(f"一件事“{bundle.name}”尚未确认发布，暂不能申请", status=409, code="not_published")
    if (applicant_person is None) == (applicant_organisation is None):
        errors["applicant"] = ["申请人应为一个自然人或一个法人"]
    elif bundle.for_enterprise and applicant_organisation is None:
        errors["applicant"] = [f"“{bundle.name}”由企业申请，请选择代办的企业"]
    elif "applicant" not in errors:
        _check_region(errors, bundle, applicant_person or applicant_organisation)
    answers, _ = _check_answers(errors, bundle, answers)
    facts = _check_facts(errors, bundle, facts)
    items = applicable_items(bundle, answers)
    if not items:
        errors["answers"] = ["按所答情形，本一件事没有需要办理的事项"]
    applicant = applicant_person or applicant_organisation
    code = getattr(applicant, "uscc", None) or getattr(applicant, "resident_id", "")
    needed = materials_needed(bundle, answers, items)
    uploads_by_material = dict(uploads_by_material or {})
    deferred = {}
    today = _local_date(_now(at))
    for d in deferrals or []:
        name, promise, due = d.get("material"), (d.get("promise") or "").strip(), d.get("due_date")
        if not bundle.deferral:
            errors["deferrals"] = [f"“{bundle.name}”不适用容缺后补"]
            break
        if not promise:
            errors.setdefault("deferrals", []).append(f"容缺材料“{name}”须有书面承诺")
        if not isinstance(due, dt.date) or not today < due <= today + dt.timedelta(days=DEFERRAL_MAX_DAYS):
            errors.setdefault("deferrals", []).append(
                f"容缺材料“{name}”的承诺补齐日期应在今天之后{DEFERRAL_MAX_DAYS}日内"
            )
        deferred[name] = {"promise": promise, "due_date": due}
    attach, upload_items = [], []
    for entry in needed:
        name = entry["name"]
        certificate = _platform_certificate(code, entry["e_certificate"] or name) if code else None
        if name in uploads_by_material:
            upload_items.append((f"material_{name}", None, uploads_by_material[name]))
            attach.append((entry, uploads_by_material[name], None))
        elif certificate is not None:
            attach.append((entry, None, certificate))
        elif entry["e_certificate"]:
            continue  # 免提交: the department fetches the e-certificate itself
        elif name in deferred:
            continue
        elif proactive:
            errors.setdefault(f"material_{name}", []).append(
                f"免申办须由平台已有数据提供“{name}”，平台未找到申请人的该证照，不能主动办理"
            )
        else:
            errors.setdefault(f"material_{name}", []).append(
                f"请上传“{name}”（" + "、".join(i.matter.name for i in entry["items"]) + "需要）"
            )
    for name in uploads_by_material:
        if name not in {e["name"] for e in needed}:
            errors.setdefault(f"material_{name}", []).append(f"“{name}”不是本次申请需要的材料")
    for field, _, upload in upload_items:
        reason = uploads.problem(upload, field.removeprefix("material_"))
        if reason:
            errors.setdefault(field, []).append(reason)
    _fail(errors)
    at = _now(at)
    serial = cases.next_serial(f"bundle:{today:%Y%m%d}")
    application = Application.objects.create(
        number=f"YJS{today:%Y%m%d}{serial:05d}",
        bundle=bundle,
        bundle_version=bundle.version,
        applicant_person=applicant_person,
        applicant_organisation=applicant_organisation,
        applicant_name=applicant.name,
        submitted_by=actor,
        answers=answers,
        facts=facts,
        submitted_at=at,
        demo=demo,
    )
    children = {}
    for item in items:
        children[item.position] = ApplicationChild.objects.create(
            application=application, item=item, facts=_facts_for(item, bundle, facts)
        )
    for entry, upload, certificate in attach:
        record = ApplicationMaterial(application=application, name=entry["name"], certificate=certificate)
        if upload is not None:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            record.sha256 = digest.hexdigest()
            record.file.save(secrets.token_hex(16) + uploads.sniff(upload)[1], upload, save=False)
        record.save()
        record.children.set([children[i.position] for i in entry["items"] if i.position in children])
    for name, d in deferred.items():
        Deferral.objects.create(application=application, material=name, promise=d["promise"], due_date=d["due_date"])
    for child in children.values():
        if not child.item.after:
            _start(child, actor, contact_phone=contact_phone, at=at)
    return application


def _start(child, actor, *, contact_phone="", at=None):
    """The child's case: an ordinary online case of its department, with the
    facts the form gave it and the materials given once for the whole bundle."""
    application, item = child.application, child.item
    applicant = application.applicant_organisation or application.applicant_person
    lines = [f"“{application.bundle.name}”申请{application.number}（一件事，第{item.position}项）"]
    if application.bundle.mode == Mode.NO_APPLICATION:
        lines.append("免申办：依据平台已有数据主动办理，申请人无需申请")
    elif application.bundle.mode == Mode.CROSS_REGION and getattr(applicant, "region", None) is not None:
        lines.append(f"跨域办：申请人登记地{applicant.region.full_name}")
    lines += [f"{label}：{value}" for label, value in child.facts.items()]
    for material in child.materials.all():
        if material.certificate_id:
            c = material.certificate
            lines.append(
                f"{material.name}：引用本平台已颁发证照 {c.title} {c.number}（电子证照标识 {c.e_certificate_id}）"
            )
    for deferral in application.deferrals.filter(state=Deferral.State.OPEN):
        if any(
            deferral.material == e["name"] and any(i.pk == item.pk for i in e["items"])
            for e in materials_needed(application.bundle, application.answers, [item])
        ):
            lines.append(f"容缺后补：{deferral.material}，承诺{deferral.due_date:%Y年%-m月%-d日}前补齐")
    case = cases.receive(
        actor,
        matter=item.matter,
        situation=item.situation,
        # 免申办 is started at the window by its staff; an application is online.
        channel=Channel.ONLINE if getattr(actor, "kind", "") == "public" else Channel.WINDOW,
        region=_region_for(item.matter, applicant),
        applicant_person=application.applicant_person,
        applicant_organisation=application.applicant_organisation,
        contact_phone=contact_phone,
        note="\n".join(lines),
        at=at,
    )
    for material in child.materials.exclude(file=""):
        CaseFile.objects.create(
            case=case,
            material=item.situation.materials.filter(name=material.name).first(),
            file=material.file.name,
            original_name=material.name,
            size=material.file.size,
            content_type="application/octet-stream",
            sha256=material.sha256,
            uploaded_by=application.submitted_by,
        )
    child.case, child.started_at = case, _now(at)
    child.save(update_fields=["case", "started_at"])
    return case


def child_moved(application, case):
    """A child case changed: start the children whose inputs now exist, and
    note when the whole application is done."""
    children = list(application.children.select_related("case", "item", "application__bundle"))
    by_position = {c.item.position: c for c in children}
    for child in children:
        if (
            child.case_id is None
            and child.item.after
            and all(
                by_position.get(p) is not None
                and by_position[p].case is not None
                and by_position[p].case.state in DONE_WELL
                for p in child.item.after
            )
        ):
            # The applicant's own submission carries on: the child is received on their behalf.
            _start(child, application.submitted_by)
    state = combined_state(application)
    if state in (Application.State.COMPLETED, Application.State.PARTLY_REFUSED) and application.completed_at is None:
        ends = [c.case.concluded_at for c in application.children.select_related("case") if c.case_id]
        application.completed_at = max(e for e in ends if e) if any(ends) else timezone.now()
        application.save(update_fields=["completed_at"])


# --- the applicant's one view ---------------------------------------------------


def _child_done(child, by_position):
    if child.case is not None:
        return child.case.state in DONE_WELL | DONE_BADLY
    return _blocked(child, by_position)


def _blocked(child, by_position):
    return any(
        by_position.get(p) is None
        or (by_position[p].case is not None and by_position[p].case.state in DONE_BADLY)
        or (by_position[p].case is None and _blocked(by_position[p], by_position))
        for p in child.item.after
    )


def combined_state(application):
    children = list(application.children.select_related("case", "item"))
    by_position = {c.item.position: c for c in children}
    if any(c.case is not None and c.case.state == State.CORRECTION for c in children):
        return Application.State.CORRECTION
    if all(_child_done(c, by_position) for c in children):
        if all(c.case is not None and c.case.state in DONE_WELL for c in children):
            return Application.State.COMPLETED
        return Application.State.PARTLY_REFUSED
    return Application.State.IN_PROGRESS


def status(application):
    """One combined status: each child, the one correction notice gathering
    every child's, the results (given together once everything is done)."""
    children = list(application.children.select_related("case", "case__holder", "item__matter__department"))
    by_position = {c.item.position: c for c in children}
    rows, corrections = [], []
    for child in children:
        case = child.case
        row = {
            "child": child,
            "position": child.item.position,
            "matter": child.item.matter.name,
            "department": child.item.matter.department.short_name or child.item.matter.department.name,
            "case": case,
            "state": case.get_state_display() if case else "等待前置事项办结",
            "due_date": case.due_date if case else None,
            "next_step": "",
            "reason": "",
            "after": child.item.after,
            "facts": child.facts,
        }
        if case is None and _blocked(child, by_position):
            row["state"], row["next_step"] = "无法开始", WAITING_BLOCKED
        if case is not None and case.state in DONE_BADLY:
            last = (
                case.events.filter(kind__in=[CaseEvent.Kind.REFUSE, CaseEvent.Kind.CONCLUDE]).order_by("-seq").first()
            )
            row["reason"] = last.reason if last else ""
            row["next_step"] = NEXT_STEPS[case.state]
        if case is not None and case.state == State.CORRECTION:
            request = case.events.filter(kind=CaseEvent.Kind.CORRECTION_REQUESTED).order_by("-seq").first()
            for entry in request.data.get("items", []):
                corrections.append({"matter": row["matter"], "department": row["department"], **entry})
        rows.append(row)
    state = combined_state(application)
    done = state in (Application.State.COMPLETED, Application.State.PARTLY_REFUSED)
    results = []
    if done:
        for child in children:
            if child.case is not None:
                results += [{"matter": child.item.matter.name, "certificate": c} for c in child.case.certificates.all()]
                if child.case.state in DONE_WELL and not child.case.certificates.exists():
                    results.append(
                        {"matter": child.item.matter.name, "certificate": None, "text": child.item.matter.result_name}
                    )
    return {
        "application": application,
        "state": state,
        "state_label": Application.State(state).label,
        "children": rows,
        "corrections": corrections,
        "results": results,
        "done": done,
        "deferrals": list(application.deferrals.all()),
    }


@transaction.atomic
def answer_corrections(actor, application, *, note="", uploads_by_material=None, at=None):
    """The applicant answers once on the parent: every child waiting for a
    correction gets the answer (and the files) in one transaction."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    waiting = [
        c
        for c in application.children.select_related("case", "item__situation")
        if c.case is not None and c.case.state == State.CORRECTION
    ]
    if not waiting:
        raise Conflict(f"申请{application.number}没有待补正的事项")
    note = (note or "").strip()
    uploads_by_material = dict(uploads_by_material or {})
    if not note and not uploads_by_material:
        raise ServiceError("请填写补正说明或上传补正材料", errors={"note": ["补正说明和补正材料至少填一项"]})
    uploads.check_all([(f"material_{name}", None, upload) for name, upload in uploads_by_material.items()])
    written = []
    try:
        for child in waiting:
            cases.answer_correction(actor, child.case, note or "见补正材料", at=at)
            for name, upload in uploads_by_material.items():
                material = child.item.situation.materials.filter(name=name).first()
                upload.seek(0)
                written += uploads.store_all(child.case, [(f"material_{name}", material, upload)], actor)
    except Exception:
        uploads.discard(written)
        raise
    return [c.case for c in waiting]


# --- 容缺后补 -------------------------------------------------------------------


def _locked_deferral(deferral, version):
    deferrals = Deferral.objects.select_related("application")
    fresh = locking.lock(deferrals, deferral.pk, version, "该容缺承诺已被他人处理，请刷新后查看")
    if fresh.state != Deferral.State.OPEN:
        raise Conflict(f"该容缺承诺已{fresh.get_state_display()}")
    return fresh


@transaction.atomic
def supply_deferred(actor, deferral, *, upload, version=None, at=None):
    """The promised material arrives: attached to every child that needs it."""
    deferral = _locked_deferral(deferral, version)
    application = deferral.application
    if not (policy.can(actor, "bundle.apply") and _is_applicant(actor, application)):
        policy.require(actor, "bundle.handle")
    uploads.check_all([("file", None, upload)])
    for child in application.children.select_related("case", "item__situation"):
        if child.case is None:
            continue
        material = child.item.situation.materials.filter(name=deferral.material).first()
        if material is not None:
            upload.seek(0)
            uploads.store_all(child.case, [("file", material, upload)], actor)
    deferral.state, deferral.closed_at = Deferral.State.SUPPLIED, _now(at)
    locking.bump(deferral, "state", "closed_at")
    return deferral


WITHDRAWN_BASIS = "申请人未按容缺受理书面承诺的期限补齐材料，以该承诺作出的受理予以撤销（国发〔2022〕5号 推行容缺受理）"


@transaction.atomic
def withdraw_deferral(actor, deferral, *, reason, version=None, at=None):
    """The promise was not kept: the acceptance made on it is withdrawn, and every
    running child that needs the material is refused (不予受理) by the withdrawing
    officer where the case transition table lets them (at the window, before the
    department has it). A child a department already holds is left to that
    department's own decision; `deferral.left` names those."""
    policy.require(actor, "bundle.handle")
    deferral = _locked_deferral(deferral, version)
    if not (reason or "").strip():
        raise ServiceError("撤销受理须写明原因", errors={"reason": ["原因为必填项"]})
    at = _now(at)
    ended, left = [], []
    children = deferral.application.children.filter(case__isnull=False).select_related("case", "item__situation")
    for child in children:
        if not child.item.situation.materials.filter(name=deferral.material).exists():
            continue
        case = child.case
        if case.state in transitions.CONCLUDED:
            continue
        if transitions.allows(actor, transitions.STEPS["refuse"], case)[0]:
            cases.refuse(
                actor,
                case,
                reasons=f"容缺材料“{deferral.material}”未按承诺于{deferral.due_date:%Y年%-m月%-d日}前补齐：{reason.strip()}",
                legal_basis=WITHDRAWN_BASIS,
                at=at,
            )
            ended.append(case.number)
        else:
            left.append(f"{case.number}（{case.holder.name}）")
    note = reason.strip()
    if ended:
        note += f"；已不予受理：{'、'.join(ended)}"
    if left:
        note += f"；由承办部门作出决定：{'、'.join(left)}"
    deferral.state, deferral.closed_at, deferral.note = Deferral.State.WITHDRAWN, at, note[:200]
    with audit.because(reason):
        locking.bump(deferral, "state", "closed_at", "note")
    deferral.ended, deferral.left = ended, left
    return deferral


def overdue_deferrals(today=None):
    today = today or timezone.localdate()
    return (
        Deferral.objects.filter(state=Deferral.State.OPEN, due_date__lt=today)
        .select_related("application", "application__bundle")
        .order_by("due_date")
    )


def overdue_marks(case_ids, today):
    """容缺逾期 on the cases worklist (core.case_marks): a child case whose
    application has a promise past its date for a material that child needs."""
    overdue = {}
    for d in overdue_deferrals(today).filter(application__children__case_id__in=case_ids).distinct():
        overdue.setdefault(d.application_id, []).append(d)
    if not overdue:
        return {}
    marks = {}
    children = ApplicationChild.objects.filter(case_id__in=case_ids, application_id__in=overdue)
    for child in children.select_related("item__situation"):
        needed = set(child.item.situation.materials.values_list("name", flat=True))
        late = [d for d in overdue[child.application_id] if d.material in needed]
        if late:
            marks[child.case_id] = f"容缺逾期（{late[0].material}，承诺{late[0].due_date:%Y-%m-%d}前补齐）"
    return marks


def _is_applicant(actor, application):
    person = getattr(actor, "person", None)
    return person is not None and application.is_applicant(person)


# --- the problem list -----------------------------------------------------------

PROBLEM_FIELDS = ("title", "description", "kind", "owner_id", "measures", "deadline", "state", "handled_on")


def _problem_snapshot(problem):
    out = {}
    for name in PROBLEM_FIELDS:
        value = getattr(problem, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _problem_change(problem, actor, action, before, note="", at=None):
    ProblemChange.objects.create(
        problem=problem,
        at=_now(at),
        actor_label=_label(actor),
        action=action,
        before=before,
        after=_problem_snapshot(problem),
        note=note,
    )


@transaction.atomic
def report_problem(
    actor,
    bundle,
    *,
    title,
    description="",
    kind=Problem.Kind.OTHER,
    owner=None,
    measures="",
    deadline=None,
    source=None,
    at=None,
    demo=False,
):
    """A problem enters the list: found by the centre, or a ticket from a window or an applicant."""
    if policy.can(actor, "problem.edit"):
        source = source or Problem.Source.LIST
    else:
        policy.require(actor, "problem.report")
        source = Problem.Source.APPLICANT if getattr(actor, "kind", "") == "public" else Problem.Source.WINDOW
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["问题为必填项"]
    elif len(title) > 120:
        errors["title"] = [f"问题不能超过120个字（现为{len(title)}个字）"]
    if kind not in Problem.Kind.values:
        errors["kind"] = ["类别应为" + "、".join(Problem.Kind.labels)]
    if source not in Problem.Source.values:
        errors["source"] = ["来源应为" + "、".join(Problem.Source.labels)]
    today = _local_date(_now(at))
    if deadline is None:
        deadline = workdays.add_working_days(today, PROBLEM_DAYS)
    elif not isinstance(deadline, dt.date):
        errors["deadline"] = ["完成时限格式为 YYYY-MM-DD"]
    _fail(errors)
    problem = Problem.objects.create(
        bundle=bundle,
        title=title,
        description=(description or "").strip(),
        kind=kind,
        source=source,
        owner=owner or bundle.lead,
        measures=(measures or "").strip(),
        deadline=deadline,
        reported_by=_label(actor),
        demo=demo,
    )
    _problem_change(problem, actor, "report", {}, at=at)
    return problem


def _locked_problem(problem, version):
    return locking.lock(Problem, problem.pk, version, _problem_conflict)


def _problem_conflict(fresh):
    last = fresh.changes.order_by("-at", "-id").first()
    who = f"{last.actor_label}已于{timezone.localtime(last.at):%Y-%m-%d %H:%M}修改" if last else "已被他人修改"
    return f"问题“{fresh.title}”{who}，请刷新后再改"


@transaction.atomic
def update_problem(actor, problem, *, version, owner=None, measures=None, deadline=None, state=None, note="", at=None):
    """Assign the owner, write the measures, move the deadline, start handling."""
    policy.require(actor, "problem.edit", problem)
    problem = _locked_problem(problem, version)
    before = _problem_snapshot(problem)
    errors = {}
    if deadline is not None and not isinstance(deadline, dt.date):
        errors["deadline"] = ["完成时限格式为 YYYY-MM-DD"]
    if state is not None and state not in (Problem.State.OPEN, Problem.State.HANDLING):
        errors["state"] = ["状态只能改为待处理或处理中；办结请用“处理完成”"]
    _fail(errors)
    if owner is not None:
        problem.owner = owner
    if measures is not None:
        problem.measures = measures.strip()
    if deadline is not None:
        problem.deadline = deadline
    if state is not None:
        problem.state, problem.handled_on = state, None
    problem.version += 1
    problem.save()
    _problem_change(problem, actor, "update", before, note=note, at=at)
    return problem


@transaction.atomic
def handle_problem(actor, problem, *, version, measures="", at=None):
    """处理完成: the day it is handled (Beijing) is what the bulletin counts."""
    policy.require(actor, "problem.edit", problem)
    problem = _locked_problem(problem, version)
    if problem.state == Problem.State.HANDLED:
        raise Conflict(f"问题“{problem.title}”已于{problem.handled_on}处理完成")
    before = _problem_snapshot(problem)
    measures = (measures or "").strip() or problem.measures
    if not measures:
        raise ServiceError("处理完成须写明解决措施", errors={"measures": ["解决措施为必填项"]})
    at = _now(at)
    problem.measures, problem.state, problem.handled_on = measures, Problem.State.HANDLED, _local_date(at)
    problem.version += 1
    problem.save()
    _problem_change(problem, actor, "handle", before, at=at)
    return problem


def problems_handled(start, end):
    """Problems handled on Beijing days start..end (the figure 处理问题N个)."""
    return Problem.objects.filter(state=Problem.State.HANDLED, handled_on__range=(start, end), demo=False).count()


def visible_problems(actor):
    qs = Problem.objects.select_related("bundle", "owner")
    if actor.role in ("reviewer", "dept_admin"):
        qs = qs.filter(owner=actor.department)
    return qs
