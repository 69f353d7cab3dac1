"""Console pages for cases (/console/cases/): the worklist, the case page with
the steps the signed-in user may take now, window intake and consultations,
printable notices, certificates with their QR code, and the statistics
dashboard with its Excel export. Every change goes through cases.services."""

import datetime as dt
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.models import Role
from accounts.views import console_view
from catalog.models import Matter
from core import audit, audit_display, case_marks, masking, tables
from core.errors import Conflict, ServiceError
from core.forms import show_service_error
from core.masking import mask_holder_code
from core.models import CalendarYear, Department, Level
from core.personal import matching

from . import deadlines, forms, personal, services, stats, transitions
from .models import Case, CaseEvent, Certificate, Evaluation

State = Case.State
Kind = CaseEvent.Kind
OPEN_STATES = [s for s in State.values if s not in (State.DELIVERED, State.REFUSED)]
WARNING_LABELS = {"red": "已超期", "yellow": "即将到期"}
SESSION_WINDOW = "cases.window"


# --- helpers shared with the public pages ---


def describe(event):
    """What an event says beyond its kind, in plain Chinese."""
    data, parts = event.data or {}, []
    if event.kind == Kind.CONSULT:
        parts.append(f"咨询人：{data.get('asker', '')}；问：{data.get('question', '')}；答：{data.get('answer', '')}")
    if event.kind == Kind.RECEIVE and data.get("answers"):
        parts.append("引导问答：" + "；".join(f"{a['question']} {a['answer']}" for a in data["answers"]))
    if event.kind == Kind.ACCEPT and data.get("tolerant"):
        parts.append(
            f"容缺受理，申请人承诺于 {data.get('promise_by', '')} 前补齐：{'、'.join(data.get('pending', []))}"
        )
    if event.kind == Kind.CORRECTION_ANSWERED and data.get("materials"):
        parts.append("补交：" + "、".join(data["materials"]))
    if event.kind == Kind.CORRECTION_REQUESTED:
        parts.append(
            "；".join(
                f"{i['material'] + '：' if i.get('material') else ''}{i['problem']}" for i in data.get("items", [])
            )
        )
    if event.kind == Kind.ACCEPT and data.get("due_date"):
        parts.append(f"承诺办结日期 {data['due_date']}")
    if event.kind == Kind.REFUSE and data.get("legal_basis"):
        parts.append(f"依据：{data['legal_basis']}")
    if event.kind == Kind.TRANSFER and data.get("to"):
        parts.append(f"{data.get('from', '')} → {data['to']}")
    if event.kind == Kind.SUSPEND and data.get("procedure"):
        parts.append(f"程序：{data['procedure']}")
    if event.kind == Kind.CONCLUDE and "approved" in data:
        parts.append("准予" if data["approved"] else "不予许可")
        if "working_days" in data:
            parts.append(f"用时 {data['working_days']} 个工作日{'，按时' if data.get('on_time') else '，超期'}")
    if event.kind == Kind.ISSUE and data.get("certificate"):
        parts.append(f"证照编号 {data['certificate']}")
    if event.kind == Kind.HANDOVER and data.get("method"):
        parts.append(
            "窗口领取"
            if data["method"] == "window"
            else f"邮寄送达：{masking.mask_address(personal.event_value(data, 'address'))}"
        )
    if event.kind == Kind.EVALUATE and data.get("score"):
        parts.append(Evaluation.Score(data["score"]).label)
    return "；".join(p for p in parts if p)


def event_rows(case):
    events = case.events.select_related("department", "window").order_by("seq")
    return [
        {
            "event": e,
            "detail": describe(e),
            "where": (
                f"{e.window.number} {e.window.name}"
                if e.window_id and e.kind in (Kind.RECEIVE, Kind.CONSULT)
                else (e.department.name if e.department_id else "")
            ),
        }
        for e in events
    ]


def latest(case, kind):
    return case.events.filter(kind=kind).order_by("-seq").first()


