"""The public portal's front pages: the home page, the one search across
matters, policies and certificates, and the service themes.

They sit in the project package, not in an app, because they compose what
several apps publish (the catalogue, the case log, the policy zone); the apps
themselves never import one another upwards."""

import re

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.models import Case
from catalog.models import Matter
from hall.models import ActivityReport
from policies import stats as policy_stats
from policies.models import LISTED, PolicyDocument

from .themes import ORGANISATION, PERSON, THEMES

HOT_CACHE_SECONDS = 600
# A certificate number or an e-certificate identifier: letters, digits and
# dashes, long enough not to be a word (cases.identifiers makes both).
CERTIFICATE_LIKE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{9,}$")


def hot_matters(limit=8):
    """The matters most applied for: the last 365 days, or every year when the
    log holds none that recent (a demo year). Cached: it reads the case log."""
    key = f"portal:hot:{limit}"
    found = cache.get(key)
    if found is None:
        since = timezone.now() - timezone.timedelta(days=365)
        rows = _top_matters(Case.objects.filter(received_at__gte=since), limit) or _top_matters(Case.objects, limit)
        names = dict(Matter.objects.filter(pk__in=rows).values_list("pk", "name"))
        found = [(pk, names[pk]) for pk in rows if pk in names]
        cache.set(key, found, HOT_CACHE_SECONDS)
    return found


def _top_matters(qs, limit):
    return [row["matter"] for row in qs.values("matter").annotate(n=Count("id")).order_by("-n", "matter")[:limit]]


def home(request):
    latest = (
        PolicyDocument.objects.filter(status__in=LISTED)
        .order_by("-issued_on", "-id")
        .only("id", "title", "issued_on")[:6]
    )
    news = ActivityReport.objects.filter(state=ActivityReport.State.ACCEPTED).order_by("-date", "-id")[:6]
    return render(
        request,
        "portal/home.html",
        {
            "person_themes": PERSON,
            "organisation_themes": ORGANISATION,
            "hot": hot_matters(),
            "counters": policy_stats.zone_counters(),
            "latest_policies": latest,
            "news": news,
        },
    )


def _words(q):
    return [w for w in re.split(r"[\s,，、；;。]+", q) if w][:6]


def matters_matching(words, situation_kinds=()):
    """Active matters whose name or a situation's name holds any of the words,
    or that have a situation of one of the kinds."""
    where = Q()
    for word in words:
        where |= Q(name__icontains=word) | Q(situations__name__icontains=word)
    if situation_kinds:
        where |= Q(situations__kind__in=situation_kinds)
    if not where:
        return Matter.objects.none()
    ids = Matter.objects.filter(where, active=True).values("pk")
    return Matter.objects.filter(pk__in=ids).select_related("department").order_by("department__name", "catalogue_code")


def search(request):
    q = request.GET.get("q", "").strip()[:100]
    context = {"q": q}
    if q:
        from policies.search import top_entries, url_for

        words = _words(q)
        matters = matters_matching(words)
        entries, _terms = top_entries(q, limit=5)
        context.update(
            {
                "matters": matters[:10],
                "matter_count": matters.count(),
                "policies": [(entry, url_for(entry)) for entry in entries],
                "certificate_like": bool(CERTIFICATE_LIKE.match(q)),
            }
        )
    return render(request, "portal/search.html", context)


def theme(request, slug):
    theme = THEMES.get(slug)
    if theme is None:
        raise Http404("没有这个办事主题")
    matters = matters_matching(theme.words, theme.situation_kinds)
    page = Paginator(matters, 20).get_page(request.GET.get("page"))
    siblings = PERSON if theme.audience == "person" else ORGANISATION
    return render(request, "portal/theme.html", {"theme": theme, "page": page, "siblings": siblings})


DISPLAY_COOKIE = "tb_display"
DISPLAY_MODES = {"large", "contrast"}


@require_POST
def display(request):
    """大字版 / 高对比度 (适老化, GB/T 37668-2019): toggles one mode and keeps
    the choice in a cookie for a year, so every page renders in it at once
    (no script needed, no flash of the standard page)."""
    current = set(request.COOKIES.get(DISPLAY_COOKIE, "").split()) & DISPLAY_MODES
    mode = request.POST.get("mode", "")
    if mode == "standard":
        current = set()
    elif mode in DISPLAY_MODES:
        current ^= {mode}
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if current:
        response.set_cookie(
            DISPLAY_COOKIE,
            " ".join(sorted(current)),
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(DISPLAY_COOKIE)
    return response
