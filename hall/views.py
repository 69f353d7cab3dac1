"""Console pages of hall operations (/console/hall/): activity reports,
leaders on duty and key work. Every change goes through hall.services."""

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.views import console_view
from core import tables
from core.errors import ServiceError
from core.forms import posted_version, show_service_error

from . import forms, services
from .models import ActivityPhoto, ActivityReport, DutyShift, KeyWork, KeyWorkNote

State = ActivityReport.State


def _week(request):
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    start = services.monday_of(day)
    return start, start + dt.timedelta(days=4)


def _visible_reports(user):
    qs = ActivityReport.objects.select_related("department", "window", "submitted_by")
    if policy.can(user, "activity.edit"):
        return qs
    return qs.filter(department=user.department)


ACTIVITY_TABLE = tables.Table(
    "activities",
    title="政务工作动态",
    columns=[
        tables.Column("date", "日期", "date", order=("date",)),
        tables.Column(
            "title", "标题", "title", order=("title",), link=lambda r: reverse("hall_console:activity", args=[r.pk])
        ),
        tables.Column("kind", "类别", "get_kind_display", order=("kind",)),
        tables.Column(
            "department",
            "报送部门",
            lambda r: (
                (r.department.short_name or r.department.name) + (f"（{r.window.number}窗口）" if r.window else "")
            ),
            order=("department__name",),
        ),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
    ],
    filters=[
        tables.Filter("q", "标题或内容", lookups=("title", "text")),
        tables.Filter("state", "状态", choices=State.choices),
        tables.Filter("kind", "类别", choices=ActivityReport.Kind.choices),
    ],
    per_page=20,
)


