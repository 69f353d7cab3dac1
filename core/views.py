import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from . import audit_display, authz, services, tables, tasks
from .errors import ServiceError
from .models import AuditEntry, CalendarDay, CalendarYear
from .provisional import provisional_warnings


@require_GET
def healthz(request):
    """For load balancers and benchmarks: no session, no templates, one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# What a staff member's console offers, each behind the action that allows it.
CONSOLE_LINKS = [
    ("case.view", "cases_console:worklist", "办件", "窗口和部门的待办办件，按承诺办结日期排列"),
    ("case.receive", "cases_console:intake", "窗口收件", "为窗口办事群众收件登记"),
    ("case.consult", "cases_console:consult", "咨询登记", "登记窗口咨询（按人次统计）"),
    ("stats.view", "cases_console:stats", "办件统计", "咨询、受理、颁发、流转及办理时效"),
    ("catalog.view", "catalog_console:index", "事项目录", "政务服务事项、情形、材料及导入导出"),
    ("catalog.view", "catalog_console:manuals", "受理工作手册", "梳理、审核、确认及进度"),
    ("policy.view", "policies_console:index", "惠企政策库", "政策文件、惠企事项的维护、提交审核及导入导出"),
    ("policy.publish", "policies_console:review", "政策审核发布", "审核部门提交的政策文件、惠企事项和政策解读"),
    ("policy.overdue", "policies_console:overdue", "逾期未拆解政策", "发布超过7个工作日仍未拆解为惠企事项的政策文件"),
    ("policy.answer", "policies_console:tickets", "政策咨询工单", "答复本部门的惠企政策咨询，逾期工单标红"),
    ("policy.view", "matching_console:index", "政策匹配", "企业画像、惠企事项匹配规则、匹配结果与推送次数"),
    ("policy.view", "matching_console:rounds", "免申即享", "符合条件企业的意愿确认、名单公示与兑现记录"),
    ("activity.submit", "hall_console:activities", "政务工作动态", "报送政务工作动态，编辑采用或退回"),
    ("duty.manage", "hall_console:duty", "厅(局)长进大厅", "值守安排、签到和值守情况"),
    ("keywork.edit", "hall_console:key_work", "重点工作推进", "重点工作每周进展及平台实时数据"),
    ("bulletin.edit", "bulletin:index", "工作周报", "生成、编辑、导出 DOCX/PDF 并印发每周工作周报"),
    ("revenue.view", "revenue:index", "自然资源非税收入", "矿业权、费源审批、与税务部门共享、三级看板与对账"),
    ("bundle.view", "bundles_console:index", "高效办成一件事", "一件事的梳理审核、申请、统计、容缺后补和系统演示"),
    ("problem.report", "bundles_console:problems", "一件事问题清单", "问题、责任部门、解决措施、时限和处理记录"),
    ("organisation.view", "console:organisations", "法人信息", "查看和登记本辖区的法人及其他组织"),
    ("person.create", "console:person_new", "登记自然人", "为窗口办事群众登记身份信息"),
    ("person.create", "console:person_verify", "实名核验", "当面核验身份证件或数字证书，提升为三级认证"),
    ("staff.view", "console:staff", "工作人员", "本部门或本辖区的工作人员及其角色"),
    ("department.manage", "hall_console:departments", "部门", "各级部门的名称、行政区划和上级部门，停用不再使用的部门"),
    ("window.manage", "hall_console:windows", "窗口", "大厅的综合窗口、专窗、进驻部门和窗口人员"),
    ("token.manage", "accounts_console:tokens", "API令牌", "为其他系统签发、吊销接口令牌，查看最近使用时间"),
    ("audit.view", "console:audit", "审计日志", "谁在何时修改了什么，及审计链校验"),
    ("identity.manage", "identity_console:parties", "统一身份认证接入", "登记市州自建平台等接入平台，密钥只显示一次"),
    ("console.access", "console:calendar", "工作日历", "法定节假日与调休，办理时限按此计算"),
]

# The side menu's groups (core/templatetags/tongban.py console_menu), by the
# URL names above; an entry in no group falls into the last, 其他.
CONSOLE_MENU_GROUPS = [
    ("办件", ["cases_console:worklist", "cases_console:intake", "cases_console:consult", "cases_console:stats"]),
    ("事项", ["catalog_console:index", "catalog_console:manuals"]),
    (
        "惠企政策",
        [
            "policies_console:index",
            "policies_console:review",
            "policies_console:overdue",
            "policies_console:tickets",
            "matching_console:index",
            "matching_console:rounds",
        ],
    ),
    ("大厅与周报", ["hall_console:activities", "hall_console:duty", "hall_console:key_work", "bulletin:index"]),
    ("专项业务", ["revenue:index", "bundles_console:index", "bundles_console:problems"]),
    ("法人与自然人", ["console:organisations", "console:person_new", "console:person_verify"]),
    ("大厅与部门", ["hall_console:windows", "hall_console:departments"]),
    (
        "系统",
        [
            "console:staff",
            "console:audit",
            "accounts_console:tokens",
            "identity_console:parties",
            "console:calendar",
        ],
    ),
]


@login_required
def console_home(request):
    authz.require(request.user, "console.access")
    links = [(url, title, text) for action, url, title, text in CONSOLE_LINKS if authz.can(request.user, action)]
    calendar_warnings = provisional_warnings() if request.user.role in CALENDAR_WATCHERS else []
    return render(
        request,
        "core/console_home.html",
        {"links": links, "is_sysadmin": request.user.role == "sysadmin", "calendar_warnings": calendar_warnings},
    )


def _audit_types(request):
    types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((t, audit_display.type_label(t)) for t in types), key=lambda t: t[1])


def _changes_text(entry):
    """变更内容 in words for the export, as the page shows it."""
    parts = []
    for label, old, new in audit_display.Reader().changes(entry):
        if entry.before is not None and entry.after is not None:
            parts.append(f"{label}：{old} → {new}")
        else:
            parts.append(f"{label}：{new if entry.after is not None else old}")
    return "；".join(parts)


AUDIT_TABLE = tables.Table(
    "audit",
    title="审计日志",
    columns=[
        tables.Column("seq", "序号", "seq", order=("seq",)),
        tables.Column("at", "时间", "at", order=("at",)),
        tables.Column("actor", "操作人", "actor_label", order=("actor_label",)),
        tables.Column("ip", "来源", "ip", order=("ip",)),
        tables.Column("action", "操作", lambda e: audit_display.action_label(e.action), order=("action",)),
        tables.Column(
            "object",
            "对象",
            lambda e: audit_display.type_label(e.object_type) + (f"：{e.object_repr}" if e.object_repr else ""),
            order=("object_type", "object_repr"),
        ),
        tables.Column("changes", "变更内容", lambda e: _changes_text(e)),
    ],
    filters=[
        tables.Filter("type", "对象类型", choices=_audit_types, lookup="object_type"),
        tables.Filter("actor", "操作人", lookups=("actor_label",)),
        tables.Filter(
            "object", "对象名称或标识", apply=lambda qs, v: qs.filter(Q(object_repr__contains=v) | Q(object_id=v))
        ),
    ],
    default_sort="-seq",
)


@login_required
def audit_list(request):
    authz.require(request.user, "audit.view")
    table = AUDIT_TABLE.bind(request, AuditEntry.objects.all())
    if table.export_requested:
        return table.export_response()
    reader = audit_display.Reader()
    return render(
        request,
        "core/audit_list.html",
        {
            "table": table,
            "page": table.page,
            "rows": [reader.read(e) for e in table.page],
            "can_verify": authz.can(request.user, "audit.verify"),
        },
    )


@login_required
@require_POST
def audit_verify(request):
    authz.require(request.user, "audit.verify")
    result = tasks.verify_audit_chain.enqueue()
    return render(request, "core/_audit_verify.html", {"result": result})


@login_required
def audit_verify_status(request, result_id):
    authz.require(request.user, "audit.verify")
    try:
        result = tasks.verify_audit_chain.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        raise Http404("没有这项校验任务") from None
    return render(request, "core/_audit_verify.html", {"result": result})


# Who is told on the console home that a provisional year is in use: those
# who enter the notice, and the managers whose deadlines may move.
CALENDAR_WATCHERS = {"sysadmin", "centre_manager", "dept_admin"}


@login_required
def calendar_years(request):
    authz.require(request.user, "console.access")
    years = CalendarYear.objects.all()
    counts = {}
    for year in years:
        days = CalendarDay.objects.filter(date__year=year.year).aggregate(
            holidays=Count("date", filter=Q(kind=CalendarDay.Kind.HOLIDAY)),
            workdays=Count("date", filter=Q(kind=CalendarDay.Kind.WORKDAY)),
        )
        counts[year.year] = days
    return render(
        request,
        "core/calendar_years.html",
        {
            "years": [(y, counts[y.year]) for y in reversed(years)],
            "can_edit": authz.can(request.user, "calendar.edit"),
            "next_year": _year_to_register(years),
            "calendar_warnings": provisional_warnings(),
        },
    )


def _year_to_register(years):
    """The form's suggestion: the first provisional year, else the year after the last."""
    provisional = [y.year for y in years if y.provisional]
    if provisional:
        return provisional[0]
    return (years.last().year + 1) if years else dt.date.today().year  # type: ignore[union-attr]


