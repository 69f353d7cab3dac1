"""Public pages of search and consultation under /policies/: search with
filters and suggestions, asking a question, and one's own tickets."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.errors import ServiceError
from core.models import Department, Level, Region
from core.ratelimits import limit

from . import consultation, search
from .models import LISTED, BenefitItem, PolicyDocument, PolicyTicket, SearchEntry, Status

FILTER_NAMES = (
    "city",
    "department",
    "type",
    "item_kind",
    "delivery",
    "industry",
    "size",
    "status",
    "date_from",
    "date_to",
)


def _cities():
    return list(Region.objects.filter(level=Level.CITY).order_by("code").values_list("code", "name"))


def _departments():
    ids = SearchEntry.objects.order_by().values_list("department_id", flat=True).distinct()
    return list(Department.objects.filter(pk__in=ids).select_related("region").order_by("region_id", "pk"))


@limit("search")
def search_page(request):
    params = request.GET
    q = params.get("q", "")
    filters = search.SearchFilters.from_params(params)
    results = search.search(q, filters, page=params.get("page") or 1)
    kept = [(k, v) for k in FILTER_NAMES for v in params.getlist(k) if v and k not in filters.ignored]
    query = urlencode([("q", results.query[: search.segment.MAX_QUERY_CHARS])] + kept)
    context = {
        "q": results.query[: search.segment.MAX_QUERY_CHARS],
        "results": results,
        "filters": filters,
        "query": query,
        "cities": _cities(),
        "departments": _departments(),
        "types": SearchEntry.Kind.choices,
        "item_kinds": BenefitItem.Kind.choices,
        "deliveries": BenefitItem.Delivery.choices,
        "sizes": list(search.SIZE_NAMES.items()),
        "statuses": [(s, Status(s).label) for s in LISTED],
        "city_name": dict(_cities()).get(filters.city, ""),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "policies/search_results.html", context)
    return render(request, "policies/search.html", context)


@limit("suggest")
def suggest(request):
    return render(request, "policies/search_suggest.html", {"suggestions": search.suggest(request.GET.get("q", ""))})


@require_http_methods(["GET", "POST"])
@limit("ask", method="POST")
def ask(request):
    """Ask in plain words, get a cited answer card; "没有解决我的问题" opens a ticket."""
    question = (request.POST.get("question") or request.GET.get("q") or "").strip()
    city = request.POST.get("city") or request.GET.get("city") or ""
    city = city if search.CODE.match(city) else ""
    # 就本政策咨询 on a document or item page: the question is about that
    # document, asked from that city (issue 17, flows keep their context).
    document = _listed_document(request.POST.get("document") or request.GET.get("document"))
    if document and not city:
        city = document.city_code
    context = {
        "question": question,
        "city": city,
        "document": document,
        "card": None,
        "errors": {},
        "cities": _cities(),
        "can_ticket": policy.can(request.user, "policy.ask"),
    }
    if request.method == "POST":
        if request.POST.get("action") == "ticket":
            return _open_ticket(request, question, city, document, context)
        try:
            context["card"] = consultation.ask(request.user, question, city=city, key=consultation.asker_key(request))
        except ServiceError as exc:
            context["errors"] = {"question": exc.errors.get("question") or [exc.message]}
    context["login_url"] = _login_url(question, city, document)
    return render(request, "policies/ask.html", context, status=400 if context["errors"] else 200)


def _listed_document(pk):
    if not (pk or "").isdigit():
        return None
    return PolicyDocument.objects.filter(pk=pk, status__in=LISTED).first()


def _login_url(question, city, document):
    """Signing in to open a ticket comes back to the same question, city and document."""
    back = [("q", question)] + ([("city", city)] if city else []) + ([("document", document.pk)] if document else [])
    return reverse("accounts:login") + "?" + urlencode({"next": reverse("policies:ask") + "?" + urlencode(back)})


def _open_ticket(request, question, city, document, context):
    if not request.user.is_authenticated:
        return redirect(_login_url(question, city, document))
    try:
        ticket = consultation.open_ticket(request.user, question, city=city, document=document)
    except ServiceError as exc:
        context["errors"] = {"question": exc.errors.get("question") or [exc.message]}
        context["login_url"] = ""
        return render(request, "policies/ask.html", context, status=400)
    messages.success(request, f"已转为咨询工单，由{ticket.department.name}在{ticket.due_date:%Y年%m月%d日}前答复")
    return redirect("policies:ticket", pk=ticket.pk)


@login_required
def my_tickets(request):
    tickets = PolicyTicket.objects.filter(asker=request.user).select_related("department", "replied_by__department")
    return render(request, "policies/ticket_mine.html", {"tickets": tickets})


@login_required
@require_http_methods(["GET", "POST"])
def ticket(request, pk):
    ticket = get_object_or_404(PolicyTicket.objects.select_related("department", "replied_by__department"), pk=pk)
    if ticket.asker_id != request.user.pk:
        raise Http404("没有该咨询工单")
    if request.method == "POST" and request.POST.get("action") == "close":
        try:
            consultation.close(request.user, ticket, version=request.POST.get("version"))
            messages.success(request, "工单已办结，感谢您的反馈")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("policies:ticket", pk=pk)
    return render(
        request,
        "policies/ticket_detail.html",
        {"ticket": ticket, "overdue": consultation.is_overdue(ticket), "card": ticket.card or {}},
    )
