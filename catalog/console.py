"""Console pages for the catalogue and acceptance manuals under /console/catalog/."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.views import console_view
from core import tables
from core.errors import Conflict, ServiceError
from core.forms import show_service_error

from . import exchange, manuals, services
from .forms import (
    ConfirmForm,
    ImportForm,
    ManualForm,
    MaterialForm,
    MatterForm,
    QuestionForm,
    ReviewForm,
    SituationForm,
    provincial_departments,
)
from .models import GuideOption, GuideQuestion, Manual, Material, Matter, MatterType, Situation


def _departments_with_counts():
    return provincial_departments().annotate(n=Count("matters")).filter(n__gt=0)


def _default_department(request):
    """Department-bound staff start from their own department's matters."""
    if "department" in request.GET:
        return request.GET.get("department", "")
    user = request.user
    if user.role in policy.DEPARTMENT_BOUND and user.department_id:
        own = provincial_departments().filter(function=user.department.function).first()
        return str(own.pk) if own else ""
    return ""


def _editable_departments(user):
    return [d for d in provincial_departments() if policy.can(user, "catalog.edit", Matter(department=d))]


# --- catalogue ---------------------------------------------------------------


MATTER_TABLE = tables.Table(
    "matters",
    title="事项目录",
    columns=[
        tables.Column(
            "name", "事项名称", "name", order=("name",), link=lambda m: reverse("catalog_console:matter", args=[m.pk])
        ),
        tables.Column("code", "实施编码", "implementation_code", order=("implementation_code",)),
        tables.Column("type", "类型", "get_matter_type_display", order=("matter_type",)),
        tables.Column(
            "department", "实施部门", lambda m: m.department.short_name or m.department.name, order=("department_id",)
        ),
        tables.Column(
            "limits", "承诺/法定时限", lambda m: f"{m.promised_limit}/{m.legal_limit}", order=("promised_limit",)
        ),
        tables.Column("situations", "情形", "n_situations", order=("n_situations",)),
        tables.Column("active", "状态", lambda m: "在用" if m.active else "停用", order=("active",)),
    ],
    filters=[
        tables.Filter(
            "q",
            "事项名称或实施编码",
            apply=lambda qs, q: qs.filter(Q(name__contains=q) | Q(implementation_code=q.upper())),
        ),
        tables.Filter(
            "department",
            "实施部门",
            choices=lambda request: [
                (str(d.pk), f"{d.short_name or d.name}（{d.n}）") for d in _departments_with_counts()
            ],
            lookup="department_id",
            default=_default_department,
            blank="全部部门",
        ),
        tables.Filter("type", "类型", choices=MatterType.choices, lookup="matter_type"),
    ],
    default_sort="department",
    per_page=20,
)


@console_view
def index(request):
    policy.require(request.user, "catalog.view")
    qs = Matter.objects.select_related("department").annotate(n_situations=Count("situations"))
    table = MATTER_TABLE.bind(request, qs.order_by("department_id", "catalogue_code"))
    if table.export_requested:
        return table.export_response()
    department = next(f.value for f in table.filters if f.filter.key == "department")
    return render(
        request,
        "catalog/console/index.html",
        {
            "table": table,
            "department": department,
            "can_create": bool(_editable_departments(request.user)) and policy.can(request.user, "catalog.edit"),
            "can_import": policy.can(request.user, "catalog.import"),
        },
    )


@console_view
def matter_detail(request, pk):
    policy.require(request.user, "catalog.view")
    matter = get_object_or_404(Matter.objects.select_related("department"), pk=pk)
    situations = matter.situations.select_related("manual").prefetch_related("materials__only_if__question")
    questions = matter.questions.prefetch_related("options__situations")
    return render(
        request,
        "catalog/console/matter_detail.html",
        {
            "matter": matter,
            "situations": situations,
            "questions": questions,
            "can_edit": policy.can(request.user, "catalog.edit", matter),
        },
    )