def file_rows(case):
    """The situation's materials with what was uploaded for each, then files of no listed material."""
    files = list(case.files.select_related("material").order_by("uploaded_at", "id"))
    rows = []
    for material in case.situation.materials.all():
        rows.append({"material": material, "files": [f for f in files if f.material_id == material.pk]})
    listed = {r["material"].pk for r in rows}
    others = [f for f in files if f.material_id not in listed]
    return rows, others


def _case_or_404(number):
    return get_object_or_404(
        Case.objects.select_related(
            "matter",
            "matter__department",
            "situation",
            "holder",
            "holder__region",
            "region",
            "window",
            "window__hall",
            "applicant_person",
            "applicant_organisation",
            "agent",
        ),
        number=number,
    )


def _evaluation(case):
    return Evaluation.objects.filter(case=case).first()


# --- the steps a user may take now ---


def destinations(case):
    """Where a case may be transferred: the departments of the matter's
    function along the case's region chain (county → city → province), and
    back to the window once it is in a back office."""
    function = case.matter.department.function
    chain, region = [], case.region
    while region is not None:
        chain.append(region.code)
        region = region.parent
    departments = {d.region_id: d for d in Department.objects.filter(function=function, region_id__in=chain)}
    choices = []
    for code in chain:
        department = departments.get(code)
        if department and not (department.pk == case.holder_id and not case.at_window):
            choices.append((str(department.pk), department.name))
    if not case.at_window:
        choices.append(("window", "退回窗口"))
    return choices


def available_steps(user, case, evaluation=None):
    """What the case page offers: exactly what the transition table allows
    `user` now (cases/transitions.py), less a transfer with nowhere to go."""
    return [name for name in transitions.offered(user, case, evaluation) if name != "transfer" or destinations(case)]


def _form(step, case, data=None, files=None):
    cls = forms.STEP_FORMS[step]
    kwargs = {"destinations": destinations(case)} if step == "transfer" else {}
    if step == "answer_correction":
        kwargs = {"materials": case.situation.materials.all()}
    if step == "accept_tolerant":
        kwargs = {"materials": transitions.tolerant_materials(case)}
    if files is not None:
        kwargs["files"] = files
    initial = {"version": case.version}
    if step == "transfer" and kwargs["destinations"] and case.at_window:
        initial["to"] = kwargs["destinations"][0][0]
    return cls(data, initial=initial, auto_id=f"{step}_%s", **kwargs)


def _run(step, user, case, data):
    """Take one step through the services; returns the success message."""
    version = data.get("version")
    if step == "accept":
        services.accept(user, case, version=version)
        case.refresh_from_db()
        return f"已受理，承诺办结日期为 {case.due_date:%Y-%m-%d}"
    if step == "accept_tolerant":
        services.accept_tolerant(
            user, case, pending=data["pending"], promise_days=data["promise_days"], note=data["note"], version=version
        )
        case.refresh_from_db()
        return f"已容缺受理，承诺办结日期为 {case.due_date:%Y-%m-%d}；申请人须在承诺期限内补齐所列材料"
    if step == "answer_correction":
        items = data["uploads"]
        services.answer_correction_with_files(
            user,
            case,
            data["note"],
            files=items,
            version=version,
            data={"at_window": True, "materials": [m.name for _, m, _ in items]},
        )
        return "已登记补正材料，请审核后受理"
    if step == "refuse":
        services.refuse(user, case, reasons=data["reasons"], legal_basis=data["legal_basis"], version=version)
        return "已作出不予受理决定，请打印《不予受理通知书》交申请人"
    if step == "correct":
        services.request_correction(user, case, data["items"], version=version)
        return "已发出一次性告知，请打印《一次性告知书》交申请人"
    if step == "transfer":
        to = data["to"]
        if to == "window":
            services.transfer(user, case, to_window=True, reason=data["reason"], version=version)
            return "已退回窗口"
        if to not in {value for value, _ in destinations(case)}:
            raise ServiceError("流转去向不在可选范围内", errors={"to": ["流转去向不在可选范围内"]})
        department = Department.objects.get(pk=int(to))
        services.transfer(user, case, to_department=department, reason=data["reason"], version=version)
        return f"已流转至{department.name}"
    if step == "review":
        services.review(user, case, opinion=data["opinion"], version=version)
        case.refresh_from_db()
        return f"审查通过，已报{case.holder.name}"
    if step == "suspend":
        services.suspend(user, case, procedure=data["procedure"], reason=data["reason"], version=version)
        return "已启动特别程序，期间不计入办理时限"
    if step == "resume":
        services.resume(user, case, result=data["result"], version=version)
        case.refresh_from_db()
        return f"特别程序已结束，承诺办结日期调整为 {case.due_date:%Y-%m-%d}"
    if step == "decide":
        services.decide(user, case, approved=data["approved"], opinion=data["opinion"], version=version)
        return "已作出决定，办件已转窗口出件"
    if step == "issue":
        certificates = services.issue(
            user, case, copies=data["copies"], valid_years=data["valid_years"], version=version
        )
        return "已颁发证照：" + "、".join(c.number for c in certificates)
    if step == "hand_over":
        services.hand_over(user, case, method=data["method"], address=data["address"], version=version)
        return "已送达"
    if step == "follow_up":
        evaluation = _evaluation(case)
        if evaluation is None:
            raise Conflict("该办件没有评价")
        services.close_follow_up(user, evaluation, result=data["result"])
        return "整改回访已完成"
    raise Http404


