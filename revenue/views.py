"""Console pages of 自然资源非税收入 (/console/revenue/). Every change goes
through revenue.services; pages only read and render."""

import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from accounts import policy
from accounts.views import console_view
from core import audit, tables
from core.errors import ServiceError
from core.forms import posted_version, show_service_error
from core.models import Level, Region
from core.regions import region_covers, region_level

from . import dashboard, forms, reconciliation, rules, services
from .models import FeeSource, MiningRight, OutboxMessage, Reconciliation, Review

LEVEL_TITLE = {"province": "省级", "city": "市级", "county": "县级"}


def _home_region(user):
    return user.department.region_id if user.department_id else "510000"


def _require_view(user):
    services._require(user, "revenue.view")


def _visible(user, qs):
    return policy.visible(user, qs, region_field="region__code")


def _scope_code(request):
    home = _home_region(request.user)
    code = request.GET.get("region", home)
    if request.user.role != "sysadmin" and not region_covers(home, code):
        raise PermissionDenied("无权查看该地区的非税收入：不在您所在部门的辖区内")
    return code if Region.objects.filter(code=code).exists() else home


SOURCE_TABLE = tables.Table(
    "revenue-fee-sources",
    title="费源明细",
    columns=[
        tables.Column(
            "fee_source",
            "费源",
            lambda fs: f"费源{fs.pk} {fs.right.name}",
            order=("id",),
            link=lambda fs: reverse("revenue:fee_source", args=[fs.pk]),
        ),
        tables.Column("holder", "矿业权人", "right.holder_name", order=("right__holder_name",)),
        tables.Column("kind", "类型", "get_kind_display", order=("kind",)),
        tables.Column("amount", "应缴（元）", "amount", order=("amount",)),
        tables.Column("paid", "已缴（元）", "paid", order=("paid",)),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column("trigger", "合同/变更日期", "trigger_date", order=("trigger_date",)),
    ],
    filters=[
        tables.Filter(
            "q", "矿业权名称、许可证号或矿业权人", lookups=("right__name", "right__licence_no", "right__holder_name")
        ),
        tables.Filter("kind", "类型", choices=FeeSource.Kind.choices),
        tables.Filter("state", "状态", choices=FeeSource.State.choices),
    ],
)


@console_view
def index(request):
    _require_view(request.user)
    code = _scope_code(request)
    region = Region.objects.select_related("parent").get(code=code)
    today = timezone.localdate()
    data = dashboard.figures(code, today)
    sources = None
    if region_level(code) == "county":
        qs = (
            FeeSource.objects.filter(region_id=code)
            .select_related("right")
            .annotate(paid=Coalesce(Sum("payments__amount"), Decimal("0.00")))
            .order_by("-trigger_date", "-id")
        )
        sources = SOURCE_TABLE.bind(request, qs)
        if sources.export_requested:
            return sources.export_response()
    home = _home_region(request.user)
    up = (
        region.parent_id
        if region.parent_id and (request.user.role == "sysadmin" or region_covers(home, region.parent_id))
        else None
    )
    return render(
        request,
        "revenue/index.html",
        {
            "region": region,
            "level_title": LEVEL_TITLE[region_level(code)],
            "data": data,
            "figures": dashboard.FIGURES,
            "shares": [(key, label, data["split"][key]) for key, label in dashboard.SHARES],
            "sources": sources,
            "up": up,
            "today": today,
            "unconfirmed": rules.Parameter.objects.filter(confirmed=False).exists(),
            "can_edit": policy.can(request.user, "revenue.edit"),
            "can_exchange": policy.can(request.user, "revenue.exchange"),
            "pending": _worklist(request.user).count(),
        },
    )


@console_view
def export(request):
    _require_view(request.user)
    code = _scope_code(request)
    data = dashboard.figures(code, timezone.localdate())
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append(["区划代码", "地区", "费源数"] + [label + "（元）" for _, label in dashboard.FIGURES])
    for row in data["rows"] + [{"code": "", "name": "合计", **data["total"]}]:
        sheet.append([row["code"], row["name"], row["count"]] + [row[key] for key, _ in dashboard.FIGURES])
    split = book.create_sheet("已缴分成")
    split.append(["级次", "金额（元）"])
    for key, label in dashboard.SHARES:
        split.append([label, data["split"][key]])
    detail = book.create_sheet("费源明细")
    detail.append(
        ["费源编号", "矿业权", "许可证号", "矿业权人", "所在地", "费源类型", "应缴（元）", "已缴（元）", "状态"]
    )
    qs = dashboard._in_scope(FeeSource.objects.filter(state__in=dashboard.LIVE), code, "region__code")
    for fs in qs.select_related("right", "region").prefetch_related("payments"):
        detail.append(
            [
                fs.pk,
                fs.right.name,
                fs.right.licence_no,
                fs.right.holder_name,
                fs.region.name,
                fs.get_kind_display(),
                fs.amount,
                sum((p.amount for p in fs.payments.all()), Decimal("0.00")),
                fs.get_state_display(),
            ]
        )
    # Money goes in as Decimal (written exactly, never through a float) shown to the fen.
    for ws in book.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    audit.record("export", object_type="revenue.dashboard", object_id=code, object_repr=f"非税收入报表 {code}")
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="revenue-{code}.xlsx"'
    return response