@console_view
@require_http_methods(["GET", "POST"])
def matter_create(request):
    policy.require(request.user, "catalog.edit")
    departments = _editable_departments(request.user)
    qs = provincial_departments().filter(pk__in=[d.pk for d in departments])
    form = MatterForm(request.POST or None, departments=qs)
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.create_matter(request.user, form.service_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已新增事项“{matter.name}”")
            return redirect("catalog_console:matter", pk=matter.pk)
    return render(
        request, "catalog/console/form.html", {"form": form, "title": "新增事项", "back": "catalog_console:index"}
    )


@console_view
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk):
    matter = get_object_or_404(Matter.objects.select_related("department"), pk=pk)
    policy.require(request.user, "catalog.edit", matter)
    qs = provincial_departments().filter(pk__in=[d.pk for d in _editable_departments(request.user)])
    form = MatterForm(request.POST or None, initial=MatterForm.initial_from(matter), departments=qs)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_matter(request.user, matter, form.service_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("catalog_console:matter", pk=matter.pk)
    return render(
        request,
        "catalog/console/form.html",
        {"form": form, "title": f"修改事项：{matter.name}", "back_url": matter_url(matter)},
    )


def matter_url(matter):
    from django.urls import reverse

    return reverse("catalog_console:matter", args=[matter.pk])


def _saved(request, form, message, save):
    """Run a service with the form's data: True when it saved, otherwise
    its refusal is shown on the form."""
    try:
        save(form.cleaned_data)
    except ServiceError as exc:
        show_service_error(form, exc)
        return False
    messages.success(request, message)
    return True


@console_view
@require_http_methods(["GET", "POST"])
def situation_form(request, matter_pk=None, pk=None):
    situation = get_object_or_404(Situation.objects.select_related("matter__department"), pk=pk) if pk else None
    matter = (
        situation.matter if situation else get_object_or_404(Matter.objects.select_related("department"), pk=matter_pk)
    )
    policy.require(request.user, "catalog.edit", matter)
    if situation:
        initial = {
            "item_code": situation.item_code,
            "name": situation.name,
            "kind": situation.kind,
            "criteria": situation.criteria,
        }
    else:
        serial = matter.situations.count() + 1
        initial = {"item_code": f"{matter.implementation_code}{serial:02d}"}
    form = SituationForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            request,
            form,
            "已保存情形",
            lambda data: (
                services.update_situation(request.user, situation, data)
                if situation
                else services.create_situation(request.user, matter, data)
            ),
        )
    ):
        return redirect("catalog_console:matter", pk=matter.pk)
    title = f"修改情形：{situation.name}" if situation else f"新增情形：{matter.name}"
    return render(request, "catalog/console/form.html", {"form": form, "title": title, "back_url": matter_url(matter)})


@console_view
@require_http_methods(["GET", "POST"])
def material_form(request, situation_pk=None, pk=None):
    material = (
        get_object_or_404(Material.objects.select_related("situation__matter__department"), pk=pk) if pk else None
    )
    situation = (
        material.situation
        if material
        else get_object_or_404(Situation.objects.select_related("matter__department"), pk=situation_pk)
    )
    matter = situation.matter
    policy.require(request.user, "catalog.edit", matter)
    options = GuideOption.objects.filter(question__matter=matter).select_related("question")
    if material:
        initial = {
            f: getattr(material, f)
            for f in (
                "name",
                "required",
                "form",
                "copies",
                "file_format",
                "from_e_certificate",
                "e_certificate_name",
                "tolerable",
                "notes",
                "position",
            )
        }
        initial["only_if"] = str(material.only_if_id or "")
    else:
        initial = {"position": situation.materials.count() + 1}
    form = MaterialForm(request.POST or None, initial=initial, options=options)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            request,
            form,
            "已保存材料",
            lambda data: (
                services.update_material(request.user, material, data)
                if material
                else services.create_material(request.user, situation, data)
            ),
        )
    ):
        return redirect("catalog_console:matter", pk=matter.pk)
    title = f"修改材料：{material.name}" if material else f"新增材料：{situation}"
    return render(request, "catalog/console/form.html", {"form": form, "title": title, "back_url": matter_url(matter)})


@console_view
@require_POST
def material_delete(request, pk):
    material = get_object_or_404(Material.objects.select_related("situation__matter__department"), pk=pk)
    matter = material.situation.matter
    try:
        services.delete_material(request.user, material)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除材料“{material.name}”")
    return redirect("catalog_console:matter", pk=matter.pk)


