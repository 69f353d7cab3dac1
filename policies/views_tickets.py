"""Console pages for answering consultation tickets (/console/policies/tickets/):
a department sees only its own tickets (policy.visible by region and
function) and replies; overdue tickets are flagged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.errors import Conflict, ServiceError

from . import consultation
from .models import PolicyTicket

State = PolicyTicket.State


@login_required
def ticket_list(request):
    qs = consultation.department_tickets(request.user)
    state = request.GET.get("state", "open")
    today = timezone.localdate()
    if state == "overdue":
        qs = qs.filter(state=State.OPEN, due_date__lt=today)
    elif state in State.values:
        qs = qs.filter(state=state)
    else:
        state = "all"
    page = Paginator(qs.order_by("due_date", "id") if state in ("open", "overdue") else qs, 50).get_page(
        request.GET.get("page")
    )
    rows = [{"ticket": t, "overdue": consultation.is_overdue(t, today)} for t in page]
    return render(
        request,
        "policies/ticket_console_list.html",
        {
            "rows": rows,
            "page": page,
            "state": state,
            "states": State.choices,
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