@login_required
@require_POST
def calendar_year_add(request):
    provisional = set(CalendarYear.objects.filter(provisional=True).values_list("year", flat=True))
    try:
        year = services.add_calendar_year(
            request.user, year=int(request.POST.get("year") or 0), source=request.POST.get("source", "").strip()
        )
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "年份应为数字"))
        return redirect("console:calendar")
    if year.year in provisional:
        messages.success(request, f"{year.year}年已按通知转为正式，法定节假日已保留，请补录通知中的调休上班日与调整")
    else:
        messages.success(request, f"已登记{year.year}年，请录入该年的节假日与调休上班日")
    return redirect("console:calendar_year", year=year.year)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_year(request, year):
    authz.require(request.user, "console.access")
    entry = CalendarYear.objects.filter(year=year).first()
    if request.method == "POST":
        authz.require(request.user, "calendar.edit")
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
            return redirect("console:calendar_year", year=year)
        if date.year != year:
            messages.error(request, f"日期 {date} 不在{year}年内，请到该年度的页面录入")
            return redirect("console:calendar_year", year=year)
        try:
            if request.POST.get("remove"):
                services.remove_calendar_day(request.user, date=date)
                messages.success(request, f"已移除 {date}")
            else:
                services.set_calendar_day(
                    request.user,
                    date=date,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", "").strip(),
                )
                messages.success(request, f"已保存 {date}")
        except ServiceError as exc:
            details = "；".join(m for ms in exc.errors.values() for m in ms)
            messages.error(request, f"{exc.message}：{details}" if details else exc.message)
        return redirect("console:calendar_year", year=year)
    days = CalendarDay.objects.filter(date__year=year)
    return render(
        request,
        "core/calendar_year.html",
        {
            "year": year,
            "entry": entry,
            "days": days,
            "kinds": CalendarDay.Kind.choices,
            "can_edit": authz.can(request.user, "calendar.edit"),
        },
    )


