"""Pages of 高效办成一件事: the portal (apply once, one combined status) and the
console (bundles and their review, applications, the problem list, statistics,
系统演示). Views read input and call bundles.services, which decides."""

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.models import Organisation, Person
from catalog.models import Matter
from core import audit, tables
from core.errors import ServiceError
from core.models import Department, Level
from core.personal import matching

from . import demonstration, services, stats
from .models import Application, Bundle, Mode, Problem


def _errors(request, exc):
    for items in (exc.errors or {}).values():
        for message in items:
            messages.error(request, message)
    if not exc.errors:
        messages.error(request, exc.message)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return "bad"


# --- portal ---


def index(request):
    bundles = (
        Bundle.objects.filter(state=Bundle.State.CONFIRMED)
        .select_related("lead")
        .prefetch_related("items__matter__department")
    )
    return render(request, "bundles/index.html", {"bundles": bundles})


@require_http_methods(["GET", "POST"])
def bundle_page(request, code):
    bundle = get_object_or_404(Bundle.objects.select_related("lead"), code=code, state=Bundle.State.CONFIRMED)
    questions = services.questionnaire(bundle)
    source = request.POST if request.method == "POST" else request.GET
    answers = {q["key"]: source.get(f"q_{q['key']}") for q in questions if source.get(f"q_{q['key']}")}
    answered = len(answers) == len(questions)
    context = {
        "bundle": bundle,
        "questions": questions,
        "answers": answers,
        "answered": answered,
        "errors": {},
        "facts": {},
        "no_application_text": services.NO_APPLICATION_TEXT,
    }
    if answered:
        items = services.applicable_items(bundle, answers)
        context["items"] = items
        context["materials"] = services.materials_needed(bundle, answers, items)
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    context["organisations"] = list(person.organisations.all()) if person is not None else []
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        facts = {f["key"]: request.POST.get(f"fact_{f['key']}", "") for f in bundle.fields}
        uploads = {
            m["name"]: request.FILES[f"material_{n}"]
            for n, m in enumerate(context.get("materials", []))
            if f"material_{n}" in request.FILES
        }
        deferrals = []
        for n, m in enumerate(context.get("materials", [])):
            if request.POST.get(f"defer_{n}"):
                due = _date(request.POST.get(f"defer_due_{n}"))
                deferrals.append(
                    {
                        "material": m["name"],
                        "promise": request.POST.get(f"defer_promise_{n}", ""),
                        "due_date": due if isinstance(due, dt.date) else None,
                    }
                )
        organisation = next(
            (o for o in context["organisations"] if str(o.pk) == request.POST.get("organisation")), None
        )
        try:
            application = services.submit(
                request.user,
                bundle,
                answers=answers,
                facts=facts,
                uploads_by_material=uploads,
                deferrals=deferrals,
                applicant_organisation=organisation if bundle.for_enterprise else None,
                applicant_person=None if bundle.for_enterprise else person,
                contact_phone=facts.get("phone", ""),
            )
        except ServiceError as exc:
            context["errors"], context["message"], context["facts"] = exc.errors, exc.message, facts
            return render(request, "bundles/apply.html", context, status=400)
        except PermissionDenied as exc:
            context["message"] = str(exc)
            return render(request, "bundles/apply.html", context, status=403)
        messages.success(request, f"已提交“{bundle.name}”，申请号{application.number}")
        return redirect("bundles:application", number=application.number)
    return render(request, "bundles/apply.html", context)


def _my_applications(user):
    person = getattr(user, "person", None)
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(demo=False).filter(applicant_person=person) | Application.objects.filter(
        demo=False, applicant_organisation__agent__person=person
    )


@login_required
def mine(request):
    rows = [(a, services.combined_state(a)) for a in _my_applications(request.user).select_related("bundle")]
    return render(request, "bundles/mine.html", {"rows": [(a, Application.State(s).label) for a, s in rows]})


def _application(request, number):
    application = get_object_or_404(Application.objects.select_related("bundle"), number=number)
    user = request.user
    if user.kind == "public":
        if not policy.can(user, "bundle.apply", application):
            raise PermissionDenied("只能查看本人或本人代办企业的一件事申请")
    else:
        policy.require(user, "bundle.view")
    return application