@console_view
@require_http_methods(["GET", "POST"])
def question_form(request, matter_pk=None, pk=None):
    question = get_object_or_404(GuideQuestion.objects.select_related("matter__department"), pk=pk) if pk else None
    matter = (
        question.matter if question else get_object_or_404(Matter.objects.select_related("department"), pk=matter_pk)
    )
    policy.require(request.user, "catalog.edit", matter)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_from(question) if question else None)
    if request.method == "POST" and form.is_valid():
        options, bad = form.parse(matter.situations.all())
        if bad:
            form.add_error("options", f"选项：本事项没有序号为 {'、'.join(bad)} 的情形")
        else:
            try:
                services.save_question(
                    request.user, matter, text=form.cleaned_data["text"], options=options, question=question
                )
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, "已保存引导问题")
                return redirect("catalog_console:matter", pk=matter.pk)
    title = f"修改引导问题：{question.text}" if question else f"新增引导问题：{matter.name}"
    return render(request, "catalog/console/form.html", {"form": form, "title": title, "back_url": matter_url(matter)})


# --- import and export -------------------------------------------------------


@console_view
@require_http_methods(["GET", "POST"])
def import_catalogue(request):
    policy.require(request.user, "catalog.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, counts = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            counts = exchange.import_catalogue(request.user, upload.read(), upload.name)
        except exchange.ImportFailed as exc:
            problems = exc.rows
            form.add_error(None, exc.message)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                "导入完成：新增事项{matters_created}个、更新{matters_updated}个；新增情形"
                "{situations_created}个、更新{situations_updated}个；材料{materials}条，"
                "引导问题{questions}个、选项{options}个".format(**counts),
            )
            return redirect("catalog_console:import")
    return render(request, "catalog/console/import.html", {"form": form, "problems": problems})


@console_view
def export_catalogue(request):
    policy.require(request.user, "catalog.view")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "json"):
        raise Http404
    matters = Matter.objects.all()
    department = request.GET.get("department", "")
    if department.isdigit():
        matters = matters.filter(department_id=int(department))
    content = exchange.export_catalogue(fmt, matters)
    stamp = timezone.localtime().strftime("%Y%m%d")
    kind = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "application/json; charset=utf-8"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.{fmt}"'
    return response


# --- manuals -----------------------------------------------------------------

STATE_FILTERS = [("none", "未梳理")] + list(Manual.State.choices)


def _manual_state(qs, state):
    return qs.filter(manual__isnull=True) if state == "none" else qs.filter(manual__state=state)


MANUAL_TABLE = tables.Table(
    "manuals",
    title="受理工作手册",
    columns=[
        tables.Column("matter", "事项", "matter.name", order=("matter__name",)),
        tables.Column(
            "situation", "情形", "name", order=("name",), link=lambda s: reverse("catalog_console:manual", args=[s.pk])
        ),
        tables.Column(
            "department",
            "部门",
            lambda s: s.matter.department.short_name or s.matter.department.name,
            order=("matter__department_id",),
        ),
        tables.Column(
            "state",
            "状态",
            lambda s: s.manual.get_state_display() if _has_manual(s) else "未梳理",
            order=("manual__state",),
        ),
        tables.Column(
            "version", "版本", lambda s: s.manual.version if _has_manual(s) else "", order=("manual__version",)
        ),
        tables.Column(
            "updated",
            "更新时间",
            lambda s: s.manual.updated_at if _has_manual(s) else "",
            order=("manual__updated_at",),
        ),
    ],
    filters=[
        tables.Filter("q", "事项或情形", lookups=("matter__name__contains", "name__contains")),
        tables.Filter(
            "department",
            "部门",
            choices=lambda request: [
                (str(d.pk), f"{d.short_name or d.name}（{d.n}）") for d in _departments_with_counts()
            ],
            lookup="matter__department_id",
            default=_default_department,
            blank="全部部门",
        ),
        tables.Filter("state", "状态", choices=STATE_FILTERS, apply=_manual_state),
    ],
    default_sort="department",
)


def _has_manual(situation):
    try:
        return situation.manual is not None
    except Manual.DoesNotExist:
        return False