# The error pages: Chinese for people, the API's error format under /api/
# (core.api_errors), never a traceback or Django's English debug page.
def _api_error(request, status, code, message):
    if request.path.startswith("/api/"):
        from . import api_errors

        return JsonResponse(api_errors.body(code, message), status=status, json_dumps_params={"ensure_ascii": False})
    return None


def bad_request(request, exception=None):
    return _api_error(request, 400, "bad_request", "请求无法处理，请检查后重试") or render(
        request, "400.html", status=400
    )


def forbidden(request, exception=None):
    reason = str(exception or "")
    return _api_error(request, 403, "forbidden", reason or "无权进行此操作") or render(
        request, "403.html", {"reason": reason}, status=403
    )


def not_found(request, exception=None):
    return _api_error(request, 404, "not_found", "接口或记录不存在") or render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request's context: the failure may lie in the
    # database or the session, which the context processors would touch again.
    api = _api_error(request, 500, "server_error", "服务器内部错误，请稍后重试；如持续出现请联系管理员")
    if api:
        return api
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request, reason=""):
    """A form sent from an expired or foreign page (settings.CSRF_FAILURE_VIEW)."""
    return _api_error(request, 403, "csrf_failed", "请求缺少有效的 CSRF 令牌，请刷新页面后重试") or render(
        request, "403.html", {"reason": "页面已过期或来源不明，请返回上一页刷新后重新提交。"}, status=403
    )