def _detail_context(request, case, bound=None):
    user = request.user
    evaluation = _evaluation(case)
    steps = available_steps(user, case, evaluation)
    step_forms = []
    for step in steps:
        form = bound[1] if bound and bound[0] == step else _form(step, case)
        row = transitions.STEPS[step]
        step_forms.append(
            {
                "name": step,
                "title": row.title,
                "button": row.button,
                "form": form,
                "confirm": row.confirm,
                "files": step == "answer_correction",
            }
        )
    materials, other_files = file_rows(case)
    warning = deadlines.warning(case)
    audit_rows = None
    if policy.can(user, "audit.view"):
        # Everything that happened to the case, in words: one query (core.audit.history).
        reader = audit_display.Reader()
        audit_rows = [reader.read(e) for e in audit.history(case)[:200]]
    return {
        "audit_rows": audit_rows,
        "case": case,
        "events": event_rows(case),
        "materials": materials,
        "other_files": other_files,
        "certificates": case.certificates.select_related("issuer").order_by("number"),
        "evaluation": evaluation,
        "steps": step_forms,
        "warning": warning,
        "warning_label": WARNING_LABELS.get(warning, ""),
        # Counted in a year whose holidays are computed, not yet the notice's: it may move.
        "due_provisional": bool(case.due_date)
        and CalendarYear.objects.filter(year=case.due_date.year, provisional=True).exists(),
        "accepted": latest(case, Kind.ACCEPT),
        "refused": latest(case, Kind.REFUSE),
        "correction": latest(case, Kind.CORRECTION_REQUESTED),
        "applicant": case.applicant_person or case.applicant_organisation,
        "personal": personal.shown(request.user, case),
    }


# --- pages ---

WORKLIST_VIEWS = {"todo": "待我处理", "all": "全部可查看的办件"}


def _worklist_states(request):
    # 全部（含已办结） only where finished cases are listed at all.
    extra = [("all", "全部（含已办结）")] if request.GET.get("view") != "todo" else []
    return list(State.choices) + extra