RIGHT_TABLE = tables.Table(
    "rights",
    title="矿业权",
    columns=[
        tables.Column(
            "licence",
            "许可证号",
            "licence_no",
            order=("licence_no",),
            link=lambda r: reverse("revenue:right", args=[r.pk]),
        ),
        tables.Column("name", "名称", "name", order=("name",)),
        tables.Column("kind", "类型", "get_kind_display", order=("kind",)),
        tables.Column("holder", "矿业权人", "holder_name", order=("holder_name",)),
        tables.Column("region", "所在地", "region.name", order=("region_id",)),
        tables.Column("mineral", "矿种", "mineral", order=("mineral",)),
        tables.Column("area", "面积（km²）", "area_km2", order=("area_km2",)),
        tables.Column("level", "出让层级", "get_granting_level_display", order=("granting_level",)),
        tables.Column("term_end", "有效期止", "term_end", order=("term_end",)),
    ],
    filters=[
        tables.Filter(
            "q",
            "名称、许可证号或矿业权人",
            apply=lambda qs, q: qs.filter(Q(name__contains=q) | Q(licence_no__contains=q) | Q(holder_name__contains=q)),
        ),
        tables.Filter("kind", "类型", choices=MiningRight.Kind.choices),
        tables.Filter("level", "出让层级", choices=Level.choices, lookup="granting_level"),
    ],
)


