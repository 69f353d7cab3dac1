"""Public pages of the policy zone (惠企政策专区) under /policies/: the
provincial zone, one entry per city (its own records together with the
province-wide ones), a document with its interpretation and key points, and
a benefit item with its claim guide. Only listed records are shown."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.models import Level, Region

from . import stats
from .demo import DEMO_TOPICS
from .models import LISTED, BenefitItem, PolicyDocument, Status
from .services import SIZES

LATEST = 8


def _cities():
    return list(Region.objects.filter(level=Level.CITY).order_by("code"))


def _chosen_city(request, own_code):
    """The city the person came from (?city= from a city's zone) for a
    province-wide record, else the record's own city: the page, its
    breadcrumb and its 咨询 link keep it (issue 17, flows keep their context)."""
    code = request.GET.get("city", "")
    if code.isdigit() and len(code) == 6 and own_code in ("", code):
        region = Region.objects.filter(code=code, level=Level.CITY).first()
        if region:
            return region
    return Region.objects.filter(code=own_code).first() if own_code else None


def _in_entry(city_code):
    return Q(city_code=city_code) | Q(city_code="")


def _latest(city_code=None):
    documents = PolicyDocument.objects.filter(status__in=LISTED).select_related("department")
    items = BenefitItem.objects.filter(status__in=LISTED).select_related("department", "document")
    if city_code:
        documents, items = documents.filter(_in_entry(city_code)), items.filter(_in_entry(city_code))
    return (documents.order_by("-published_at", "-id")[:LATEST], items.order_by("-published_at", "-id")[:LATEST])


def zone(request):
    by_city, _ = stats.city_counters()
    cities = [(city, by_city.get(city.code)) for city in _cities()]
    documents, items = _latest()
    return render(
        request,
        "policies/zone.html",
        {
            "counters": stats.zone_counters(),
            "cities": cities,
            "documents": documents,
            "items": items,
            "topics": list(DEMO_TOPICS)[:16],
        },
    )


def city(request, code):
    region = Region.objects.filter(code=code, level=Level.CITY).first()
    if region is None:
        raise Http404(f"没有代码为 {code} 的市（州）服务专区")
    documents, items = _latest(code)
    own = PolicyDocument.objects.filter(status__in=LISTED, city_code=code)
    return render(
        request,
        "policies/city.html",
        {
            "region": region,
            "counters": stats.zone_counters(code),
            "province": stats.zone_counters(),
            "own_documents": own.count(),
            "own_items": BenefitItem.objects.filter(status__in=LISTED, city_code=code).count(),
            "documents": documents,
            "items": items,
            "cities": _cities(),
            "topics": list(DEMO_TOPICS)[:16],
        },
    )


def key_points(items):
    """The document's key-points card drawn from its items: who is supported,
    by how much, when to apply and which departments accept."""

    def distinct(values, limit=4):
        seen = []
        for value in values:
            if value and value not in seen:
                seen.append(value)
        return seen[:limit], max(0, len(seen) - limit)

    return {
        "targets": distinct(i.target for i in items),
        # One line per distinct standard: the same benefit claimed in several
        # regions or years reads once.
        "amounts": distinct(f"{i.title.split('（')[0]}：{i.amount}" for i in items),
        "periods": distinct(
            i.apply_period
            or (f"{i.apply_from:%Y-%m-%d}至{i.apply_until:%Y-%m-%d}" if i.apply_from and i.apply_until else "")
            for i in items
        ),
        "departments": distinct((i.department.name for i in items), limit=6),
    }


def document(request, pk):
    doc = get_object_or_404(PolicyDocument.objects.select_related("department", "region"), pk=pk, status__in=LISTED)
    articles = list(doc.articles.all())
    interpretations = list(doc.interpretations.filter(status=Status.PUBLISHED).order_by("id"))
    items = list(
        doc.items.filter(status__in=LISTED)
        .select_related("department", "region", "article")
        .order_by("region_id", "id")
    )
    local = [i for i in items if i.region_id == doc.region_id]
    return render(
        request,
        "policies/document.html",
        {
            "doc": doc,
            "articles": articles,
            "interpretations": interpretations,
            "items": items[:60],
            "more_items": max(0, len(items) - 60),
            "points": key_points(local or items),
            "attachments": doc.attachments.all(),
            "expired": doc.status == Status.EXPIRED,
            "city": _chosen_city(request, doc.city_code),
        },
    )


def item(request, pk):
    obj = get_object_or_404(
        BenefitItem.objects.select_related("department", "region", "document", "article"), pk=pk, status__in=LISTED
    )
    return render(
        request,
        "policies/item.html",
        {
            "item": obj,
            "doc": obj.document,
            "expired": obj.status == Status.EXPIRED,
            "sizes": [SIZES[s] for s in obj.sizes if s in SIZES],
            "materials": [m for m in obj.materials.splitlines() if m.strip()],
            "city": _chosen_city(request, obj.city_code),
        },
    )