WORKLIST_TABLE = tables.Table(
    "worklist",
    title="办件",
    columns=[
        tables.Column(
            "number",
            "办件编号",
            "number",
            order=("number",),
            link=lambda c: reverse("cases_console:detail", args=[c.number]),
        ),
        tables.Column(
            "matter", "事项（情形）", lambda c: f"{c.matter.name}（{c.situation.name}）", order=("matter__name",)
        ),
        tables.Column("applicant", "申请人", "applicant_name", order=("applicant_name",)),
        tables.Column("channel", "渠道", "get_channel_display", order=("channel",)),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column(
            "holder",
            "承办",
            lambda c: (c.holder.short_name or c.holder.name) + ("（窗口）" if c.at_window else ""),
            order=("holder__name",),
        ),
        tables.Column("received", "收件时间", "received_at", order=("received_at",)),
        tables.Column("due", "承诺办结日期", lambda c: c.due_date or "未受理", order=("due_date",)),
    ],
    filters=[
        # The state is applied by the view: its meaning depends on the tab.
        tables.Filter("state", "状态", choices=_worklist_states, view_applies=True, blank="未办结（全部在办）"),
        tables.Filter(
            "q",
            "办件编号、申请人或事项",
            # An ID number or credit code is found by its keyed hash (core.personal).
            apply=lambda qs, q: qs.filter(
                Q(number=q)
                | Q(applicant_name__contains=q)
                | Q(matter__name__contains=q)
                | matching("applicant_code", q)
            ),
        ),
    ],
)


def _at_my_desk(user, qs):
    """Cases whose next step is this person's: at the window for clerks, in
    their own department for department staff."""
    if user.role == Role.CLERK:
        return qs.filter(at_window=True)
    if user.role in policy.DEPARTMENT_BOUND:
        return qs.filter(holder=user.department_id, at_window=False)
    return qs


@console_view
def worklist(request):
    user = request.user
    policy.require(user, "case.view")
    qs = policy.visible(
        user,
        Case.objects.select_related("matter", "situation", "holder", "window"),
        region_field="region__code",
        function_field="holder__function",
    )
    view = request.GET.get("view", "")
    if view not in WORKLIST_VIEWS:
        view = "all" if request.GET.get("state") else "todo"
    state = request.GET.get("state", "")
    if view == "todo":
        # 待我处理: what waits at my desk now, newest arrival first, so a case
        # just received or just passed on is never buried under older ones.
        state = state if state in State.values else ""
        qs = _at_my_desk(user, qs).filter(state=state) if state else _at_my_desk(user, qs).filter(state__in=OPEN_STATES)
        qs = qs.order_by(F("moved_at").desc(nulls_last=True), "-id")  # kept by the services with each event
    else:
        # Everything this person may see, including cases their department
        # handled before and has passed on (accounts.policy.HANDLED_READ).
        if state == "all":
            pass
        elif state in State.values:
            qs = qs.filter(state=state)
        else:
            state = ""
            qs = qs.filter(state__in=OPEN_STATES)
        qs = qs.order_by(F("due_date").asc(nulls_last=True), "received_at", "id")
    table = WORKLIST_TABLE.bind(request, qs)
    if table.export_requested:
        return table.export_response()
    today = timezone.localdate()
    marks = case_marks.for_cases([row.obj.pk for row in table.rows], today)  # e.g. 容缺逾期 (bundles)
    for row in table.rows:
        row.warning = deadlines.warning(row.obj, today)
        row.label = WARNING_LABELS.get(row.warning, "")
        row.marks = marks.get(row.obj.pk, [])
    scope = "window" if user.role == Role.CLERK else ("department" if user.role in policy.DEPARTMENT_BOUND else "all")
    return render(
        request,
        "cases/worklist.html",
        {
            "table": table,
            "scope": scope,
            "view": view,
            "views": WORKLIST_VIEWS.items(),
            "red": sum(r.warning == "red" for r in table.rows),
            "yellow": sum(r.warning == "yellow" for r in table.rows),
            "can_receive": policy.can(user, "case.receive"),
            "can_consult": policy.can(user, "case.consult"),
            "can_stats": policy.can(user, "stats.view"),
        },
    )


@console_view
def detail(request, number):
    case = _case_or_404(number)
    policy.require(request.user, "case.view", case)
    return render(request, "cases/detail.html", _detail_context(request, case))


