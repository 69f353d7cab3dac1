"""Console pages for answering consultation tickets (/console/policies/tickets/):
a department sees only its own tickets (policy.visible by region and
function) and replies; overdue tickets are flagged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import policy
from core import tables
from core.errors import Conflict, ServiceError

from . import consultation
from .models import PolicyTicket

State = PolicyTicket.State


TICKET_TABLE = tables.Table(
    "tickets",
    title="政策咨询工单",
    columns=[
        tables.Column(
            "question",
            "问题",
            lambda t: t.question if len(t.question) <= 40 else t.question[:39] + "…",
            order=("question",),
            link=lambda t: reverse("policies_console:ticket", args=[t.pk]),
        ),
        tables.Column(
            "subject",
            "相关事项",
            lambda t: (t.item.title if t.item else "") or (t.document.title if t.document else "") or "—",
            order=("item__title", "document__title"),
        ),
        tables.Column("asker", "提问人", lambda t: t.asker.name or t.asker.username, order=("asker__name",)),
        tables.Column("department", "答复部门", "department.name", order=("department__name",)),
        tables.Column("state", "状态", "get_state_display", order=("state",)),
        tables.Column("created", "提问时间", "created_at", order=("created_at",)),
        tables.Column("due", "答复期限", "due_date", order=("due_date",)),
    ],
    filters=[
        # Applied by the view: 已超期 is a date, not a stored state.
        tables.Filter(
            "state",
            "状态",
            choices=[*State.choices, ("overdue", "已超期"), ("all", "全部")],
            view_applies=True,
            blank=None,
            default=lambda request: "open",
        ),
        tables.Filter("q", "问题或提问人", lookups=("question", "asker__name")),
    ],
)


@login_required
def ticket_list(request):
    qs = consultation.department_tickets(request.user).select_related("item", "document", "asker", "department")
    state = request.GET.get("state", "open")
    today = timezone.localdate()
    if state == "overdue":
        qs = qs.filter(state=State.OPEN, due_date__lt=today)
    elif state in State.values:
        qs = qs.filter(state=state)
    else:
        state = "all"
    table = TICKET_TABLE.bind(request, qs.order_by("due_date", "id") if state in ("open", "overdue") else qs)
    if table.export_requested:
        return table.export_response()
    for row in table.rows:
        row.overdue = consultation.is_overdue(row.obj, today)
    return render(
        request,
        "policies/ticket_console_list.html",
        {
            "table": table,
            "overdue_count": consultation.department_tickets(request.user)
            .filter(state=State.OPEN, due_date__lt=today)
            .count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request, pk):
    qs = consultation.department_tickets(request.user)
    ticket = get_object_or_404(qs, pk=pk)
    error, text = None, ""
    if request.method == "POST":
        text = request.POST.get("reply", "")
        try:
            consultation.reply(request.user, ticket, text, version=request.POST.get("version"))
            messages.success(request, "答复已发送，提问人可在“我的咨询”中查看")
            return redirect("policies_console:ticket", pk=pk)
        except Conflict as exc:
            error = exc.message
            ticket.refresh_from_db()
        except ServiceError as exc:
            error = (exc.errors.get("reply") or [exc.message])[0]
    return render(
        request,
        "policies/ticket_console_detail.html",
        {
            "ticket": ticket,
            "overdue": consultation.is_overdue(ticket),
            "card": ticket.card or {},
            "error": error,
            "text": text,
            "can_reply": policy.can(request.user, "policy.answer", ticket) and ticket.state != State.CLOSED,
        },
        status=409 if error and "处理" in error else (400 if error else 200),
    )
