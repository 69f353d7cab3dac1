"""JSON API for policy search and consultation: anyone may search, get
suggestions and ask (each ask counted as a consultation); signed-in members
of the public open tickets and read replies; the claiming department
replies (version checked, Conflict 409 when someone replied first)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from core.api_errors import replies
from core.ratelimits import limit

from . import consultation, search
from .models import PolicyTicket

router = Router(tags=["惠企政策检索与咨询"])


class AskIn(Schema):
    question: str
    city: str = ""


class TicketIn(Schema):
    question: str
    city: str = ""


class ReplyIn(Schema):
    reply: str
    version: int


def _ticket(t):
    return {
        "id": t.pk,
        "question": t.question,
        "state": t.state,
        "state_label": t.get_state_display(),
        "department": t.department.name,
        "due_date": t.due_date,
        "overdue": consultation.is_overdue(t),
        "reply": t.reply,
        "replied_at": t.replied_at,
        "version": t.version,
        "card": t.card,
    }


@router.get(
    "/policies/search", response=replies(dict, 422, 429), auth=None, summary="全文检索政策文件、条款、解读和惠企事项"
)
@limit("search")
def search_policies(request, q: str = "", page: int = 1):
    """Filters as on the search page: city, department, type, item_kind,
    delivery, industry, size, status, date_from, date_to (bad values ignored)."""
    filters = search.SearchFilters.from_params(request.GET)
    r = search.search(q, filters, page=page)
    return {
        "query": r.query[:200],
        "truncated": r.truncated,
        "mode": r.mode,
        "count": r.count,
        "page": r.page.number if r.page else 1,
        "ignored_filters": filters.ignored,
        # 没有找到直接相关的政策: no result passed the threshold; the nearest topics instead
        "no_answer": r.no_answer,
        "topics": r.topics,
        "corrected": r.corrected,
        "region": r.region[0] if r.region else "",
        "results": [
            {
                "kind": h.kind,
                "kind_label": h.kind_label,
                "id": h.entry.object_id,
                "document_id": h.entry.document_id,
                "title": h.entry.title,
                "title_html": str(h.title),
                "snippet_html": str(h.snippet),
                "url": h.url,
                "status": h.entry.status,
                "expired": h.expired,
                "date": h.entry.date,
                "document_title": h.parent[0] if h.parent else h.entry.title,
            }
            for h in r.hits
        ],
    }


@router.get("/policies/suggest", response=replies(dict, 422, 429), auth=None, summary="检索建议")
@limit("suggest")
def suggest(request, q: str = ""):
    return {"suggestions": search.suggest(q)}


@router.post(
    "/policies/ask",
    response=replies(dict, 400, 422, 429),
    auth=None,
    summary="政策咨询：返回注明出处的答复卡片（同一人同一问题每日计一次咨询；提问频率受 TONGBAN_RATE_ASK 限制，默认每分钟10问）",
)
@limit("ask")
def ask(request, payload: AskIn):
    return consultation.ask(request.user, payload.question, city=payload.city, key=consultation.asker_key(request))


@router.post(
    "/policies/tickets",
    response=replies(dict, 400, 401, 403, 409, 422, status=201),
    summary="没有解决的问题转为咨询工单",
)
def open_ticket(request, payload: TicketIn):
    return Status(201, _ticket(consultation.open_ticket(request.user, payload.question, city=payload.city)))


@router.get(
    "/policies/tickets", response=replies(dict, 401, 403), summary="我提交的咨询工单；工作人员为本部门须答复的工单"
)
def list_tickets(request):
    if request.user.kind == "public":
        qs = PolicyTicket.objects.filter(asker=request.user)
    else:
        qs = consultation.department_tickets(request.user)
    return {"results": [_ticket(t) for t in qs.select_related("department")[:200]]}


@router.get("/policies/tickets/{pk}", response=replies(dict, 401, 403, 404, 422), summary="咨询工单及答复")
def ticket_detail(request, pk: int):
    t = get_object_or_404(PolicyTicket.objects.select_related("department"), pk=pk)
    if not consultation.can_view(request.user, t):
        from django.http import Http404

        raise Http404
    return _ticket(t)


@router.post(
    "/policies/tickets/{pk}/reply",
    response=replies(dict, 400, 401, 403, 404, 409, 422),
    summary="答复咨询工单（须带版本号）",
)
def reply(request, pk: int, payload: ReplyIn):
    t = get_object_or_404(consultation.department_tickets(request.user), pk=pk)
    return _ticket(consultation.reply(request.user, t, payload.reply, version=payload.version))
