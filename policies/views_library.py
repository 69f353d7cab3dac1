"""Console pages of the policy library under /console/policies/: a
department's own documents and items (create, edit, submit, withdraw), the
centre's review queue (approve / return) and overdue breakdowns, and import
and export. Every change goes through policies.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.views import console_view
from core import tables
from core.errors import ServiceError
from core.forms import show_service_error
from core.models import Department

from . import exchange, services
from .forms import AttachmentForm, DocumentForm, ImportForm, InterpretationForm, ItemForm, ReturnForm
from .models import BenefitItem, Interpretation, PolicyAttachment, PolicyDocument, Status


def _departments_for(user):
    """Departments the user may record for: the centre any in its reach."""
    if services.is_department_bound(user):
        return None
    return policy.visible(user, Department.objects.order_by("region_id", "pk"), region_field="region__code")


def _documents(user):
    return services.maintained_by(user, PolicyDocument.objects.select_related("department", "region"))


def _nav(user):
    return {
        "is_centre": policy.can(user, "policy.publish"),
        "can_edit": policy.can(user, "policy.edit"),
        "can_import": policy.can(user, "policy.import"),
        "can_overdue": policy.can(user, "policy.overdue"),
    }


DOCUMENT_TABLE = tables.Table(
    "documents",
    title="政策文件",
    columns=[
        tables.Column(
            "title", "标题", "title", order=("title",), link=lambda d: reverse("policies_console:document", args=[d.pk])
        ),
        tables.Column("number", "文号", "number", order=("number",)),
        tables.Column("department", "维护部门", "department.name", order=("department__name",)),
        tables.Column("issued", "发布日期", "issued_on", order=("issued_on",)),
        tables.Column("status", "状态", "get_status_display", order=("status",)),
        tables.Column("items", "事项", "n_items", order=("n_items",)),
        tables.Column("due", "拆解期限", "breakdown_due", order=("breakdown_due",)),
    ],
    filters=[
        tables.Filter(
            "q", "标题或文号", apply=lambda qs, q: qs.filter(Q(title__contains=q[:100]) | Q(number__contains=q[:100]))
        ),
        tables.Filter("status", "状态", choices=Status.choices),
    ],
    per_page=20,
)

ITEM_TABLE = tables.Table(
    "items",
    title="惠企事项",
    columns=[
        tables.Column("code", "事项编码", "code", order=("code",)),
        tables.Column(
            "title", "事项名称", "title", order=("title",), link=lambda i: reverse("policies_console:item", args=[i.pk])
        ),
        tables.Column("document", "政策文件", "document.title", order=("document__title",)),
        tables.Column("department", "认领部门", "department.name", order=("department__name",)),
        tables.Column("kind", "类别", "get_kind_display", order=("kind",)),
        tables.Column("delivery", "兑现方式", "get_delivery_display", order=("delivery",)),
        tables.Column("status", "状态", "get_status_display", order=("status",)),
    ],
    filters=[
        tables.Filter(
            "q", "事项名称或编码", apply=lambda qs, q: qs.filter(Q(title__contains=q[:100]) | Q(code=q.upper()))
        ),
        tables.Filter("status", "状态", choices=Status.choices),
        tables.Filter("kind", "类别", choices=BenefitItem.Kind.choices),
        tables.Filter("delivery", "兑现方式", choices=BenefitItem.Delivery.choices),
    ],
    per_page=20,
)


@console_view
def index(request):
    policy.require(request.user, "policy.view")
    qs = _documents(request.user).annotate(n_items=Count("items", distinct=True))
    table = DOCUMENT_TABLE.bind(request, qs.order_by("-id"))
    if table.export_requested:
        return table.export_response()
    context = {"table": table, **_nav(request.user)}
    if context["is_centre"]:
        context["review_count"] = (
            PolicyDocument.objects.filter(status=Status.REVIEW).count()
            + BenefitItem.objects.filter(
                status=Status.REVIEW, document__status__in=(Status.PUBLISHED, Status.EXPIRED)
            ).count()
        )
    if context["can_overdue"]:
        context["overdue_count"] = services.overdue_count()
    return render(request, "policies/console/index.html", context)


@console_view
def item_list(request):
    """The benefit items the user maintains, including those their
    department claimed under another body's document."""
    policy.require(request.user, "policy.view")
    qs = services.maintained_by(request.user, BenefitItem.objects.select_related("department", "document"))
    table = ITEM_TABLE.bind(request, qs.order_by("-id"))
    if table.export_requested:
        return table.export_response()
    return render(request, "policies/console/items.html", {"table": table, **_nav(request.user)})