@login_required
@require_http_methods(["GET", "POST"])
def application_page(request, number):
    application = _application(request, number)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                uploads = {
                    request.POST.get(f"name_{key[5:]}", "") or f.name: f
                    for key, f in request.FILES.items()
                    if key.startswith("file_")
                }
                services.answer_corrections(
                    request.user, application, note=request.POST.get("note", ""), uploads_by_material=uploads
                )
                messages.success(request, "补正材料已一次提交给所有要求补正的部门")
            elif action == "supply":
                deferral = get_object_or_404(application.deferrals, pk=request.POST.get("deferral"))
                if "file" not in request.FILES:
                    raise ServiceError("请选择要补交的文件", errors={"file": ["请选择文件"]})
                services.supply_deferred(
                    request.user, deferral, upload=request.FILES["file"], version=_int(request.POST.get("version"))
                )
                messages.success(request, f"已补交“{deferral.material}”")
            elif action == "withdraw":
                deferral = get_object_or_404(application.deferrals, pk=request.POST.get("deferral"))
                deferral = services.withdraw_deferral(
                    request.user,
                    deferral,
                    reason=request.POST.get("reason", ""),
                    version=_int(request.POST.get("version")),
                )
                done = f"已撤销以“{deferral.material}”容缺承诺作出的受理"
                if deferral.ended:
                    done += f"，办件{'、'.join(deferral.ended)}已不予受理"
                if deferral.left:
                    done += f"；{'、'.join(deferral.left)}已在承办部门，请其作出决定"
                messages.success(request, done)
            elif action == "problem":
                services.report_problem(
                    request.user,
                    application.bundle,
                    title=request.POST.get("title", ""),
                    description=f"申请{application.number}：" + request.POST.get("description", ""),
                )
                messages.success(request, "问题已提交，牵头部门将在5个工作日内处理")
        except ServiceError as exc:
            _errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权进行此操作")
        public = request.user.kind == "public"
        return redirect("bundles:application" if public else "bundles_console:application", number=application.number)
    view = services.status(application)
    return render(
        request,
        "bundles/application.html",
        {
            "view": view,
            "application": application,
            "public": request.user.kind == "public",
            "can_handle": policy.can(request.user, "bundle.handle"),
        },
    )


# --- console ---


def _week(request):
    today = timezone.localdate()
    start = _date(request.GET.get("start"))
    end = _date(request.GET.get("end"))
    if not isinstance(start, dt.date):
        start = today - dt.timedelta(days=30)
    if not isinstance(end, dt.date):
        end = today
    return start, end


