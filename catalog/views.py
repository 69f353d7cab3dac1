"""Public guide pages (办事指南) under /matters/."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from core.models import Department

from .models import Matter
from .services import answers_from_query, resolve


def _departments():
    return Department.objects.filter(matters__active=True).annotate(n=Count("matters")).order_by("pk")


def matter_list(request):
    qs = Matter.objects.filter(active=True).select_related("department").annotate(n_situations=Count("situations"))
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(result_name__contains=q) | Q(implementation_code=q.upper()))
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    page = Paginator(qs.order_by("department_id", "catalogue_code"), 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("q", q), ("department", department)) if v})
    context = {"page": page, "q": q, "department": department, "departments": _departments(), "query": query}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_matter_rows.html", context)
    return render(request, "catalog/matter_list.html", context)


def guide_context(matter, params):
    """What the guided questions show for the answers in `params`."""
    result = resolve(matter, answers_from_query(params))
    answers = result.answers()
    answered = []
    for question, option in result.answered:
        # Changing an answer drops it and every later answer.
        keep = {}
        for q, _ in result.answered:
            if q.pk == question.pk:
                break
            keep[f"q{q.pk}"] = answers[q.pk]
        answered.append({"question": question, "option": option, "change": "?" + urlencode(keep)})
    hidden = [(f"q{q}", o) for q, o in answers.items()]
    return {"matter": matter, "result": result, "answered": answered, "hidden": hidden}


def matter_guide(request, pk):
    matter = get_object_or_404(Matter.objects.select_related("department"), pk=pk, active=True)
    context = guide_context(matter, request.GET)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "guide":
        return render(request, "catalog/_guide.html", context)
    situations = matter.situations.prefetch_related("materials__only_if__question")
    context.update(situations=situations)
    return render(request, "catalog/matter_guide.html", context)
