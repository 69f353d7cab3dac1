from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core import api_errors, audit, tables
from core.errors import ServiceError
from core.forms import show_service_error
from core.models import Department, Level, Region
from core.personal import matching

from . import policy, services
from .forms import OrganisationForm, PersonForm, RegisterForm, StaffForm
from .models import Organisation, Role, User


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


LOCKED_OUT_MESSAGE = "登录失败次数过多，账户已暂时锁定，请稍后再试"


def axes_username(request, credentials=None):
    """The username axes counts failures under (settings.AXES_USERNAME_CALLABLE):
    as typed, cut to the longest username there can be. A very long one would
    not fit axes' column and fail the sign-in with a server error on PostgreSQL."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username", "") if hasattr(request, "POST") else ""
    return str(name)[: User._meta.get_field("username").max_length]


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """Axes calls this once an account is locked after repeated failures.
    The API answers in its own JSON error format, pages with the Chinese page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            api_errors.body("locked_out", LOCKED_OUT_MESSAGE), status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "accounts/locked_out.html", status=429)


def console_view(view):
    """A staff console page: signed in, and a role that may enter the console.
    Public accounts are refused here even for records they may see elsewhere."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        policy.require(request.user, "console.access")
        return view(request, *args, **kwargs)

    return wrapped


@login_required
def home(request):
    """After login: staff go to the console, the public to their account."""
    return redirect("console:home" if request.user.kind == User.Kind.STAFF else "accounts:me")


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_person(**form.cleaned_data, ip=audit.client_ip(request))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功，欢迎使用四川政务服务")
            return redirect("accounts:me")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def me(request):
    person = getattr(request.user, "person", None)
    from .models import Agent

    organisations = (
        Organisation.objects.filter(Agent.current_q("agent__"), agent__person=person).select_related("region")
        if person
        else []
    )
    return render(request, "accounts/me.html", {"person": person, "organisations": organisations})


@login_required
@require_http_methods(["GET", "POST"])
def register_organisation(request):
    policy.require(request.user, "organisation.register")
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.register_organisation_as_agent(request.user, form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已登记为“{org.name}”的经办人")
            return redirect("accounts:me")
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "title": "登记我代办的组织", "base": "portal_base.html", "back": "accounts:me"},
    )


# --- staff console: organisations, persons, staff ---


def _reachable_regions(user):
    return policy.visible(user, Region.objects.exclude(level=Level.PROVINCE), region_field="code")


ORGANISATION_TABLE = tables.Table(
    "organisations",
    title="法人信息",
    columns=[
        tables.Column(
            "name", "名称", "name", order=("name",), link=lambda o: reverse("console:organisation", args=[o.pk])
        ),
        tables.Column("uscc", "统一社会信用代码", "uscc", order=("uscc",)),
        tables.Column("region", "登记地", "region.full_name", order=("region_id",)),
        tables.Column("legal", "法定代表人", "legal_representative", order=("legal_representative",)),
        tables.Column("created", "登记时间", "created_at", order=("created_at",)),
    ],
    filters=[
        tables.Filter("q", "名称或信用代码", apply=lambda qs, q: qs.filter(Q(name__contains=q) | Q(uscc=q.upper()))),
    ],
    default_sort="-created",
    per_page=20,
    htmx=True,
)


@console_view
def organisation_list(request):
    policy.require(request.user, "organisation.view")
    qs = policy.visible(request.user, Organisation.objects.select_related("region", "region__parent"))
    table = ORGANISATION_TABLE.bind(request, qs)
    if table.export_requested:
        return table.export_response()
    return render(
        request,
        "accounts/organisation_list.html",
        {"table": table, "can_create": policy.can(request.user, "organisation.create")},
    )


@console_view
def organisation_detail(request, pk):
    org = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    policy.require(request.user, "organisation.view", org)
    return render(
        request,
        "accounts/organisation_detail.html",
        {"org": org, "agents": org.agents.all(), "can_edit": policy.can(request.user, "organisation.edit", org)},
    )


@console_view
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    policy.require(request.user, "organisation.create")
    form = OrganisationForm(request.POST or None, regions=_reachable_regions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(request.user, form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已登记“{org.name}”")
            return redirect("console:organisation", pk=org.pk)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "title": "登记法人", "base": "console_base.html", "back": "console:organisations"},
    )


@console_view
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, "organisation.edit", org)
    initial = {
        "uscc": org.uscc,
        "name": org.name,
        "region": org.region_id,
        "legal_representative": org.legal_representative,
        "address": org.address,
        "version": services.version_of(org),
    }
    form = OrganisationForm(request.POST or None, initial=initial, regions=_reachable_regions(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            # A post without the version it was based on is treated as stale,
            # never as permission to overwrite whatever is there now.
            services.update_organisation(request.user, org, data, version=data.pop("version") or "")
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("console:organisation", pk=org.pk)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "title": f"修改：{org.name}", "base": "console_base.html", "back": "console:organisations"},
    )


@console_view
@require_http_methods(["GET", "POST"])
def person_create(request):
    policy.require(request.user, "person.create")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已登记自然人 {person.name}（{person.masked_id}）")
            return redirect("console:person_new")
    return render(request, "accounts/person_form.html", {"form": form})


STAFF_TABLE = tables.Table(
    "staff",
    title="工作人员",
    columns=[
        tables.Column("username", "用户名", "username", order=("username",)),
        tables.Column("name", "姓名", "name", order=("name",)),
        tables.Column("role", "角色", "get_role_display", order=("role",)),
        tables.Column("department", "部门", "department.name", order=("department__name",)),
        tables.Column("region", "区划", "department.region.full_name", order=("department__region_id",)),
        tables.Column("active", "在用", "is_active", order=("is_active",)),
    ],
    filters=[
        tables.Filter("q", "用户名或姓名", lookups=("username", "name")),
        tables.Filter("role", "角色", choices=Role.choices),
    ],
    per_page=50,
)


@console_view
def staff_list(request):
    policy.require(request.user, "staff.view")
    qs = User.objects.filter(kind=User.Kind.STAFF).select_related("department", "department__region")
    qs = policy.visible(
        request.user, qs, region_field="department__region__code", function_field="department__function"
    )
    if request.user.role in policy.DEPARTMENT_BOUND:
        qs = qs.filter(department=request.user.department)
    table = STAFF_TABLE.bind(request, qs.order_by("department_id", "username"))
    if table.export_requested:
        return table.export_response()
    return render(
        request, "accounts/staff_list.html", {"table": table, "can_manage": policy.can(request.user, "staff.manage")}
    )


@console_view
@require_http_methods(["GET", "POST"])
def staff_create(request):
    policy.require(request.user, "staff.manage")
    form = StaffForm(request.POST or None)
    departments = policy.visible(request.user, Department.objects.filter(active=True).select_related("region"))
    if request.user.role in policy.DEPARTMENT_BOUND:
        departments = departments.filter(pk=request.user.department_id)
    form.fields["department"].queryset = departments
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_staff(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已创建工作人员 {user.name}")
            return redirect("console:staff")
    return render(request, "accounts/staff_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_agents(request, pk):
    """The legal representative's page: who acts for the organisation, with
    what scope and until when; authorise another, revoke one."""
    from .forms import AgentForm
    from .models import Agent

    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, "organisation.view", org)
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agent = services.authorise_agent(request.user, org, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已授权 {agent.person.name} 代办")
            return redirect("accounts:organisation_agents", pk=org.pk)
    agents = (
        Agent.objects.filter(organisation=org)
        .select_related("person")
        .order_by("-is_legal_representative", "person__name")
    )
    return render(request, "accounts/organisation_agents.html", {"org": org, "agents": agents, "form": form})


@login_required
@require_http_methods(["POST"])
def revoke_agent(request, pk):
    from .models import Agent

    agent = get_object_or_404(Agent.objects.select_related("organisation", "person"), pk=pk)
    try:
        services.revoke_agent(request.user, agent)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销 {agent.person.name} 的代办授权")
    return redirect("accounts:organisation_agents", pk=agent.organisation_id)


ACTING_ORGANISATION = "acting_organisation"  # session key: the organisation an agent acts for now


@login_required
@require_http_methods(["POST"])
def act_for(request):
    """An agent of several organisations chooses which one they act for now
    (what they change is audited on its behalf)."""
    from .models import Agent

    uscc = request.POST.get("uscc", "")
    if Agent.objects.filter(Agent.current_q(), person__user=request.user, organisation__uscc=uscc).exists():
        request.session[ACTING_ORGANISATION] = uscc
        messages.success(request, "已切换代办的组织")
    else:
        messages.error(request, "您不是该组织的有效经办人")
    return redirect("accounts:me")


@console_view
@require_http_methods(["GET", "POST"])
def person_verify(request):
    """A clerk raises a person to level three after seeing them and their ID
    card at the window (or their digital certificate)."""
    from .forms import VerifyPersonForm
    from .models import Person

    policy.require(request.user, "person.create")
    form = VerifyPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.objects.filter(matching("resident_id", data["resident_id"]), name=data["name"].strip()).first()
        try:
            if person is None:
                raise ServiceError(
                    "未找到该姓名和身份证号的自然人，请先登记",
                    errors={"resident_id": ["未找到该姓名和身份证号的自然人"]},
                )
            record = services.verify_in_person(request.user, person, method=data["method"], note=data["note"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"{person.name}（{person.masked_id}）现为{record.get_level_display()}")
            return redirect("console:person_verify")
    return render(
        request, "accounts/person_form.html", {"form": form, "title": "实名核验（三级认证）", "button": "核验"}
    )