@login_required
def console_index(request):
    policy.require(request.user, "bundle.view")
    start, end = _week(request)
    bundles = Bundle.objects.select_related("lead").prefetch_related("cooperating", "items__matter")
    return render(
        request,
        "bundles/console_index.html",
        {
            "bundles": bundles,
            "start": start,
            "end": end,
            "figures": stats.bundle_stats(start, end),
            "overdue": services.overdue_deferrals(),
            "can_demo": policy.can(request.user, "bundle.demo"),
            "can_edit": policy.can(request.user, "bundle.edit"),
            "applications": Application.objects.filter(demo=False).select_related("bundle")[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def console_bundle(request, code):
    policy.require(request.user, "bundle.view")
    bundle = get_object_or_404(Bundle.objects.select_related("lead"), code=code)
    if request.method == "POST":
        action, version = request.POST.get("action"), _int(request.POST.get("version"))
        try:
            if action in ("approve", "return"):
                services.review_bundle(
                    request.user,
                    bundle,
                    approve=action == "approve",
                    comment=request.POST.get("comment", ""),
                    version=version,
                )
            elif action == "confirm":
                services.confirm_bundle(request.user, bundle, version=version)
            elif action == "start":
                application = _start_without_application(request, bundle)
                messages.success(request, f"已为{application.applicant_name}主动办理，申请号{application.number}")
                return redirect("bundles_console:application", number=application.number)
            messages.success(request, "已保存")
        except ServiceError as exc:
            if action != "start":
                _errors(request, exc)
                return redirect("bundles_console:bundle", code=code)
            # The start form comes back as it was filled in, each error by its field.
            started = {"values": request.POST, "errors": exc.errors or {}, "message": exc.message}
            return render(request, "bundles/console_bundle.html", _bundle_context(request, bundle, started), status=400)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("bundles_console:bundle", code=code)
    return render(request, "bundles/console_bundle.html", _bundle_context(request, bundle))


def _bundle_context(request, bundle, started=None):
    start, end = _week(request)
    return {
        "bundle": bundle,
        "items": bundle.items.select_related("matter__department", "situation"),
        "questions": services.questionnaire(bundle),
        "figures": stats.bundle_stats(start, end, bundle),
        "start": start,
        "end": end,
        "versions": bundle.versions.all(),
        "steps": bundle.steps.all(),
        "can_review": policy.can(request.user, "bundle.review", bundle),
        "can_confirm": policy.can(request.user, "bundle.confirm", bundle),
        "can_demo": policy.can(request.user, "bundle.demo"),
        "can_edit": policy.can(request.user, "bundle.edit", bundle),
        "can_start": bundle.mode == Mode.NO_APPLICATION
        and bundle.published
        and policy.can(request.user, "bundle.handle")
        and policy.can(request.user, "case.receive"),
        "start_form": _start_form(bundle, started),
    }


def _start_form(bundle, started):
    """The 免申办 start form's rows: what was entered and the error of each field."""
    values, errors = (started["values"], started["errors"]) if started else ({}, {})

    def first(key):
        return (errors.get(key) or [""])[0]

    return {
        "message": started["message"] if started else "",
        "code": values.get("applicant_code", ""),
        "code_error": first("applicant_code") or first("applicant"),
        "questions": [
            {**q, "chosen": values.get(f"q_{q['key']}", ""), "error": first(f"answers_{q['key']}") or first("answers")}
            for q in services.questionnaire(bundle)
        ],
        "fields": [
            {**f, "value": values.get(f"fact_{f['key']}", ""), "error": first(f"fact_{f['key']}")}
            for f in bundle.fields
        ],
        "materials": [m for key, items in errors.items() if key.startswith("material_") for m in items],
    }


def _start_without_application(request, bundle):
    """免申办: the window names the applicant by code; the facts come from the platform's records."""
    code = (request.POST.get("applicant_code") or "").strip().upper()
    organisation = Organisation.objects.filter(uscc=code).first() if bundle.for_enterprise else None
    person = None if bundle.for_enterprise else Person.objects.filter(matching("resident_id", code)).first()
    if organisation is None and person is None:
        label = "统一社会信用代码" if bundle.for_enterprise else "居民身份证号码"
        message = f"{label}：没有“{code}”的申请人，请填写平台已登记的{label}"
        raise ServiceError(message, errors={"applicant_code": [message]})
    questions = services.questionnaire(bundle)
    return services.start_without_application(
        request.user,
        bundle,
        answers={q["key"]: request.POST.get(f"q_{q['key']}") for q in questions},
        facts={f["key"]: request.POST.get(f"fact_{f['key']}", "") for f in bundle.fields},
        applicant_organisation=organisation,
        applicant_person=person,
    )


@login_required
@require_POST
def demonstrate(request, code):
    bundle = get_object_or_404(Bundle, code=code)
    script = demonstration.run(request.user, code=bundle.code)
    return render(request, "bundles/demonstration.html", {"bundle": bundle, "script": script})


PROBLEM_TABLE = tables.Table(
    "problems",
    title="一件事问题清单",
    columns=[
        tables.Column("title", "问题", "title", order=("title",)),
        tables.Column("bundle", "一件事", "bundle.name", order=("bundle__name",)),
        tables.Column("source", "来源", "get_source_display", order=("source",)),
        tables.Column("owner", "责任部门", "owner.short_name", order=("owner__short_name",)),
        tables.Column("measures", "解决措施", lambda p: p.measures or "—"),
        tables.Column("deadline", "完成时限", "deadline", order=("deadline",)),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column("handled", "处理日期", "handled_on", order=("handled_on",)),
    ],
    filters=[
        tables.Filter("q", "问题", lookups=("title", "description")),
        tables.Filter(
            "bundle",
            "一件事",
            choices=lambda request: [(str(b.pk), b.name) for b in Bundle.objects.all()],
            lookup="bundle_id",
        ),
        tables.Filter("state", "状态", choices=Problem.State.choices),
        tables.Filter("kind", "类别", choices=Problem.Kind.choices),
    ],
)


@login_required
@require_http_methods(["GET", "POST"])
def problems(request):
    policy.require(request.user, "problem.report")
    can_edit = policy.can(request.user, "problem.edit")
    if request.method == "POST":
        bundle = Bundle.objects.filter(pk=_int(request.POST.get("bundle"))).first()
        owner = Department.objects.filter(pk=_int(request.POST.get("owner"))).first()
        deadline = _date(request.POST.get("deadline"))
        try:
            if bundle is None:
                raise ServiceError("请选择一件事", errors={"bundle": ["一件事为必填项"]})
            if deadline == "bad":
                raise ServiceError("完成时限格式为 YYYY-MM-DD", errors={"deadline": ["完成时限格式为 YYYY-MM-DD"]})
            services.report_problem(
                request.user,
                bundle,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                kind=request.POST.get("kind", "other"),
                owner=owner,
                measures=request.POST.get("measures", ""),
                deadline=deadline,
            )
            messages.success(request, "已登记问题")
        except ServiceError as exc:
            _errors(request, exc)
        return redirect("bundles_console:problems")
    # Windows see the tickets they raised; those who handle problems see the list.
    qs = (
        services.visible_problems(request.user)
        if can_edit
        else Problem.objects.filter(reported_by=audit.Actor(request.user).label).select_related("bundle", "owner")
    )
    table = PROBLEM_TABLE.bind(request, qs)
    if table.export_requested:
        return table.export_response()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return render(
        request,
        "bundles/problems.html",
        {
            "table": table,
            "bundles": Bundle.objects.all(),
            "kinds": Problem.Kind.choices,
            "can_edit": can_edit,
            "today": today,
            "departments": Department.objects.filter(region_id="510000").order_by("pk"),
            "handled_this_week": services.problems_handled(monday, monday + dt.timedelta(days=4)),
        },
    )


CHANGE_ACTIONS = {"report": "登记", "update": "修改", "handle": "处理完成"}
CHANGE_FIELDS = {
    "title": "问题",
    "description": "问题描述",
    "kind": "类别",
    "owner_id": "责任部门",
    "measures": "解决措施",
    "deadline": "完成时限",
    "state": "状态",
    "handled_on": "处理日期",
}


def _history(problem):
    """Each change as a person reads it: Chinese names of the fields and their values."""
    names = dict(Department.objects.values_list("pk", "short_name"))
    shown = {"state": dict(Problem.State.choices), "kind": dict(Problem.Kind.choices), "owner_id": names}

    def value(field, v):
        return shown.get(field, {}).get(v, v) if v not in (None, "") else "空"

    rows = []
    for change in problem.changes.all():
        before = change.before or {}
        diffs = [
            (CHANGE_FIELDS.get(k, k), value(k, before.get(k)), value(k, v))
            for k, v in change.after.items()
            if before and before.get(k) != v
        ]
        rows.append({"change": change, "action": CHANGE_ACTIONS.get(change.action, change.action), "diffs": diffs})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def problem_page(request, pk):
    policy.require(request.user, "problem.edit")
    problem = get_object_or_404(services.visible_problems(request.user), pk=pk)
    if request.method == "POST":
        version = _int(request.POST.get("version"))
        try:
            if request.POST.get("action") == "handle":
                services.handle_problem(
                    request.user, problem, version=version, measures=request.POST.get("measures", "")
                )
                messages.success(request, "已标记处理完成")
            else:
                deadline = _date(request.POST.get("deadline"))
                if deadline == "bad":
                    raise ServiceError("完成时限格式为 YYYY-MM-DD", errors={"deadline": ["完成时限格式为 YYYY-MM-DD"]})
                services.update_problem(
                    request.user,
                    problem,
                    version=version,
                    owner=Department.objects.filter(pk=_int(request.POST.get("owner"))).first(),
                    measures=request.POST.get("measures"),
                    deadline=deadline,
                    state=request.POST.get("state") or None,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, "已保存")
        except ServiceError as exc:
            _errors(request, exc)
        return redirect("bundles_console:problem", pk=problem.pk)
    return render(
        request,
        "bundles/problem.html",
        {
            "problem": problem,
            "changes": _history(problem),
            "states": Problem.State.choices[:2],
            "departments": Department.objects.filter(region_id="510000").order_by("pk"),
        },
    )


# --- 梳理 at the console: the same service the API's PUT uses ---

ITEM_HELP = (
    "每行一个事项：实施编码 | 情形名称 | 前置事项序号（如 1,2，可空） | 字段对应（事项字段=表单字段编码；…，可空）"
)


def _item_lines(bundle):
    lines = []
    for i in bundle.items.select_related("matter", "situation").order_by("position"):
        after = ",".join(str(p) for p in i.after)
        fmap = "；".join(f"{label}={key}" for label, key in i.field_map.items())
        lines.append(f"{i.matter.implementation_code} | {i.situation.name} | {after} | {fmap}")
    return "\n".join(lines)


def _items_from_lines(text, keep_only_if):
    """The items textarea: one matter a line, in declared order; each line's mistake named by its number."""
    items, errors = [], []
    for n, line in enumerate([x for x in (text or "").splitlines() if x.strip()], start=1):
        parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
        code, situation_name, after_text, map_text = parts[:4]
        matter = Matter.objects.filter(implementation_code=code).first()
        situation = matter.situations.filter(name=situation_name).first() if matter else None
        if matter is None:
            errors.append(f"第{n}行：没有实施编码为“{code}”的事项")
            continue
        if situation is None:
            errors.append(f"第{n}行：“{matter.name}”没有名为“{situation_name}”的情形")
            continue
        after = []
        for p in after_text.replace("，", ",").split(","):
            if p.strip():
                if not p.strip().isdigit():
                    errors.append(f"第{n}行：前置事项应写序号，如 1,2")
                    break
                after.append(int(p))
        field_map = {}
        for pair in map_text.replace(";", "；").split("；"):
            if pair.strip():
                label, _, key = pair.partition("=")
                if not key.strip():
                    errors.append(f"第{n}行：字段对应应写作“事项字段=表单字段编码”")
                    break
                field_map[label.strip()] = key.strip()
        items.append(
            {
                "matter": matter,
                "situation": situation,
                "after": after,
                "field_map": field_map,
                "only_if": keep_only_if.get((matter.pk, situation.pk), {}),
            }
        )
    if errors:
        raise ServiceError(errors[0] if len(errors) == 1 else "事项有误", errors={"items": errors})
    return items


def _json_list(text, field, label):
    try:
        value = json.loads(text or "[]")
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        message = f"{label}应为JSON列表，每项一个对象"
        raise ServiceError(message, errors={field: [message]})
    return value


@login_required
@require_http_methods(["GET", "POST"])
def edit_bundle(request, code=None):
    """梳理: create a bundle, or save an existing one as a new version (then 审核 → 确认 on its page)."""
    bundle = get_object_or_404(Bundle, code=code) if code else None
    if bundle is None:
        policy.require(request.user, "bundle.edit")
    else:
        policy.require(request.user, "bundle.edit", bundle)
    if request.method == "POST":
        values = request.POST
        try:
            lead = Department.objects.filter(pk=_int(values.get("lead"))).first()
            keep = {(i.matter_id, i.situation_id): i.only_if for i in bundle.items.all()} if bundle else {}
            saved = services.save_bundle(
                request.user,
                bundle=bundle,
                version=_int(values.get("version")) if bundle else None,
                code=bundle.code if bundle else (values.get("code") or "").strip(),
                name=values.get("name", ""),
                mode=values.get("mode", ""),
                lead=lead,
                items=_items_from_lines(values.get("items", ""), keep),
                fields=_json_list(values.get("fields"), "fields", "一表申请字段"),
                questions=_json_list(values.get("questions"), "questions", "一次告知问题"),
                deferral=bool(values.get("deferral")),
                summary=values.get("summary", "").strip(),
                for_enterprise=bool(values.get("for_enterprise")),
                note=values.get("note", "").strip(),
            )
        except ServiceError as exc:
            context = {"bundle": bundle, "values": values, "errors": exc.errors or {}, "message": exc.message}
            return render(request, "bundles/console_edit.html", _edit_context(context), status=400)
        messages.success(request, f"已保存“{saved.name}”第{saved.version}版，待审核")
        return redirect("bundles_console:bundle", code=saved.code)
    values = {"mode": Mode.LINKED, "for_enterprise": "on", "fields": "[]", "questions": "[]"}
    if bundle:
        values = {
            "code": bundle.code,
            "name": bundle.name,
            "mode": bundle.mode,
            "lead": str(bundle.lead_id),
            "summary": bundle.summary,
            "deferral": "on" if bundle.deferral else "",
            "for_enterprise": "on" if bundle.for_enterprise else "",
            "items": _item_lines(bundle),
            "fields": json.dumps(bundle.fields, ensure_ascii=False, indent=1),
            "questions": json.dumps(bundle.questions, ensure_ascii=False, indent=1),
            "version": bundle.version,
        }
    context = {"bundle": bundle, "values": values, "errors": {}, "message": ""}
    return render(request, "bundles/console_edit.html", _edit_context(context))


def _edit_context(context):
    errors = context["errors"]
    context["first"] = {key: items[0] for key, items in errors.items() if items}
    context["item_errors"] = errors.get("items", [])
    # The summary lists each mistake once (a single one is already the message).
    context["error_list"] = [m for items in errors.values() for m in items if m != context["message"]]
    context["modes"] = Mode.choices
    context["departments"] = Department.objects.filter(level=Level.PROVINCE).order_by("id")
    context["item_help"] = ITEM_HELP
    return context
