"""Everything that happens to a case. Each function checks who is acting and
whether the step fits the case's state, then, in one transaction with the
case row locked, writes the event and the new state. Two people acting on
the same case: the second finds the state (or version) moved and is told.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import policy
from accounts import services as account_services
from accounts.models import Organisation, Person
from core import audit, locking, workdays
from core.errors import Conflict, ServiceError
from core.models import Department, Level
from core.personal import matching

from . import deadlines, identifiers, personal, summary, transitions, uploads
from .models import Case, CaseEvent, Certificate, Channel, Counter, Evaluation, EventChannel

State = Case.State
Kind = CaseEvent.Kind
CONCLUDED = transitions.CONCLUDED
POOR_FOLLOW_UP_DAYS = 15  # Sichuan: a poor rating is rectified within 15 working days


def next_serial(key):
    Counter.objects.select_for_update().get_or_create(key=key)
    Counter.objects.filter(key=key).update(value=F("value") + 1)
    return Counter.objects.get(key=key).value


def _label(actor):
    """Who acted, as the case's history, its printed notices and the applicant
    read it: the person's name. The login name is the audit log's (a citizen
    has no business knowing a clerk's)."""
    if actor is None:
        return "系统"
    return getattr(actor, "name", "") or audit.Actor(actor).label


def _event(case, kind, actor, at, *, reason="", data=None, department=None, window=None, matter=None, channel=None):
    seq = 0
    if case is not None:
        last = case.events.order_by("-seq").values_list("seq", flat=True).first()
        seq = (last or 0) + 1
    with transaction.atomic():  # the event and its count in the daily summary, together
        event = CaseEvent.objects.create(
            case=case,
            seq=seq,
            kind=kind,
            at=at,
            day=deadlines.local_date(at),
            actor=actor,
            actor_label=_label(actor),
            matter=matter or (case.matter if case else None),
            department=department or (case.holder if case else None),
            window=window if window is not None else (case.window if case else None),
            channel=channel or (case.channel if case else Channel.WINDOW),
            reason=reason,
            data=personal.seal_event_data(data or {}),  # an address or phone number stored encrypted
        )
        summary.add(event)
        if case is not None:  # the worklist's order, with the event that sets it
            case.moved_at = at
            Case.objects.filter(pk=case.pk).update(moved_at=at)
    return event


def _conflict_message(fresh):
    last = fresh.events.order_by("-seq").first()
    who = (
        f"{last.actor_label}已于{timezone.localtime(last.at):%Y-%m-%d %H:%M}{last.get_kind_display()}"
        if last
        else "他人已处理"
    )
    return f"办件{fresh.number}已被处理（{who}），请刷新后查看"


def _locked(case, expected_version, actor, step):
    """The case row, locked; refuses when someone else moved it first, and
    any step the transition table (cases/transitions.py) does not allow."""
    cases = Case.objects.select_related("matter", "situation", "holder", "holder__region")
    fresh = locking.lock(cases, case.pk, expected_version, _conflict_message)
    transitions.require(actor, step, fresh)
    return fresh


def _save(case, *fields):
    locking.bump(case, *fields, message=_conflict_message)


def _now(at):
    return at or timezone.now()


# --- consultation and receiving ---


def record_consultation(
    actor, *, asker, question, answer, matter=None, window=None, channel=Channel.WINDOW, phone="", at=None
):
    """A consultation (咨询), counted in person-times."""
    policy.require(actor, "case.consult")
    errors = {}
    if not (asker or "").strip():
        errors["asker"] = ["咨询人为必填项"]
    if not (question or "").strip():
        errors["question"] = ["咨询内容为必填项"]
    if not (answer or "").strip():
        errors["answer"] = ["答复内容为必填项"]
    if errors:
        raise ServiceError("咨询登记信息不完整", errors=errors)
    department = matter.department if matter else getattr(actor, "department", None)
    return _event(
        None,
        Kind.CONSULT,
        actor,
        _now(at),
        matter=matter,
        department=department,
        window=window,
        channel=channel,
        data={"asker": asker.strip(), "phone": phone, "question": question.strip(), "answer": answer.strip()},
    )


def receiving_level(matter):
    """Cases start at the first level that reviews the matter (county for
    county→city→province matters)."""
    return matter.review_levels[0] if matter.review_levels else Level.PROVINCE


def _receiving_department(matter, region):
    """The department of the matter's function in the region that handles it."""
    if matter.department.region_id == region.code:
        return matter.department
    found = Department.objects.filter(function=matter.department.function, region=region).first()
    if found is None:
        raise ServiceError(f"{region.full_name}没有承办“{matter.name}”的部门", errors={"region": ["该地区无承办部门"]})
    return found


@transaction.atomic
def receive(
    actor,
    *,
    matter,
    situation,
    channel,
    region,
    applicant_person=None,
    applicant_organisation=None,
    agent=None,
    window=None,
    contact_phone="",
    note="",
    answers=None,
    at=None,
):
    """Take in an application (收件): at a window, online or by post.
    `answers`: the guided questions' (question, answer) texts that chose the
    situation and materials, kept on the receive event."""
    policy.require(actor, "case.apply" if channel == Channel.ONLINE else "case.receive")
    errors = {}
    if situation.matter_id != matter.pk:
        errors["situation"] = ["所选情形不属于该事项"]
    if channel == Channel.ONLINE and not matter.online:
        errors["channel"] = [f"“{matter.name}”不能网上办理"]
    if (applicant_person is None) == (applicant_organisation is None):
        errors["applicant"] = ["申请人应为一个自然人或一个法人"]
    first_level = receiving_level(matter)
    if region.level != first_level:
        errors["region"] = [f"该事项由{Level(first_level).label}部门受理，办理地应为{Level(first_level).label}区划"]
    if channel == Channel.ONLINE and not errors:
        person = getattr(actor, "person", None)
        own = applicant_person is not None and person is not None and applicant_person.pk == person.pk
        agent_of = (
            applicant_organisation is not None
            and person is not None
            and applicant_organisation.agent_set.filter(person=person).exists()
        )
        if not (own or agent_of):
            errors["applicant"] = ["网上申请只能以本人或本人代办的组织名义提交"]
        agent = person if agent_of else agent
    if errors:
        raise ServiceError("收件信息有误", errors=errors)
    holder = _receiving_department(matter, region)
    at = _now(at)
    applicant = applicant_person or applicant_organisation
    code = applicant.resident_id if applicant_person else applicant.uscc
    serial = next_serial(f"case:{region.code}:{deadlines.local_date(at):%Y%m%d}")
    case = Case.objects.create(
        number=identifiers.case_number(region.code, deadlines.local_date(at), serial),
        matter=matter,
        situation=situation,
        channel=channel,
        applicant_person=applicant_person,
        applicant_organisation=applicant_organisation,
        agent=agent,
        applicant_name=applicant.name,
        applicant_code=code,
        contact_phone=contact_phone,
        region=region,
        window=window,
        holder=holder,
        state=State.RECEIVED,
        received_at=at,
    )
    _event(
        case,
        Kind.RECEIVE,
        actor,
        at,
        reason=note,
        data={"answers": [{"question": q, "answer": a} for q, a in answers]} if answers else None,
    )
    return case


# --- at the window: correction, acceptance, refusal ---


def receive_with_files(actor, *, files, **fields):
    """收件 with the materials' files (an online application): the case and
    its files together, or neither. `fields` are `receive`'s."""
    uploads.check_all(files)
    written = []
    try:
        with transaction.atomic():
            case = receive(actor, **fields)
            written = uploads.store_all(case, files, actor)
    except Exception:
        uploads.discard(written)
        raise
    return case


@transaction.atomic
def receive_at_window(actor, *, applicant, **fields):
    """收件 at a window: the applicant (`register_applicant`'s `data`),
    registered now if the platform does not know them, and the case, in one
    transaction. `fields` are `receive`'s."""
    person, organisation = register_applicant(actor, applicant)
    return receive(
        actor, channel=Channel.WINDOW, applicant_person=person, applicant_organisation=organisation, **fields
    )


def register_applicant(actor, data):
    """(person, organisation): the applicant a window clerk names, registered
    now if new. `data`: applicant_kind ("person" or not), resident_id,
    person_name, contact_phone; uscc, organisation_name, organisation_region.
    Errors name the intake form's fields."""
    if data["applicant_kind"] == "person":
        resident_id = data["resident_id"].strip().upper()
        person = Person.objects.filter(matching("resident_id", resident_id)).first()
        if person is None:
            if not data["person_name"].strip():
                raise ServiceError("新登记的自然人须填写姓名", errors={"person_name": ["新登记的自然人须填写姓名"]})
            try:
                person = account_services.create_person(
                    actor, name=data["person_name"].strip(), resident_id=resident_id, phone=data["contact_phone"]
                )
            except ServiceError as exc:
                exc.errors = {("person_name" if k == "name" else k): v for k, v in exc.errors.items()}
                raise
        return person, None
    uscc = data["uscc"].strip().upper()
    org = Organisation.objects.filter(uscc=uscc).first()
    if org is None:
        if not data["organisation_name"].strip() or not data["organisation_region"]:
            errors = {}
            if not data["organisation_name"].strip():
                errors["organisation_name"] = ["新登记的组织须填写单位名称"]
            if not data["organisation_region"]:
                errors["organisation_region"] = ["新登记的组织须选择登记地"]
            raise ServiceError("该统一社会信用代码尚未登记，请填写单位信息", errors=errors)
        try:
            org = account_services.create_organisation(
                actor, {"uscc": uscc, "name": data["organisation_name"].strip(), "region": data["organisation_region"]}
            )
        except ServiceError as exc:
            renamed = {"name": "organisation_name", "region": "organisation_region"}
            exc.errors = {renamed.get(k, k): v for k, v in exc.errors.items()}
            raise
    return None, org


@transaction.atomic
def request_correction(actor, case, items, *, version=None, at=None):
    """One notice (一次性告知) listing everything to add or fix; the clock stops until answered."""
    case = _locked(case, version, actor, "correct")
    items = [
        {"material": (i.get("material") or "").strip(), "problem": (i.get("problem") or "").strip()}
        for i in items
        if (i.get("material") or i.get("problem") or "").strip()
    ]
    if not items or any(not i["problem"] for i in items):
        raise ServiceError("请逐项写明需补正的材料及问题", errors={"items": ["补正内容不能为空，每项须写明问题"]})
    previous = case.state
    case.state = transitions.after("correct", previous)
    with audit.because([f"{i['material']}：{i['problem']}" if i["material"] else i["problem"] for i in items]):
        _save(case, "state")
        return _event(case, Kind.CORRECTION_REQUESTED, actor, _now(at), data={"items": items, "previous": previous})


@transaction.atomic
def answer_correction(actor, case, note="", *, version=None, at=None, data=None):
    """The corrected materials, handed in online by the applicant or at the
    window (the clerk records them); the case goes back to where it was."""
    case = _locked(case, version, actor, "answer_correction")
    request = case.events.filter(kind=Kind.CORRECTION_REQUESTED).order_by("-seq").first()
    at = _now(at)
    event = _event(case, Kind.CORRECTION_ANSWERED, actor, at, reason=note, data=data)
    case.state = transitions.after("answer_correction", case.state, previous=request.data.get("previous"))
    fields = ["state"]
    if case.accepted_at:
        case.due_date = _recomputed_due(case, at)
        fields.append("due_date")
    _save(case, *fields)
    return event


def answer_correction_with_files(actor, case, note="", *, files, version=None, data=None):
    """The corrected materials with their files: the step and the files
    together, or neither (a refused step leaves no file behind)."""
    uploads.check_all(files)
    written = []
    try:
        with transaction.atomic():
            event = answer_correction(actor, case, note, version=version, data=data)
            written = uploads.store_all(case, files, actor)
    except Exception:
        uploads.discard(written)
        raise
    return event


def _recomputed_due(case, now):
    events = list(case.events.order_by("seq"))
    return deadlines.due_date(
        case.accepted_at, case.matter.promised_limit, deadlines.paused_working_days(events, until=now)
    )


@transaction.atomic
def accept(actor, case, *, version=None, at=None):
    """Accept (受理): the promised limit starts; the deadline counts working days."""
    case = _locked(case, version, actor, "accept")
    at = _now(at)
    case.state, case.accepted_at = transitions.after("accept", case.state), at
    case.due_date = deadlines.due_date(at, case.matter.promised_limit)
    _save(case, "state", "accepted_at", "due_date")
    return _event(case, Kind.ACCEPT, actor, at, data={"due_date": case.due_date.isoformat()})


# 容缺受理: the key materials are there, a few secondary ones may follow
# within a promised time (国发〔2022〕5号 推行容缺受理); the catalogue marks
# which materials may (Material.tolerable).
TOLERANT_MAX_DAYS = 20


@transaction.atomic
def accept_tolerant(actor, case, *, pending, promise_days, note="", version=None, at=None):
    """Accept with materials to follow (容缺受理): the clock starts now and the
    applicant promises the listed materials within `promise_days` working days."""
    case = _locked(case, version, actor, "accept_tolerant")
    allowed = {m.name for m in transitions.tolerant_materials(case)}
    pending = [name for name in (pending or []) if name]
    errors = {}
    if not pending:
        errors["pending"] = ["请选择容缺后补的材料"]
    elif set(pending) - allowed:
        errors["pending"] = ["所选材料不在本情形可容缺的材料中：" + "、".join(sorted(set(pending) - allowed))]
    if not isinstance(promise_days, int) or not 1 <= promise_days <= TOLERANT_MAX_DAYS:
        errors["promise_days"] = [f"承诺补齐期限应为1到{TOLERANT_MAX_DAYS}个工作日"]
    if errors:
        raise ServiceError("容缺受理信息有误", errors=errors)
    at = _now(at)
    case.state, case.accepted_at = transitions.after("accept_tolerant", case.state), at
    case.due_date = deadlines.due_date(at, case.matter.promised_limit)
    promise_by = workdays.add_working_days(deadlines.local_date(at), promise_days)
    _save(case, "state", "accepted_at", "due_date")
    return _event(
        case,
        Kind.ACCEPT,
        actor,
        at,
        reason=(note or "").strip(),
        data={
            "due_date": case.due_date.isoformat(),
            "tolerant": True,
            "pending": pending,
            "promise_by": promise_by.isoformat(),
        },
    )


@transaction.atomic
def refuse(actor, case, *, reasons, legal_basis, version=None, at=None):
    """Refuse (不予受理) with reasons and the legal basis, for the printed notice."""
    case = _locked(case, version, actor, "refuse")
    errors = {}
    if not (reasons or "").strip():
        errors["reasons"] = ["不予受理理由为必填项"]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = ["法律依据为必填项"]
    if errors:
        raise ServiceError("请写明不予受理的理由和依据", errors=errors)
    at = _now(at)
    case.state, case.concluded_at = transitions.after("refuse", case.state), at
    with audit.because(reasons):
        _save(case, "state", "concluded_at")
        return _event(case, Kind.REFUSE, actor, at, reason=reasons.strip(), data={"legal_basis": legal_basis.strip()})


# --- moving between window, departments and levels ---


def _transfer(case, actor, at, to_department, *, to_window=False, reason=""):
    from_department, from_window = case.holder, case.at_window
    case.holder, case.at_window = to_department, to_window
    case.state = transitions.after("transfer", case.state, to_window=to_window)
    return _event(
        case,
        Kind.TRANSFER,
        actor,
        at,
        department=to_department,
        reason=reason,
        data={
            "from": from_department.name + ("（窗口）" if from_window else ""),
            "to": to_department.name + ("（窗口）" if to_window else ""),
            "from_department": from_department.pk,
            "to_department": to_department.pk,
            "to_window": to_window,
        },
    )


@transaction.atomic
def transfer(actor, case, *, to_department=None, to_window=False, reason="", version=None, at=None):
    """Hand a case on (流转): window → department, department → department,
    between levels, or back to the window."""
    case = _locked(case, version, actor, "transfer")
    if to_window:
        to_department = _handover_department(case)
    if to_department is None:
        raise ServiceError("请选择流转去向", errors={"to_department": ["流转去向为必填项"]})
    if to_department.pk == case.holder_id and to_window == case.at_window:
        raise ServiceError("办件已在该部门", errors={"to_department": ["流转去向不能是当前承办部门"]})
    with audit.because(reason):
        event = _transfer(case, actor, _now(at), to_department, to_window=to_window, reason=reason)
        _save(case, "holder", "at_window", "state")
    return event


def _handover_department(case):
    """Results go out at one window: the hall that received the case, or for
    online and postal cases the service centre of the deciding region."""
    if case.window_id:
        return case.window.hall.department
    centre = Department.objects.filter(is_centre=True, region_id=case.holder.region_id).first()
    return centre or case.holder


def _next_level_department(case):
    """The same function's department one level up, for county→city→province review."""
    region = case.holder.region.parent
    department = Department.objects.filter(function=case.holder.function, region=region).first()
    if department is None:
        raise ServiceError(f"{region}没有{case.holder.short_name}，无法报送上级审查")
    return department


@transaction.atomic
def review(actor, case, *, opinion, version=None, at=None):
    """A level's review (审查): passes the case up to the next level that must review it."""
    case = _locked(case, version, actor, "review")
    if not (opinion or "").strip():
        raise ServiceError("审查意见为必填项", errors={"opinion": ["审查意见为必填项"]})
    at = _now(at)
    event = _event(case, Kind.REVIEW, actor, at, reason=opinion.strip(), data={"level": case.holder.level})
    case.review_step += 1
    case.state = transitions.after("review", case.state)
    _transfer(case, actor, at, _next_level_department(case), reason="报上级审查")
    _save(case, "review_step", "holder", "at_window", "state")
    return event


@transaction.atomic
def suspend(actor, case, *, procedure, reason, version=None, at=None):
    """Special procedure (特别程序): hearing, expert review … not counted against the limit."""
    case = _locked(case, version, actor, "suspend")
    if not (procedure or "").strip() or not (reason or "").strip():
        raise ServiceError(
            "请写明特别程序种类和原因", errors={"procedure": ["特别程序种类为必填项"], "reason": ["原因为必填项"]}
        )
    case.state = transitions.after("suspend", case.state)
    with audit.because(reason):
        _save(case, "state")
        return _event(case, Kind.SUSPEND, actor, _now(at), reason=reason.strip(), data={"procedure": procedure.strip()})


@transaction.atomic
def resume(actor, case, *, result="", version=None, at=None):
    case = _locked(case, version, actor, "resume")
    at = _now(at)
    event = _event(case, Kind.RESUME, actor, at, reason=result)
    case.state = transitions.after("resume", case.state)
    case.due_date = _recomputed_due(case, at)
    _save(case, "state", "due_date")
    return event


@transaction.atomic
def decide(actor, case, *, approved, opinion, version=None, at=None):
    """The decision (决定) at the last review level concludes the case; the
    result then goes back to the window that hands it out."""
    case = _locked(case, version, actor, "decide")
    if not (opinion or "").strip():
        raise ServiceError("决定意见为必填项", errors={"opinion": ["决定意见为必填项"]})
    at = _now(at)
    case.state = transitions.after("decide", case.state, approved=approved)
    case.concluded_at = at
    events = list(case.events.order_by("seq"))
    used = workdays.working_days_between(
        deadlines.local_date(case.accepted_at), deadlines.local_date(at)
    ) - deadlines.paused_working_days(events, until=at)
    event = _event(
        case,
        Kind.CONCLUDE,
        actor,
        at,
        reason=opinion.strip(),
        data={"approved": bool(approved), "working_days": used, "on_time": deadlines.local_date(at) <= case.due_date},
    )
    _transfer(case, actor, at, _handover_department(case), to_window=True, reason="办结，转窗口出件")
    _save(case, "state", "concluded_at", "holder", "at_window")
    return event


# --- at the window again: certificates and hand-over ---


def _issuer_uscc(department):
    return department.uscc or department.region_id.ljust(18, "0")


@transaction.atomic
def issue(actor, case, *, copies=1, valid_years=None, version=None, at=None):
    """Issue the result (颁发): one or more numbered certificates with e-certificate identifiers."""
    case = _locked(case, version, actor, "issue")
    if not 1 <= copies <= 1000:
        raise ServiceError("证照数量应在1到1000之间", errors={"copies": ["证照数量应在1到1000之间"]})
    at = _now(at)
    issued_on = deadlines.local_date(at)
    matter = case.matter
    decision = case.events.filter(kind=Kind.CONCLUDE).order_by("-seq").first()
    issuer = decision.department
    type_code = matter.certificate_type_code or matter.catalogue_code[:6]
    certificates = []
    for _ in range(copies):
        serial = next_serial(f"cert:{type_code}:{issued_on:%Y}")
        certificate = Certificate.objects.create(
            case=case,
            number=identifiers.certificate_number(type_code, issued_on, serial),
            e_certificate_id=identifiers.e_certificate_id(type_code, _issuer_uscc(issuer), serial, year=issued_on.year),
            title=matter.result_name,
            holder_name=case.applicant_name,
            holder_code=case.applicant_code,
            issuer=issuer,
            issued_at=at,
            valid_until=issued_on.replace(year=issued_on.year + valid_years) if valid_years else None,
        )
        # Counted under the department that issues it, not the window handing it out.
        _event(case, Kind.ISSUE, actor, at, department=issuer, data={"certificate": certificate.number})
        certificates.append(certificate)
    case.state = transitions.after("issue", case.state)
    _save(case, "state")
    return certificates


@transaction.atomic
def hand_over(actor, case, *, method, address="", version=None, at=None):
    """Hand the result over (送达) at the window or by post."""
    case = _locked(case, version, actor, "hand_over")
    if method not in ("window", "post"):
        raise ServiceError("送达方式应为窗口领取或邮寄送达", errors={"method": ["送达方式不在可选范围内"]})
    if method == "post" and not address.strip():
        raise ServiceError("邮寄送达须填写地址", errors={"address": ["邮寄地址为必填项"]})
    case.state, case.delivery, case.delivery_address = (
        transitions.after("hand_over", case.state),
        method,
        address.strip(),
    )
    _save(case, "state", "delivery", "delivery_address")
    return _event(case, Kind.HANDOVER, actor, _now(at), data={"method": method, "address": address.strip()})


# --- 好差评 ---


@transaction.atomic
def evaluate(actor, case, *, score, comment="", at=None):
    """The applicant rates a concluded case once; a poor rating opens a follow-up."""
    case = _locked(case, None, actor, "evaluate")
    if score not in Evaluation.Score.values:
        raise ServiceError("评价应为1到5分", errors={"score": ["评价应为非常满意（5）至非常不满意（1）之一"]})
    if Evaluation.objects.filter(case=case).exists():
        raise Conflict("该办件已评价过")
    at = _now(at)
    evaluation = Evaluation(case=case, score=score, comment=comment.strip(), at=at)
    if evaluation.is_poor:
        from core.workdays import add_working_days

        evaluation.follow_up_due = add_working_days(deadlines.local_date(at), POOR_FOLLOW_UP_DAYS)
        if not evaluation.comment:
            raise ServiceError("差评请写明不满意的原因", errors={"comment": ["评价为不满意时须填写意见"]})
    evaluation.save()
    _event(case, Kind.EVALUATE, actor, at, reason=evaluation.comment, data={"score": score})
    return evaluation


@transaction.atomic
def close_follow_up(actor, evaluation, *, result, at=None):
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",)).select_related("case", "case__holder").get(pk=evaluation.pk)
    )
    policy.require(actor, "case.follow_up", evaluation.case)
    if not evaluation.is_poor or evaluation.follow_up_closed_at:
        raise Conflict("该评价没有待整改事项")
    if not (result or "").strip():
        raise ServiceError("请写明整改及回访情况", errors={"result": ["整改及回访情况为必填项"]})
    evaluation.follow_up_result, evaluation.follow_up_by = result.strip(), actor
    evaluation.follow_up_closed_at = _now(at)
    evaluation.save(update_fields=["follow_up_result", "follow_up_by", "follow_up_closed_at"])
    return evaluation


def record_policy_consultation(actor, *, question, answer, department=None, asker="", key="", at=None):
    """A consultation in the policy zone (政策咨询), counted in person-times with
    the window's consultations, in its own channel (网上政策咨询), for the
    department that claims the benefit item the answer came from. `actor` is
    the signed-in public user, or None for an anonymous asker (recorded as
    匿名); `key` names the asker (user, session or address, hashed) so that
    policies.consultation counts one question once per asker per day."""
    if not (question or "").strip():
        raise ServiceError("咨询内容为必填项", errors={"question": ["咨询内容为必填项"]})
    label = (asker or "").strip() or (_label(actor) if actor is not None else "匿名")
    return _event(
        None,
        Kind.CONSULT,
        actor,
        _now(at),
        department=department,
        channel=EventChannel.POLICY,
        data={
            "asker": label,
            "question": question.strip()[:500],
            "answer": (answer or "").strip()[:2000],
            "source": "policy_zone",
            "asker_key": key,
        },
    )