@console_view
@require_http_methods(["GET", "POST"])
def activities(request):
    if not (policy.can(request.user, "activity.submit") or policy.can(request.user, "activity.edit")):
        policy.require(request.user, "activity.submit")
    form = forms.SubmitActivityForm(request.POST or None, request.FILES or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.submit_activity(
                request.user,
                date=data["date"],
                title=data["title"],
                text=data["text"],
                kind=data["kind"],
                window=data["window"],
                photos=data["photos"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已报送“{report.title}”，待编辑采用")
            return redirect("hall_console:activities")
    table = ACTIVITY_TABLE.bind(request, _visible_reports(request.user))
    if table.export_requested:
        return table.export_response()
    return render(
        request,
        "hall/activities.html",
        {
            "form": form,
            "table": table,
            "can_submit": policy.can(request.user, "activity.submit"),
            "can_edit": policy.can(request.user, "activity.edit"),
        },
    )


@console_view
@require_http_methods(["GET", "POST"])
def activity(request, pk):
    report = get_object_or_404(_visible_reports(request.user), pk=pk)
    can_edit = policy.can(request.user, "activity.edit")
    initial = {
        "date": report.date,
        "title": report.title,
        "kind": report.kind,
        "text": report.text,
        "version": report.version,
    }
    edit_form = forms.EditActivityForm(initial=initial)
    return_form = forms.ReturnActivityForm(initial={"version": report.version})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "accept", "resubmit"):
                edit_form = forms.EditActivityForm(request.POST)
                if edit_form.is_valid():
                    data = edit_form.cleaned_data
                    fields = {k: data[k] for k in ("date", "title", "text", "kind")}
                    if action == "resubmit":
                        services.resubmit_activity(request.user, report, version=data["version"], **fields)
                        messages.success(request, "已修改并重新报送")
                    else:
                        report = services.edit_activity(request.user, report, version=data["version"], **fields)
                        if action == "accept":
                            services.accept_activity(request.user, report, version=report.version)
                            messages.success(request, f"已采用“{report.title}”，将编入所在周的工作周报")
                        else:
                            messages.success(request, "已保存修改")
                    return redirect("hall_console:activity", pk=report.pk)
            elif action == "return":
                return_form = forms.ReturnActivityForm(request.POST)
                if return_form.is_valid():
                    services.return_activity(
                        request.user,
                        report,
                        version=return_form.cleaned_data["version"],
                        comment=return_form.cleaned_data["comment"],
                    )
                    messages.success(request, "已退回报送人")
                    return redirect("hall_console:activity", pk=report.pk)
        except ServiceError as exc:
            show_service_error(return_form if action == "return" else edit_form, exc)
    return render(
        request,
        "hall/activity.html",
        {
            "report": report,
            "edit_form": edit_form,
            "return_form": return_form,
            "can_edit": can_edit,
            "can_resubmit": report.state == State.RETURNED and report.submitted_by_id == request.user.pk,
        },
    )


@console_view
def activity_photo(request, pk, photo):
    report = get_object_or_404(_visible_reports(request.user), pk=pk)
    record = get_object_or_404(ActivityPhoto, pk=photo, report=report)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在") from None
    return FileResponse(handle, content_type=record.content_type)


@console_view
@require_http_methods(["GET", "POST"])
def duty(request):
    if not (policy.can(request.user, "duty.manage") or policy.can(request.user, "duty.sign")):
        policy.require(request.user, "duty.manage")
    start, end = _week(request)
    form = forms.DutyShiftForm(request.POST or None, initial={"date": start})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.schedule_duty(request.user, **data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已安排{shift.leader_name}于{shift.date}值守")
            return redirect(f"{request.path}?week={shift.date}")
    shifts = [
        (s, forms.DutyNotesForm(initial={"notes": s.notes, "version": s.version}, prefix=f"s{s.pk}"))
        for s in services.shifts_between(start, end)
    ]
    return render(
        request,
        "hall/duty.html",
        {
            "form": form,
            "shifts": shifts,
            "start": start,
            "end": end,
            "today": timezone.localdate(),
            "previous": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
            "can_manage": policy.can(request.user, "duty.manage"),
            "can_sign": policy.can(request.user, "duty.sign"),
        },
    )


@console_view
@require_POST
def duty_step(request, pk, step):
    shift = get_object_or_404(DutyShift, pk=pk)
    try:
        version = posted_version(request, "version", f"s{pk}-version")
        if step == "sign":
            services.sign_in_duty(request.user, shift, version=version)
            messages.success(request, f"{shift.leader_name}已签到")
        elif step == "notes":
            services.record_duty_notes(request.user, shift, version=version, notes=request.POST.get(f"s{pk}-notes", ""))
            messages.success(request, "已保存值守情况")
        else:
            raise Http404()
    except ServiceError as exc:
        messages.error(
            request, "；".join([exc.message] + [m for ms in exc.errors.values() for m in ms if m != exc.message])
        )
    except ValueError:
        messages.error(request, "页面已过期，请刷新后重试")
    return redirect(f"/console/hall/duty/?week={shift.date}")


@console_view
@require_http_methods(["GET", "POST"])
def key_work(request):
    policy.require(request.user, "keywork.edit")
    start, end = _week(request)
    form = forms.KeyWorkForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                if form.is_valid():
                    data = form.cleaned_data
                    services.save_key_work(
                        request.user, name=data["name"], order=data["order"] or 0, sources=data["sources"]
                    )
                    messages.success(request, f"已添加重点工作“{data['name'].strip()}”")
                    return redirect(f"{request.path}?week={start}")
            elif action == "note":
                item = get_object_or_404(KeyWork, pk=request.POST.get("key_work"))
                version = request.POST.get("version")
                services.save_key_work_note(
                    request.user,
                    item,
                    week_start=start,
                    text=request.POST.get("text", ""),
                    version=int(version) if version else None,
                )
                messages.success(request, f"已保存“{item.name}”本周进展")
                return redirect(f"{request.path}?week={start}")
        except ServiceError as exc:
            if action == "add":
                show_service_error(form, exc)
            else:
                messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms) or exc.message)
    notes = {n.key_work_id: n for n in KeyWorkNote.objects.filter(week_start=start)}
    rows = [
        {"item": k, "note": notes.get(k.pk), "figures": services.live_figures(k, start, end)}
        for k in KeyWork.objects.filter(active=True)
    ]
    return render(
        request,
        "hall/key_work.html",
        {
            "rows": rows,
            "form": form,
            "start": start,
            "end": end,
            "previous": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
        },
    )