def _document(request, pk):
    doc = get_object_or_404(PolicyDocument.objects.select_related("department", "region"), pk=pk)
    policy.require(request.user, "policy.view", doc)
    return doc


@console_view
def document_detail(request, pk):
    doc = _document(request, pk)
    user = request.user
    return render(
        request,
        "policies/console/document.html",
        {
            "doc": doc,
            "articles": doc.articles.all(),
            "items": doc.items.select_related("department", "article").order_by("id")[:200],
            "interpretations": doc.interpretations.all(),
            "attachments": doc.attachments.all(),
            "can_edit": services.can_edit(user, doc),
            "can_publish": policy.can(user, "policy.publish", doc),
            "return_form": ReturnForm(),
            "attachment_form": AttachmentForm(),
            **_nav(user),
        },
    )


@console_view
@require_http_methods(["GET", "POST"])
def document_form(request, pk=None):
    policy.require(request.user, "policy.edit")
    doc = _document(request, pk) if pk else None
    if doc:
        services.check(request.user, "policy.edit", doc)
    initial = DocumentForm.initial_from(doc) if doc else {}
    form = DocumentForm(request.POST or None, initial=initial, departments=_departments_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            if doc:
                doc = services.update_document(
                    request.user, doc, form.service_data(), version=form.cleaned_data.get("version")
                )
            else:
                doc = services.create_document(request.user, form.service_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已保存政策文件“{doc.title}”")
            return redirect("policies_console:document", pk=doc.pk)
    return render(
        request,
        "policies/console/form.html",
        {
            "form": form,
            "title": f"修改政策文件：{doc.title}" if doc else "新增政策文件",
            "back_url": _back(doc),
            **_nav(request.user),
        },
    )


def _back(doc):
    from django.urls import reverse

    return reverse("policies_console:document", args=[doc.pk]) if doc else reverse("policies_console:index")


DOCUMENT_STEPS = {
    "submit": (services.submit_document, "已提交审核"),
    "approve": (services.approve_document, "已审核发布"),
    "withdraw": (services.withdraw_document, "已撤回"),
    "reopen": (services.reopen_document, "已转为草稿，可修改后重新提交"),
}
ITEM_STEPS = {
    "submit": (services.submit_item, "已提交审核"),
    "approve": (services.approve_item, "已审核发布"),
    "withdraw": (services.withdraw_item, "已撤回"),
    "reopen": (services.reopen_item, "已转为草稿"),
}
INTERPRETATION_STEPS = {
    "submit": (services.submit_interpretation, "已提交审核"),
    "approve": (services.approve_interpretation, "已审核发布"),
}


def _step(request, obj, steps, returner, back):
    step = request.POST.get("step", "")
    version = request.POST.get("version") or None
    try:
        if step == "return":
            returner(request.user, obj, comment=request.POST.get("comment", ""), version=version)
            messages.success(request, "已退回")
        elif step in steps:
            function, done = steps[step]
            function(request.user, obj, version=version)
            messages.success(request, done)
        else:
            raise Http404("未知的操作")
    except ServiceError as exc:
        messages.error(
            request, exc.message if not exc.errors else "；".join(m for ms in exc.errors.values() for m in ms)
        )
    return redirect(request.POST.get("next") or back)


@console_view
@require_POST
def document_step(request, pk):
    doc = _document(request, pk)
    return _step(request, doc, DOCUMENT_STEPS, services.return_document, _back(doc))


@console_view
@require_POST
def attachment_add(request, pk):
    doc = _document(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(request.user, doc, form.cleaned_data["file"], name=form.cleaned_data["name"])
            messages.success(request, "已上传附件")
        except ServiceError as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms) or exc.message)
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect("policies_console:document", pk=doc.pk)


@console_view
@require_POST
def attachment_remove(request, pk):
    attachment = get_object_or_404(PolicyAttachment.objects.select_related("document"), pk=pk)
    try:
        services.remove_attachment(request.user, attachment)
        messages.success(request, "已删除附件")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("policies_console:document", pk=attachment.document_id)


def _item(request, pk):
    item = get_object_or_404(BenefitItem.objects.select_related("department", "region", "document", "article"), pk=pk)
    policy.require(request.user, "policy.view", item)
    return item


@console_view
def item_detail(request, pk):
    item = _item(request, pk)
    return render(
        request,
        "policies/console/item.html",
        {
            "item": item,
            "doc": item.document,
            "can_edit": services.can_edit(request.user, item),
            "can_publish": policy.can(request.user, "policy.publish", item),
            **_nav(request.user),
        },
    )


@console_view
@require_http_methods(["GET", "POST"])
def item_form(request, pk=None, document_pk=None):
    policy.require(request.user, "policy.edit")
    item = _item(request, pk) if pk else None
    doc = item.document if item else _document(request, document_pk)
    if item:
        services.check(request.user, "policy.edit", item)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_from(item) if item else {}, document=doc)
    if request.method == "POST" and form.is_valid():
        try:
            if item:
                item = services.update_item(
                    request.user, item, form.service_data(), version=form.cleaned_data.get("version")
                )
            else:
                item = services.create_item(request.user, doc, form.service_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, f"已保存惠企事项“{item.title}”")
            return redirect("policies_console:item", pk=item.pk)
    return render(
        request,
        "policies/console/form.html",
        {
            "form": form,
            "title": (f"修改惠企事项：{item.title}" if item else f"拆解惠企事项：{doc.title}"),
            "back_url": _back(doc),
            **_nav(request.user),
        },
    )