@console_view
@require_POST
def step(request, number, step):
    if step not in forms.STEP_FORMS:
        raise Http404
    case = _case_or_404(number)
    policy.require(request.user, "case.view", case)
    form = _form(step, case, request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            data = dict(form.cleaned_data)
            if step == "correct":
                data["items"] = form.item_list()
            if step == "answer_correction":
                data["uploads"] = forms.uploads_of(form)
            message = _run(step, request.user, case, data)
        except Conflict as exc:
            # Someone moved the case first: show it as it is now, and say so.
            case = _case_or_404(number)
            messages.error(request, exc.message)
            data = request.POST.copy()
            data["version"] = case.version
            form = _form(step, case, data)
            form.is_valid()
            status = 409
        except ServiceError as exc:
            show_service_error(form, exc)
            case = _case_or_404(number)
        else:
            messages.success(request, message)
            if policy.can(request.user, "case.view", case):
                return redirect("cases_console:detail", number=case.number)
            return redirect("cases_console:worklist")
    return render(request, "cases/detail.html", _detail_context(request, case, bound=(step, form)), status=status)


@console_view
def download(request, number, pk):
    case = _case_or_404(number)
    policy.require(request.user, "case.view", case)
    record = get_object_or_404(case.files, pk=pk)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return FileResponse(
        handle, as_attachment=True, filename=record.original_name or record.file.name, content_type=record.content_type
    )


NOTICES = {
    "accept": ("受理通知书", Kind.ACCEPT),
    "refuse": ("不予受理通知书", Kind.REFUSE),
    "correction": ("一次性告知书", Kind.CORRECTION_REQUESTED),
}


@console_view
def notice(request, number, kind):
    if kind not in NOTICES:
        raise Http404
    case = _case_or_404(number)
    policy.require(request.user, "case.view", case)
    title, event_kind = NOTICES[kind]
    event = latest(case, event_kind)
    if event is None:
        raise Http404("该办件没有此项通知")
    return render(
        request,
        "cases/notice.html",
        {
            "case": case,
            "kind": kind,
            "title": title,
            "event": event,
            "items": (event.data or {}).get("items", []),
            "applicant": case.applicant_person or case.applicant_organisation,
            "materials": case.situation.materials.all(),
        },
    )


@console_view
def certificate(request, number):
    import segno

    cert = get_object_or_404(Certificate.objects.select_related("case", "issuer"), number=number)
    case = _case_or_404(cert.case.number)
    policy.require(request.user, "case.view", case)
    code = cert.verification_code
    url = request.build_absolute_uri(reverse("cases:verify_detail", args=[code]))
    qr = segno.make(url, error="m").svg_inline(scale=4, title=f"核验 {cert.number}")
    return render(
        request,
        "cases/certificate.html",
        {
            "cert": cert,
            "case": case,
            "verify_url": url,
            "qr": qr,
            "code": code,
            "masked": mask_holder_code(cert.holder_code),
        },
    )


# --- window intake and consultations ---


def _default_window(request):
    return request.session.get(SESSION_WINDOW)


def _search_matters(q):
    qs = Matter.objects.filter(active=True).select_related("department")
    if q:
        qs = qs.filter(
            Q(name__contains=q) | Q(implementation_code=q) | Q(catalogue_code=q) | Q(department__name__contains=q)
        )
    return qs.order_by("name")[:30]


@console_view
@require_http_methods(["GET", "POST"])
def intake(request):
    user = request.user
    policy.require(user, "case.receive")
    q = request.GET.get("q", "").strip()
    matter_id = request.POST.get("matter") or request.GET.get("matter")
    matter = None
    if matter_id and str(matter_id).isdigit():
        matter = Matter.objects.filter(pk=int(matter_id), active=True).select_related("department").first()
    context = {"q": q, "matter": matter, "results": _search_matters(q) if (q or not matter) else []}
    if matter is None:
        return render(request, "cases/intake.html", context)
    form = forms.IntakeForm(request.POST or None, matter=matter, initial={"window": _default_window(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.receive_at_window(
                user,
                applicant=data,
                matter=matter,
                situation=data["situation"],
                region=data["region"],
                window=data["window"],
                contact_phone=data["contact_phone"],
                note=data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            request.session[SESSION_WINDOW] = data["window"].pk
            messages.success(request, f"已收件，办件编号 {case.number}")
            return redirect("cases_console:detail", number=case.number)
    context.update(form=form, materials=form["situation"].value() and _materials_of(matter, form["situation"].value()))
    return render(request, "cases/intake.html", context)


def _materials_of(matter, situation_id):
    situation = matter.situations.filter(pk=situation_id).first() if str(situation_id).isdigit() else None
    return list(situation.materials.all()) if situation else []


@console_view
@require_http_methods(["GET", "POST"])
def consult(request):
    user = request.user
    policy.require(user, "case.consult")
    form = forms.ConsultationForm(request.POST or None, initial={"window": _default_window(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consultation(
                user,
                asker=data["asker"],
                question=data["question"],
                answer=data["answer"],
                matter=data["matter"],
                window=data["window"],
                channel=data["channel"],
                phone=data["phone"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if data["window"]:
                request.session[SESSION_WINDOW] = data["window"].pk
            messages.success(request, f"已登记{data['asker']}的咨询")
            return redirect("cases_console:consult")
    recent = (
        CaseEvent.objects.filter(kind=Kind.CONSULT, actor=user)
        .select_related("matter", "window")
        .order_by("-at", "-id")[:10]
    )
    return render(
        request, "cases/consult.html", {"form": form, "recent": [{"event": e, "data": e.data or {}} for e in recent]}
    )


# --- statistics ---


def _stats_view_allowed(user):
    policy.require(user, "stats.view")


DIMENSION_TITLES = {"department": "按部门", "window": "按窗口", "matter": "按事项", "channel": "按渠道"}
DEMO_WEEK = (dt.date(2024, 11, 4), dt.date(2024, 11, 8))


def _stats(request, top=None):
    today = timezone.localdate()
    user = request.user
    scoped_departments, _, window_choices = stats.scope(user)
    # Choices from the catalogue, not from the event log (which is large).
    departments = (
        Department.objects.filter(level=Level.PROVINCE).order_by("id")
        if scoped_departments is None
        else Department.objects.filter(pk__in=scoped_departments).order_by("id")
    )
    matters = Matter.objects.filter(active=True).order_by("name").only("id", "name")
    form = forms.StatsForm(request.GET or None, departments=departments, matters=matters, windows=window_choices)
    period, kind, filters = stats.Period.week_of(today), "week", {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        on = data["on"] or today
        if data["start"] or data["end"]:
            period = stats.Period(data["start"] or data["end"], data["end"] or data["start"])
            kind = "custom"
        elif data["period"] == "ytd":
            period, kind = stats.Period.year_to(on), "ytd"
        else:
            period = stats.Period.week_of(on)
        filters = {name: data[name] for name in ("department", "window", "matter", "channel") if data[name]}
    if user.role == Role.CLERK and "window" not in filters:
        filters["window"] = request.session.get(SESSION_WINDOW)
    scope_departments, scope_windows, _ = stats.scope(user, filters.get("window"))
    if scope_windows is not None:
        filters["window"] = scope_windows[0]
    reach = {"departments": scope_departments, "windows": scope_windows}
    got = stats.report(period, top=top, **filters, **reach)
    figures, year, daily = got["figures"], period.year_to_end(), got["daily"]
    if period.days() <= 62:
        # Days without events show as zero in the chart.
        by_day = {row["day"]: row for row in daily}
        daily = [
            by_day.get(
                period.start + dt.timedelta(days=i),
                {"day": period.start + dt.timedelta(days=i), **dict.fromkeys(stats.FIGURES, 0)},
            )
            for i in range(period.days())
        ]
    year_figures = figures if year == period else stats.figures(year, **filters, **reach)
    return {
        "form": form,
        "period": period,
        "kind": kind,
        "filters": filters,
        "reach": reach,
        "year": year,
        "figures": [(name, stats.FIGURE_NAMES[name], figures[name]) for name in stats.FIGURES],
        "year_figures": [(name, stats.FIGURE_NAMES[name], year_figures[name]) for name in stats.FIGURES],
        "handling": got["handling"],
        "daily": daily,
        "breakdowns": [(by, DIMENSION_TITLES[by], rows) for by, rows in got["breakdowns"].items()],
        "sizes": got["sizes"],
        "figure_names": stats.FIGURE_NAMES,
    }


def _filter_labels(filters):
    labels = []
    for name, value in filters.items():
        if name == "channel":
            value = stats.CHANNEL_NAMES.get(value, value)
        if name == "window" and not hasattr(value, "pk"):
            from hall.models import Window

            value = Window.objects.filter(pk=value).first() or "（未指定）"
        labels.append(f"{forms.StatsForm.base_fields[name].label}：{value}")
    return labels


BREAKDOWN_ROWS = 30  # on the page; the Excel export has every row


def _table_rows(rows, first):
    """<tr>s of a name (or day) and the four figures; empty for no rows."""
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                f"{row[first]:%Y-%m-%d}" if first == "day" else row[first],
                *(row[figure] for figure in stats.FIGURES),
            )
            for row in rows
        ),
    )


@console_view
def dashboard(request):
    _stats_view_allowed(request.user)
    context = _stats(request, top=BREAKDOWN_ROWS)
    # Table bodies drawn in one pass each (a year has 300 days; the template's
    # loops over them were a large part of the page's time).
    context["shown"] = [
        (by, title, _table_rows(rows, "name"), len(rows), context["sizes"][by])
        for by, title, rows in context["breakdowns"]
    ]
    context["daily_rows"] = _table_rows(context["daily"], "day")
    query = request.GET.copy()
    context.update(
        export_query=query.urlencode(),
        filter_labels=_filter_labels(context["filters"]),
        chart={
            "labels": [f"{row['day']:%m-%d}" for row in context["daily"]],
            "series": [
                {"name": stats.FIGURE_NAMES[f], "data": [row[f] for row in context["daily"]]} for f in stats.FIGURES
            ],
        },
        demo_week=DEMO_WEEK,
    )
    return render(request, "cases/stats.html", context)


@console_view
def drill_down(request, figure):
    """The cases behind one figure of the dashboard (same period, filters and reach)."""
    _stats_view_allowed(request.user)
    if figure not in stats.FIGURES:
        raise Http404("没有该统计指标")
    context = _stats(request, top=1)  # the period, filters and reach; the counts are not shown
    events = stats.drill_down(context["period"], figure, **context["filters"], **context["reach"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/stats_cases.html",
        {
            "figure": figure,
            "title": stats.FIGURE_NAMES[figure],
            "period": context["period"],
            "page": page,
            "filter_labels": _filter_labels(context["filters"]),
            "query": query.urlencode(),
            "rows": [{"event": e, "detail": describe(e)} for e in page.object_list],
        },
    )


@console_view
def export(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _stats_view_allowed(request.user)
    context = _stats(request)
    period = context["period"]
    book = Workbook()
    sheet = book.active
    sheet.title = "概况"
    sheet.append(["统计期间", period.label()])
    for label in _filter_labels(context["filters"]) or ["范围：全部"]:
        sheet.append(label.split("：", 1))
    sheet.append([])
    sheet.append(["指标", "数量"])
    for _, title, value in context["figures"]:
        sheet.append([title, value])
    handling = context["handling"]
    sheet.append(["办结件数", handling["concluded"]])
    sheet.append(["平均办理用时（工作日）", handling["average_working_days"]])
    sheet.append(["按时办结率（%）", handling["on_time_rate"]])
    sheet.append([])
    sheet.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    header = ["名称"] + [stats.FIGURE_NAMES[f] for f in stats.FIGURES]
    days = book.create_sheet("每日")
    days.append(["日期"] + header[1:])
    for row in context["daily"]:
        days.append([row["day"]] + [row[f] for f in stats.FIGURES])
    for _, title, rows in context["breakdowns"]:
        ws = book.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append([row["name"]] + [row[f] for f in stats.FIGURES])
    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 36
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in "BCDE":
            ws.column_dimensions[column].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"办件统计_{period.start}_{period.end}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