@console_view
@require_http_methods(["GET", "POST"])
def rights(request):
    _require_view(request.user)
    form = forms.RightForm(
        request.POST or None,
        initial={
            "granting_level": request.user.department.level if request.user.department_id else "county",
            "region_code": request.user.department.region_id
            if request.user.department_id and request.user.department.level == "county"
            else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            right = services.register_right(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"已登记矿业权“{right.name}”")
            return redirect("revenue:right", pk=right.pk)
    table = RIGHT_TABLE.bind(request, _visible(request.user, MiningRight.objects.select_related("region")))
    if table.export_requested:
        return table.export_response()
    return render(
        request,
        "revenue/rights.html",
        {"form": form, "table": table, "can_edit": policy.can(request.user, "revenue.edit")},
    )


@console_view
@require_http_methods(["GET", "POST"])
def right(request, pk):
    _require_view(request.user)
    obj = get_object_or_404(_visible(request.user, MiningRight.objects.select_related("region")), pk=pk)
    fee_form = forms.FeeSourceForm(initial={"trigger_date": obj.contract_date})
    change_form = forms.ChangeForm(initial={"version": obj.version, "date": timezone.localdate()})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "change":
                change_form = forms.ChangeForm(request.POST)
                if change_form.is_valid():
                    services.record_change(
                        request.user,
                        obj,
                        date=change_form.cleaned_data["date"],
                        description=change_form.cleaned_data["description"],
                        version=posted_version(request),
                    )
                    messages.success(request, "已登记变更；请在10个工作日内填报变更后的费源信息")
                    return redirect("revenue:right", pk=obj.pk)
            else:
                fee_form = forms.FeeSourceForm(request.POST)
                if fee_form.is_valid():
                    fs = services.create_fee_source(request.user, obj, **fee_form.cleaned_data)
                    messages.success(request, f"已填报费源并提交审批（{'→'.join(LEVEL_TITLE[x] for x in fs.chain)}）")
                    return redirect("revenue:fee_source", pk=fs.pk)
        except ServiceError as exc:
            show_service_error(change_form if request.POST.get("action") == "change" else fee_form, exc)
    return render(
        request,
        "revenue/right.html",
        {
            "right": obj,
            "fee_form": fee_form,
            "change_form": change_form,
            "fee_sources": obj.fee_sources.all(),
            "changes": obj.changes.select_related("by"),
            "can_edit": policy.can(request.user, "revenue.edit", obj),
        },
    )


def _worklist(user):
    return _WorkList(user, _visible(user, FeeSource.objects.filter(state=FeeSource.State.PENDING)))


class _WorkList:
    """Pending fee sources waiting at the user's level (counted in Python: the
    chain is a short JSON list)."""

    def __init__(self, user, qs):
        self.items = [fs for fs in qs.select_related("right", "region", "created_by") if services.can_decide(user, fs)]

    def count(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


def _clock_text(fs):
    deadline, left, status = rules.clock(fs.trigger_date, timezone.localdate())
    word = {"alert": f"已超期 {abs(left)} 个工作日", "warn": f"剩余 {left} 个工作日", "ok": f"剩余 {left} 个工作日"}
    return f"{deadline:%Y-%m-%d} {word.get(status, '')}".strip()


def _fee_source_link(fs):
    return reverse("revenue:fee_source", args=[fs.pk])


WORK_TABLE = tables.Table(
    "revenue-worklist",
    title="费源审批",
    columns=[
        tables.Column(
            "fee_source", "费源", lambda fs: f"费源{fs.pk} {fs.right.name}", order=("id",), link=_fee_source_link
        ),
        tables.Column("todo", "待办", lambda fs: "待本级审批" if fs.state == FeeSource.State.PENDING else "退回待修改"),
        tables.Column("holder", "矿业权人", "right.holder_name", order=("right__holder_name",)),
        tables.Column("region", "所在地", "region.name", order=("region_id",)),
        tables.Column("kind", "类型", "get_kind_display", order=("kind",)),
        tables.Column("amount", "应缴（元）", "amount", order=("amount",)),
        tables.Column("chain", "审批链", lambda fs: "→".join(LEVEL_TITLE[x] for x in fs.chain)),
        # The deadline is the trigger date plus 10 working days, so it sorts as the trigger date.
        tables.Column("deadline", "推送时限", _clock_text, order=("trigger_date",)),
    ],
    filters=[
        tables.Filter(
            "q",
            "矿业权名称、许可证号或矿业权人",
            lookups=("right__name", "right__licence_no", "right__holder_name"),
        ),
        tables.Filter("todo", "待办", choices=[("pending", "待本级审批"), ("returned", "退回待修改")], lookup="state"),
        tables.Filter("kind", "类型", choices=FeeSource.Kind.choices),
    ],
    default_sort="deadline",
)


@console_view
def worklist(request):
    """What waits for the user: fee sources at their approval level, and their own returned ones."""
    _require_view(request.user)
    waiting = [fs.pk for fs in _worklist(request.user)]
    returned = _visible(
        request.user, FeeSource.objects.filter(state=FeeSource.State.RETURNED, created_by=request.user)
    ).values_list("pk", flat=True)
    qs = FeeSource.objects.filter(pk__in=waiting + list(returned)).select_related("right", "region")
    table = WORK_TABLE.bind(request, qs)
    if table.export_requested:
        return table.export_response()
    return render(request, "revenue/worklist.html", {"table": table, "today": timezone.localdate()})


@console_view
@require_http_methods(["GET", "POST"])
def fee_source(request, pk):
    _require_view(request.user)
    fs = get_object_or_404(
        _visible(request.user, FeeSource.objects.select_related("right", "region", "created_by")), pk=pk
    )
    decision = forms.DecisionForm(initial={"version": fs.version})
    refused, status = "", 200
    review_form = forms.ReviewForm(initial={"filed_on": timezone.localdate()})
    answer_forms = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("approve", "return", "resubmit"):
                decision = forms.DecisionForm(request.POST)
                if decision.is_valid():
                    comment, version = decision.cleaned_data["comment"], posted_version(request)
                    if action == "approve":
                        services.approve(request.user, fs, version=version, comment=comment)
                        messages.success(request, "已同意")
                    elif action == "return":
                        services.send_back(request.user, fs, version=version, comment=comment)
                        messages.success(request, "已退回填报人")
                    else:
                        services.resubmit(request.user, fs, version=version, comment=comment)
                        messages.success(request, "已重新提交审批")
                    return redirect("revenue:fee_source", pk=fs.pk)
            elif action == "review":
                review_form = forms.ReviewForm(request.POST)
                if review_form.is_valid():
                    review = services.request_review(request.user, fs, **review_form.cleaned_data)
                    messages.success(
                        request, f"已登记复核申请，由{review.get_route_display()}在 {review.due_on} 前答复"
                    )
                    return redirect("revenue:fee_source", pk=fs.pk)
            elif action == "answer":
                review = get_object_or_404(Review, pk=request.POST.get("review"), fee_source=fs)
                form = forms.AnswerForm(request.POST)
                answer_forms[review.pk] = form
                if form.is_valid():
                    data = form.cleaned_data
                    services.answer_review(
                        request.user,
                        review,
                        upheld=data["upheld"],
                        answer=data["answer"],
                        answered_on=data["answered_on"],
                        version=posted_version(request),
                    )
                    messages.success(request, "已答复复核")
                    return redirect("revenue:fee_source", pk=fs.pk)
        except ServiceError as exc:
            target = (
                review_form
                if action == "review"
                else answer_forms.get(int(request.POST.get("review") or 0))
                if action == "answer"
                else decision
            )
            show_service_error(target, exc)
            # Another approver acted first: the decision form is gone from the page, so the
            # refusal is said at the top (with the 409 of a conflict), not on a hidden form.
            if target is decision:
                refused, status = exc.message, 409 if exc.status == 409 else 200
    today = timezone.localdate()
    sent_on = timezone.localtime(fs.sent_at).date() if fs.sent_at else None
    payments = list(fs.payments.all())
    table = rules.snapshot()
    split = {key: 0 for key, _ in dashboard.SHARES}
    for p in payments:
        for key, value in rules.split(p.amount, fs.granting_level, p.paid_on, table).items():
            split[key] += value
    reviews = [
        (r, answer_forms.get(r.pk) or forms.AnswerForm(initial={"version": r.version, "answered_on": today}))
        for r in fs.reviews.all()
    ]
    return render(
        request,
        "revenue/fee_source.html",
        {
            "fs": fs,
            "clock": rules.clock(fs.trigger_date, today, sent_on),
            "chain": [LEVEL_TITLE[x] for x in fs.chain],
            "current_title": LEVEL_TITLE.get(fs.current_level, ""),
            "steps": fs.steps.select_related("by"),
            "instalments": fs.instalments.all(),
            "notice": getattr(fs, "notice", None) if hasattr(fs, "notice") else None,
            "payments": payments,
            "split": [(label, split[key]) for key, label in dashboard.SHARES],
            "decision": decision,
            "can_decide": services.can_decide(request.user, fs),
            "can_resubmit": fs.state == FeeSource.State.RETURNED and policy.can(request.user, "revenue.edit", fs),
            "review_form": review_form,
            "reviews": reviews,
            "can_review": policy.can(request.user, "revenue.edit", fs)
            and fs.state not in (FeeSource.State.PENDING, FeeSource.State.RETURNED, FeeSource.State.APPROVED),
            "can_answer": policy.can(request.user, "revenue.approve", fs),
            "outbox": fs.outbox.all(),
            "today": today,
            "notice_clock": rules.clock(
                sent_on, today, getattr(fs, "notice", None) and fs.notice.issued_on, days=rules.NOTICE_WORKING_DAYS
            )
            if sent_on
            else None,
            "refused": refused,
        },
        status=status,
    )


OUTBOX_TABLE = tables.Table(
    "revenue-outbox",
    title="推送税务部门的消息",
    columns=[
        tables.Column("key", "幂等键", "idempotency_key", order=("idempotency_key",)),
        tables.Column("kind", "类型", "kind_label", order=("kind",)),
        tables.Column(
            "fee_source",
            "费源",
            lambda m: f"费源{m.fee_source_id}" if m.fee_source_id else "",
            order=("fee_source_id",),
            link=lambda m: reverse("revenue:fee_source", args=[m.fee_source_id]) if m.fee_source_id else "",
        ),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column("attempts", "已尝试次数", "attempts", order=("attempts",)),
        tables.Column("error", "最近错误", "last_error"),
        tables.Column("created", "写入时间", "created_at", order=("created_at",)),
        tables.Column("replay", "操作", lambda m: "", export=False),
    ],
    filters=[
        # The dead letters first: what an administrator comes here for.
        tables.Filter("state", "状态", choices=OutboxMessage.State.choices, default=lambda request: "dead"),
        tables.Filter("q", "幂等键或最近错误", lookups=("idempotency_key", "last_error")),
    ],
    default_sort="-created",
)


@console_view
def outbox(request):
    """The dead-letter view: what failed to reach the tax bureau, and a replay button."""
    services._require(request.user, "revenue.exchange")
    table = OUTBOX_TABLE.bind(request, OutboxMessage.objects.select_related("fee_source"))
    if table.export_requested:
        return table.export_response()
    counts = {s: OutboxMessage.objects.filter(state=s).count() for s in OutboxMessage.State.values}
    return render(
        request,
        "revenue/outbox.html",
        {"table": table, "states": [(v, label, counts[v]) for v, label in OutboxMessage.State.choices]},
    )


@console_view
@require_POST
def replay(request, pk):
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        services.replay(request.user, message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新排队发送 {message.idempotency_key}")
    return redirect("revenue:outbox")


@console_view
@require_http_methods(["GET", "POST"])
def reconciliation_view(request):
    services._require(request.user, "revenue.exchange")
    if request.method == "POST":
        rec = reconciliation.run()
        audit.record("reconcile", rec)
        if rec.error:
            messages.error(request, rec.error)
        else:
            messages.success(request, f"已对账：核对费源 {rec.checked} 笔，差异 {len(rec.differences)} 项")
        return redirect("revenue:reconciliation")
    runs = Reconciliation.objects.all()[:30]
    return render(request, "revenue/reconciliation.html", {"runs": runs, "latest": runs[0] if runs else None})