@console_view
@require_POST
def item_step(request, pk):
    item = _item(request, pk)
    from django.urls import reverse

    return _step(request, item, ITEM_STEPS, services.return_item, reverse("policies_console:item", args=[item.pk]))


@console_view
@require_http_methods(["GET", "POST"])
def interpretation_form(request, document_pk):
    policy.require(request.user, "policy.edit")
    doc = _document(request, document_pk)
    form = InterpretationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_interpretation(request.user, doc, form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "已新增政策解读")
            return redirect("policies_console:document", pk=doc.pk)
    return render(
        request,
        "policies/console/form.html",
        {"form": form, "title": f"新增政策解读：{doc.title}", "back_url": _back(doc), **_nav(request.user)},
    )


@console_view
@require_POST
def interpretation_step(request, pk):
    interpretation = get_object_or_404(Interpretation.objects.select_related("document"), pk=pk)
    policy.require(request.user, "policy.view", interpretation)
    return _step(
        request, interpretation, INTERPRETATION_STEPS, services.return_interpretation, _back(interpretation.document)
    )


@console_view
def review(request):
    """The centre's review queue: documents, and items and interpretations
    added to documents already published."""
    policy.require(request.user, "policy.publish")
    scope = lambda qs: policy.visible(request.user, qs, region_field="region__code")  # noqa: E731
    documents = scope(
        PolicyDocument.objects.filter(status=Status.REVIEW)
        .select_related("department")
        .annotate(n_items=Count("items"))
    ).order_by("updated_at", "pk")
    items = scope(
        BenefitItem.objects.filter(status=Status.REVIEW)
        .exclude(document__status=Status.REVIEW)
        .select_related("department", "document")
    ).order_by("updated_at", "pk")
    interpretations = scope(
        Interpretation.objects.filter(status=Status.REVIEW)
        .exclude(document__status=Status.REVIEW)
        .select_related("document")
    )
    return render(
        request,
        "policies/console/review.html",
        {"documents": documents, "items": items[:200], "interpretations": interpretations[:200], **_nav(request.user)},
    )


