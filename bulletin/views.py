"""Console pages of the weekly bulletin (/console/bulletin/): the list, the
draft editor (every paragraph editable in place with htmx), DOCX export,
PDF rendering in the background, issuing and the archive of issued files."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from accounts import policy
from accounts.views import console_view
from core.errors import ServiceError
from core.forms import posted_version, show_service_error

from . import render as rendering
from . import services, tasks
from .models import Block, Bulletin, BulletinFile, DistributionList

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BuildForm(forms.Form):
    week_start = forms.DateField(
        label="所报周（任选该周一天）",
        widget=DATE_INPUT,
        required=False,
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )


class HeaderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.IntegerField(label="期号", required=False, error_messages={"invalid": "期号应为正整数"})
    dated = forms.DateField(
        label="印发日期", widget=DATE_INPUT, required=False, error_messages={"invalid": "日期格式应为 YYYY-MM-DD"}
    )
    issuing_unit = forms.CharField(label="印发单位", required=False)
    report_to = forms.CharField(label="报", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    send_to = forms.CharField(label="发", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    copies = forms.IntegerField(label="印数（份）", required=False, error_messages={"invalid": "印数应为整数"})


class DistributionForm(forms.Form):
    name = forms.CharField(label="名称", required=False)
    report_to = forms.CharField(label="报", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    send_to = forms.CharField(label="发", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    copies = forms.IntegerField(label="印数（份）", required=False, error_messages={"invalid": "印数应为整数"})
    is_default = forms.BooleanField(label="新周报默认使用", required=False)


def _can_view(user):
    if not (policy.can(user, "bulletin.edit") or policy.can(user, "bulletin.issue")):
        policy.require(user, "bulletin.edit")


@console_view
@require_http_methods(["GET", "POST"])
def index(request):
    _can_view(request.user)
    form = BuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.build_draft(request.user, week_start=form.cleaned_data["week_start"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已生成{bulletin}草稿")
            return redirect("bulletin:detail", pk=bulletin.pk)
    return render(
        request,
        "bulletin/index.html",
        {
            "form": form,
            "bulletins": Bulletin.objects.all()[:100],
            "can_edit": policy.can(request.user, "bulletin.edit"),
        },
    )


def _block_context(block, form_errors=None, template=None, heading=None):
    return {
        "block": block,
        "text": services.render_text(block),
        "errors": form_errors or [],
        "template_value": block.template if template is None else template,
        "heading_value": block.heading if heading is None else heading,
        "labels": services.FIGURE_LABELS,
    }


def _detail_context(request, bulletin, header_form=None):
    sections = services.document_sections(bulletin)
    blocks = {s: [] for s in Block.Section.values}
    for block in bulletin.blocks.all():
        blocks[block.section].append(_block_context(block))
    unavailable = {}
    for block in bulletin.blocks.all():
        for key, figure in (block.figures or {}).items():
            if not figure.get("available", True):
                unavailable[key] = figure.get("message", "")
    header_form = header_form or HeaderForm(
        initial={
            "version": bulletin.version,
            "number": bulletin.number,
            "dated": bulletin.dated,
            "issuing_unit": bulletin.issuing_unit,
            "report_to": bulletin.report_to,
            "send_to": bulletin.send_to,
            "copies": bulletin.copies,
        }
    )
    section_list = [(value, label, blocks[value]) for value, label in Block.Section.choices]
    return {
        "bulletin": bulletin,
        "sections": sections,
        "section_list": section_list,
        "header_form": header_form,
        "lists": DistributionList.objects.all(),
        "pdf_message": rendering.pdf_missing_message(),
        "install_command": rendering.INSTALL_COMMAND,
        "current_pdf": services.current_pdf(bulletin),
        "issued_files": bulletin.files.filter(issued=True).order_by("kind"),
        "unavailable": unavailable,
        "labels": services.FIGURE_LABELS,
        "can_edit": policy.can(request.user, "bulletin.edit") and not bulletin.is_issued,
        "can_issue": policy.can(request.user, "bulletin.issue") and not bulletin.is_issued,
    }


@console_view
def detail(request, pk):
    _can_view(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    return render(request, "bulletin/detail.html", _detail_context(request, bulletin))


def _error_text(exc):
    details = [m for ms in exc.errors.values() for m in ms if m != exc.message]
    return "；".join([exc.message, *details])


@console_view
@require_POST
def header(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    form = HeaderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_header(
                request.user,
                bulletin,
                version=data["version"],
                number=data["number"],
                dated=data["dated"],
                issuing_unit=data["issuing_unit"],
                report_to=data["report_to"],
                send_to=data["send_to"],
                copies=data["copies"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "已保存版头和分送信息")
            return redirect("bulletin:detail", pk=pk)
    return render(request, "bulletin/detail.html", _detail_context(request, bulletin, header_form=form), status=400)


@console_view
@require_POST
def apply_list(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    distribution = get_object_or_404(DistributionList, pk=request.POST.get("distribution") or 0)
    try:
        services.apply_distribution(request.user, bulletin, version=posted_version(request), distribution=distribution)
        messages.success(request, f"已套用分送范围“{distribution.name}”")
    except ServiceError as exc:
        messages.error(request, _error_text(exc))
    return redirect("bulletin:detail", pk=pk)


@console_view
@require_POST
def refresh(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        services.refresh(request.user, bulletin, version=posted_version(request))
        messages.success(request, "已按平台最新数据刷新：数字已更新，编辑写的段落保持不变")
    except ServiceError as exc:
        messages.error(request, _error_text(exc))
    return redirect("bulletin:detail", pk=pk)


def _htmx(request):
    return request.headers.get("HX-Request") == "true"


@console_view
@require_http_methods(["GET", "POST"])
def block(request, pk, block_pk):
    """One paragraph: GET shows it (or its edit form with ?edit=1), POST saves."""
    bulletin = get_object_or_404(Bulletin, pk=pk)
    item = get_object_or_404(Block, pk=block_pk, bulletin=bulletin)
    if request.method == "GET":
        _can_view(request.user)
        context = _block_context(item)
        context["editing"] = request.GET.get("edit") == "1" and not bulletin.is_issued
        return render(request, "bulletin/_block.html", context)
    try:
        version = posted_version(request)
        if request.POST.get("action") == "delete":
            services.delete_block(request.user, item, version=version)
            if _htmx(request):
                return _block_saved(request, None, bulletin)
            messages.success(request, "已删除该段")
            return redirect("bulletin:detail", pk=pk)
        item = services.edit_block(
            request.user,
            item,
            version=version,
            template=request.POST.get("template", ""),
            heading=request.POST.get("heading", ""),
        )
    except ServiceError as exc:
        context = _block_context(item, [_error_text(exc)], request.POST.get("template"), request.POST.get("heading"))
        context["editing"] = True
        if _htmx(request):
            return render(request, "bulletin/_block.html", context)
        messages.error(request, _error_text(exc))
        return redirect("bulletin:detail", pk=pk)
    if _htmx(request):
        return _block_saved(request, item)
    messages.success(request, "已保存该段")
    return redirect("bulletin:detail", pk=pk)


def _block_saved(request, item, bulletin=None):
    """The saved paragraph (or nothing, when deleted) plus out-of-band updates
    of the bulletin's version in the page's other forms."""
    bulletin = Bulletin.objects.get(pk=(item.bulletin_id if item else bulletin.pk))
    html = render(request, "bulletin/_block.html", _block_context(item)).content.decode() if item else ""
    ids = ["bv-refresh", "id_version"] + [f"bv-add-{s}" for s in Block.Section.values]
    if policy.can(request.user, "bulletin.issue"):
        ids.append("bv-issue")
    if DistributionList.objects.exists():
        ids.append("bv-list")
    html += render(request, "bulletin/_versions_oob.html", {"bulletin": bulletin, "version_ids": ids}).content.decode()
    return HttpResponse(html)


@console_view
@require_POST
def add_block(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        services.add_block(
            request.user,
            bulletin,
            version=posted_version(request),
            section=request.POST.get("section", ""),
            template=request.POST.get("template", ""),
            heading=request.POST.get("heading", ""),
        )
        messages.success(request, "已添加段落")
    except ServiceError as exc:
        messages.error(request, _error_text(exc))
    return redirect("bulletin:detail", pk=pk)


def _filename(bulletin, ext):
    return (
        f"{bulletin.year}年第{bulletin.number}期工作周报（{bulletin.week_start:%m%d}-{bulletin.week_end:%m%d}）.{ext}"
    )


def _download(content, name, content_type):
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@console_view
def export_docx(request, pk):
    _can_view(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    issued = bulletin.files.filter(issued=True, kind="docx").first()
    content = issued.content if issued else services.docx_bytes(bulletin)
    return _download(content, _filename(bulletin, "docx"), DOCX_TYPE)


@console_view
@require_POST
def export_pdf(request, pk):
    policy.require(request.user, "bulletin.edit")
    bulletin = get_object_or_404(Bulletin, pk=pk)
    message = rendering.pdf_missing_message()
    if message:
        return render(
            request,
            "bulletin/_pdf.html",
            {"bulletin": bulletin, "missing": message, "install_command": rendering.INSTALL_COMMAND},
        )
    result = tasks.render_pdf.enqueue(bulletin.pk)
    return render(
        request, "bulletin/_pdf.html", {"bulletin": bulletin, "result": result, "file": services.current_pdf(bulletin)}
    )


@console_view
def export_pdf_status(request, pk, result_id):
    _can_view(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        result = tasks.render_pdf.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        raise Http404("没有这项导出任务") from None
    return render(
        request, "bulletin/_pdf.html", {"bulletin": bulletin, "result": result, "file": services.current_pdf(bulletin)}
    )


@console_view
def download(request, pk, file_pk):
    _can_view(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    record = get_object_or_404(BulletinFile, pk=file_pk, bulletin=bulletin)
    return _download(
        record.content, _filename(bulletin, record.kind), "application/pdf" if record.kind == "pdf" else DOCX_TYPE
    )


@console_view
@require_POST
def issue(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        bulletin = services.issue(request.user, bulletin, version=posted_version(request))
    except ServiceError as exc:
        messages.error(request, _error_text(exc))
    except rendering.PdfUnavailable as exc:
        messages.error(request, str(exc))
    else:
        kinds = "、".join(f.get_kind_display() for f in bulletin.files.filter(issued=True).order_by("kind"))
        messages.success(request, f"{bulletin}已印发并归档（{kinds}），此后只读")
    return redirect("bulletin:detail", pk=pk)


@console_view
@require_http_methods(["GET", "POST"])
def lists(request):
    _can_view(request.user)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(DistributionList, pk=request.GET["edit"])
    initial = {}
    if editing:
        initial = {
            "name": editing.name,
            "report_to": editing.report_to,
            "send_to": editing.send_to,
            "copies": editing.copies,
            "is_default": editing.is_default,
        }
    form = DistributionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_distribution_list(
                request.user,
                name=data["name"],
                report_to=data["report_to"],
                send_to=data["send_to"],
                copies=data["copies"],
                is_default=data["is_default"],
                instance=editing,
                version=posted_version(request) if editing else None,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已保存分送范围“{saved.name}”")
            return redirect("bulletin:lists")
    return render(
        request, "bulletin/lists.html", {"lists": DistributionList.objects.all(), "form": form, "editing": editing}
    )