@console_view
def manual_list(request):
    policy.require(request.user, "catalog.view")
    qs = Situation.objects.select_related("matter__department", "manual")
    table = MANUAL_TABLE.bind(request, qs.order_by("matter__department_id", "item_code"))
    if table.export_requested:
        return table.export_response()
    return render(request, "catalog/console/manual_list.html", {"table": table})


@console_view
def manual_progress(request):
    policy.require(request.user, "catalog.view")
    table, totals, sentence = manuals.progress()
    return render(
        request, "catalog/console/manual_progress.html", {"table": table, "totals": totals, "sentence": sentence}
    )


def _situation(pk):
    return get_object_or_404(Situation.objects.select_related("matter__department"), pk=pk)


@console_view
def manual_detail(request, situation_pk):
    policy.require(request.user, "catalog.view")
    situation = _situation(situation_pk)
    manual = Manual.objects.filter(situation=situation).first()
    version = manual.current if manual else None
    user = request.user
    context = {
        "situation": situation,
        "matter": situation.matter,
        "manual": manual,
        "version": version,
        "versions": manual.versions.all() if manual else [],
        "steps": manual.steps.all() if manual else [],
        "can_draft": policy.can(user, "manual.draft", situation.matter),
    }
    if manual:
        if manual.state == Manual.State.DRAFTED and policy.can(user, "manual.review", manual):
            context["review_form"] = ReviewForm(initial={"version": manual.version})
        if manual.state == Manual.State.REVIEWED and policy.can(user, "manual.confirm", manual):
            context["confirm_form"] = ConfirmForm(initial={"version": manual.version})
    return render(request, "catalog/console/manual_detail.html", context)


@console_view
def manual_version(request, situation_pk, number):
    policy.require(request.user, "catalog.view")
    situation = _situation(situation_pk)
    manual = get_object_or_404(Manual, situation=situation)
    version = get_object_or_404(manual.versions, number=number)
    return render(
        request, "catalog/console/manual_version.html", {"situation": situation, "manual": manual, "version": version}
    )


@console_view
@require_http_methods(["GET", "POST"])
def manual_edit(request, situation_pk):
    situation = _situation(situation_pk)
    policy.require(request.user, "manual.draft", situation.matter)
    manual = Manual.objects.filter(situation=situation).first()
    materials = list(situation.materials.all())
    current = manual.current if manual else None
    form = ManualForm(
        request.POST or None, materials=materials, initial=ManualForm.initial_from(manual, current, materials)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            manuals.save_draft(request.user, situation, form.service_data(), base_version=form.cleaned_data["version"])
        except Conflict as exc:
            # Keep what this person typed and show them what the other saved;
            # once they have compared, saving again builds on the latest version.
            manual = Manual.objects.filter(situation=situation).first()
            conflict = manual.current if manual else None
            data = request.POST.copy()
            data["version"] = str(manual.version if manual else 0)
            form = ManualForm(data, materials=materials)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "已保存为新版本，等待省政务服务中心审核")
            return redirect("catalog_console:manual", situation_pk=situation.pk)
    return render(
        request,
        "catalog/console/manual_edit.html",
        {"form": form, "situation": situation, "manual": manual, "conflict": conflict},
    )


@console_view
@require_POST
def manual_review(request, situation_pk):
    situation = _situation(situation_pk)
    manual = get_object_or_404(Manual, situation=situation)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结论")
    else:
        try:
            manuals.review(
                request.user,
                manual,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
                base_version=form.cleaned_data["version"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message if not exc.errors.get("comment") else exc.errors["comment"][0])
        else:
            messages.success(request, "已记录审核意见")
    return redirect("catalog_console:manual", situation_pk=situation.pk)


@console_view
@require_POST
def manual_confirm(request, situation_pk):
    situation = _situation(situation_pk)
    manual = get_object_or_404(Manual, situation=situation)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的数据有误，请刷新页面后重试")
    else:
        try:
            manuals.confirm(
                request.user, manual, comment=form.cleaned_data["comment"], base_version=form.cleaned_data["version"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已确认，窗口人员将按此手册受理")
    return redirect("catalog_console:manual", situation_pk=situation.pk)