@console_view
def overdue(request):
    policy.require(request.user, "policy.overdue")
    docs = policy.visible(request.user, services.overdue_documents(), region_field="region__code")
    page = Paginator(docs, 50).get_page(request.GET.get("page"))
    return render(request, "policies/console/overdue.html", {"page": page, **_nav(request.user)})


@console_view
@require_http_methods(["GET", "POST"])
def import_page(request):
    policy.require(request.user, "policy.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, counts = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            counts = exchange.import_library(request.user, upload.read(), upload.name or "")
        except exchange.ImportFailed as exc:
            problems = exc.rows
        except ServiceError as exc:
            problems = [exc.message]
        else:
            messages.success(
                request,
                f"已导入政策文件 {counts['documents']} 个、条款 {counts['articles']} 条、"
                f"惠企事项 {counts['items']} 个（均为草稿，请核对后提交审核）",
            )
            return redirect("policies_console:index")
    return render(request, "policies/console/import.html", {"form": form, "problems": problems, **_nav(request.user)})


@console_view
def export(request):
    policy.require(request.user, "policy.view")
    fmt = "json" if request.GET.get("format") == "json" else "xlsx"
    content = exchange.export_library(_documents(request.user), fmt)
    response = HttpResponse(
        content,
        content_type="application/json; charset=utf-8"
        if fmt == "json"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="policies.{fmt}"'
    return response


@console_view
@require_http_methods(["GET", "POST"])
def vocabulary_page(request):
    """检索词表: the shipped vocabulary with its sources, and entries proposed
    in the console, which the centre approves or rejects (policies.vocabulary)."""
    policy.require(request.user, "policy.view")
    from . import vocabulary
    from .models import VocabularyEntry

    can_propose = policy.can(request.user, "policy.edit") or policy.can(request.user, "policy.publish")
    form = {"kind": "synonym", "words": "", "source": ""}
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "propose":
                form = {k: request.POST.get(k, "") for k in form}
                vocabulary.propose(request.user, form["kind"], form["words"], form["source"])
                messages.success(request, "已提出，待政务服务中心复核。")
            elif action in ("approve", "reject"):
                entry = get_object_or_404(VocabularyEntry, pk=request.POST.get("entry"))
                vocabulary.review(request.user, entry, action == "approve", request.POST.get("note", ""))
                messages.success(request, "已采用，查询即刻生效。" if action == "approve" else "已记为不采用。")
            else:
                raise Http404
            return redirect("policies_console:vocabulary")
        except ServiceError as e:
            errors = e.errors or {}
            messages.error(request, str(e))
    kind = request.GET.get("kind", "synonym")
    if kind not in VocabularyEntry.Kind.values:
        kind = "synonym"
    return render(
        request,
        "policies/console/vocabulary.html",
        {
            "kind": kind,
            "kinds": VocabularyEntry.Kind.choices,
            "proposed": VocabularyEntry.objects.filter(state=VocabularyEntry.State.PROPOSED).select_related(
                "proposed_by"
            ),
            "entries": VocabularyEntry.objects.filter(kind=kind)
            .exclude(state=VocabularyEntry.State.PROPOSED)
            .select_related("proposed_by", "reviewed_by")[:200],
            "shipped": vocabulary.shipped(kind),
            "form": form,
            "errors": errors,
            "can_propose": can_propose,
            **_nav(request.user),
        },
    )
