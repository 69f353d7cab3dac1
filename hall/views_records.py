"""Console pages of the centre's records (/console/hall/departments/, /windows/):
departments and the hall's windows with who works them, kept by the centre's
managers and system administrators instead of the Django admin. Every change
goes through hall.services."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.models import Role, User
from accounts.views import console_view
from core import tables
from core.errors import ServiceError
from core.forms import posted_version, show_service_error
from core.models import Department, Level
from core.regions import region_prefix

from . import forms, services
from .models import Hall, Window

STATE_CHOICES = [("active", "在用"), ("inactive", "停用")]


def _by_state(qs, value):
    return qs.filter(active=value == "active")


def _departments(user):
    return policy.visible(user, Department.objects.select_related("region", "region__parent", "parent"))


DEPARTMENT_TABLE = tables.Table(
    "departments",
    title="部门",
    columns=[
        tables.Column(
            "name", "部门名称", "name", order=("name",), link=lambda d: reverse("hall_console:department", args=[d.pk])
        ),
        tables.Column("short", "简称", "short_name", order=("short_name",)),
        tables.Column("function", "职能标识", "function", order=("function",)),
        tables.Column("level", "层级", "get_level_display", order=("level",)),
        tables.Column("region", "所在区划", lambda d: f"{d.region_id} {d.region.full_name}", order=("region_id",)),
        tables.Column("parent", "上级部门", lambda d: d.parent.name if d.parent_id else "", order=("parent__name",)),
        tables.Column("state", "状态", lambda d: "在用" if d.active else "停用", order=("active",)),
    ],
    filters=[
        tables.Filter("q", "名称、简称或职能标识", lookups=("name", "short_name", "function")),
        tables.Filter(
            "region", "区划代码（前几位）", apply=lambda qs, v: qs.filter(region__code__startswith=v.strip()[:6])
        ),
        tables.Filter("level", "层级", choices=Level.choices),
        tables.Filter("state", "状态", choices=STATE_CHOICES, apply=_by_state),
    ],
    default_sort="region",
    per_page=50,
    htmx=True,
)


def _parents(user, dept=None):
    qs = _departments(user).filter(active=True).exclude(level=Level.COUNTY)
    return qs.exclude(pk=dept.pk) if dept is not None else qs


@console_view
def departments(request):
    policy.require(request.user, "department.manage")
    table = DEPARTMENT_TABLE.bind(request, _departments(request.user))
    if table.export_requested:
        return table.export_response()
    return render(request, "hall/departments.html", {"table": table})


def _department_data(data):
    return {k: data.get(k) for k in ("name", "short_name", "function", "region", "parent", "uscc")}


@console_view
@require_http_methods(["GET", "POST"])
def department_new(request):
    policy.require(request.user, "department.manage")
    form = forms.DepartmentForm(request.POST or None, parents=_parents(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            dept = services.create_department(request.user, **_department_data(form.cleaned_data))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已新增部门“{dept.name}”（{dept.region.full_name}，{dept.get_level_display()}）")
            return redirect("hall_console:department", pk=dept.pk)
    return render(request, "hall/department_form.html", {"form": form, "title": "新增部门"})


@console_view
@require_http_methods(["GET", "POST"])
def department(request, pk):
    policy.require(request.user, "department.manage")
    dept = get_object_or_404(_departments(request.user), pk=pk)
    policy.require(request.user, "department.manage", dept)
    initial = {
        "name": dept.name,
        "short_name": dept.short_name,
        "function": dept.function,
        "region": dept.region_id,
        "parent": dept.parent_id,
        "uscc": dept.uscc,
        "version": dept.version,
    }
    form = forms.DepartmentForm(initial=initial, parents=_parents(request.user, dept))
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                form = forms.DepartmentForm(request.POST, parents=_parents(request.user, dept))
                if form.is_valid():
                    data = form.cleaned_data
                    services.update_department(
                        request.user, dept, version=posted_version(request), **_department_data(data)
                    )
                    messages.success(request, "已保存")
                    return redirect("hall_console:department", pk=dept.pk)
            elif action in ("stop", "start"):
                services.set_department_active(
                    request.user, dept, version=posted_version(request), active=action == "start"
                )
                messages.success(request, f"已{'重新启用' if action == 'start' else '停用'}部门“{dept.name}”")
                return redirect("hall_console:department", pk=dept.pk)
            elif action == "delete":
                deleted, named = services.remove_department(request.user, dept, version=posted_version(request))
                if deleted:
                    messages.success(request, f"已删除部门“{dept.name}”")
                    return redirect("hall_console:departments")
                messages.warning(
                    request, f"部门“{dept.name}”已被{'、'.join(named)}引用，不能删除，已改为停用（历史记录仍指向它）"
                )
                return redirect("hall_console:department", pk=dept.pk)
            else:
                messages.error(request, "未知的操作")
        except ServiceError as exc:
            show_service_error(form, exc)
    dept.refresh_from_db()
    counts = {
        "staff": dept.staff.filter(is_active=True).count(),
        "windows": dept.windows.count(),
        "children": dept.children.count(),
    }
    return render(
        request,
        "hall/department.html",
        {"dept": dept, "form": form, "counts": counts, "title": f"部门：{dept.name}"},
    )


# --- windows ---


def _windows(user):
    qs = Window.objects.select_related("hall", "department").prefetch_related("staff")
    return policy.visible(user, qs, region_field="hall__region__code").annotate(staff_count=Count("staff"))


def _staff_names(window):
    return "、".join(u.name for u in window.staff.all())


WINDOW_TABLE = tables.Table(
    "windows",
    title="窗口",
    columns=[
        tables.Column(
            "number", "窗口号", "number", order=("number",), link=lambda w: reverse("hall_console:window", args=[w.pk])
        ),
        tables.Column("name", "窗口名称", "name", order=("name",)),
        tables.Column("kind", "类型", "get_kind_display", order=("kind",)),
        tables.Column("hall", "大厅", "hall.name", order=("hall__name",)),
        tables.Column("department", "进驻部门", lambda w: w.department.name if w.department_id else "—"),
        tables.Column("staff", "窗口人员", _staff_names, order=("staff_count",)),
        tables.Column("state", "状态", lambda w: "启用" if w.active else "停用", order=("active",)),
    ],
    filters=[
        tables.Filter("q", "窗口号或名称", lookups=("number", "name")),
        tables.Filter("kind", "类型", choices=Window.Kind.choices),
        tables.Filter("state", "状态", choices=STATE_CHOICES, apply=_by_state),
        tables.Filter(
            "staff",
            "窗口人员",
            apply=lambda qs, v: qs.filter(Q(staff__name__contains=v) | Q(staff__username=v)).distinct(),
        ),
    ],
    default_sort="number",
    per_page=50,
    htmx=True,
)


def _window_choices(user, hall):
    departments = _departments(user).filter(active=True, region__code__startswith=region_prefix(hall.region_id))
    clerks = policy.visible(
        user,
        User.objects.filter(kind=User.Kind.STAFF, role=Role.CLERK, is_active=True).select_related("department"),
        region_field="department__region__code",
    )
    return {"departments": departments, "clerks": clerks.order_by("department_id", "username")}


def _hall(user):
    """The hall a new window goes in: the one within the manager's reach
    (the province has one hall; a city's would be its own)."""
    return policy.visible(user, Hall.objects.select_related("region")).order_by("pk").first()


def _window_data(data):
    return {k: data.get(k) for k in ("number", "name", "kind", "department")} | {"staff": list(data.get("staff") or [])}


@console_view
def windows(request):
    policy.require(request.user, "window.manage")
    table = WINDOW_TABLE.bind(request, _windows(request.user))
    if table.export_requested:
        return table.export_response()
    return render(request, "hall/windows.html", {"table": table, "hall": _hall(request.user)})


@console_view
@require_http_methods(["GET", "POST"])
def window_new(request):
    policy.require(request.user, "window.manage")
    hall = _hall(request.user)
    if hall is None:
        return render(request, "hall/window_form.html", {"form": None, "title": "新增窗口", "hall": None})
    form = forms.WindowForm(request.POST or None, **_window_choices(request.user, hall))
    if request.method == "POST" and form.is_valid():
        try:
            window = services.create_window(request.user, hall=hall, **_window_data(form.cleaned_data))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已新增窗口 {window}")
            return redirect("hall_console:window", pk=window.pk)
    return render(request, "hall/window_form.html", {"form": form, "title": "新增窗口", "hall": hall})


@console_view
@require_http_methods(["GET", "POST"])
def window(request, pk):
    policy.require(request.user, "window.manage")
    window = get_object_or_404(_windows(request.user), pk=pk)
    policy.require(request.user, "window.manage", window)
    choices = _window_choices(request.user, window.hall)
    initial = {
        "number": window.number,
        "name": window.name,
        "kind": window.kind,
        "department": window.department_id,
        "staff": [u.pk for u in window.staff.all()],
        "active": window.active,
        "version": window.version,
    }
    form = forms.WindowForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_window(
                request.user, window, version=posted_version(request), active=data["active"], **_window_data(data)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已保存窗口 {data['number'] or window.number}")
            return redirect("hall_console:window", pk=window.pk)
    return render(
        request,
        "hall/window_form.html",
        {"form": form, "title": f"窗口：{window}", "hall": window.hall, "window": window},
    )
