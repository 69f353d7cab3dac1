"""Live counters of the policy zone, counted from the library itself."""

from django.db.models import Q

from .models import LISTED, BenefitItem, Interpretation, PolicyDocument, Status


def _in_zone(city_code):
    # A city's entry shows its own records together with the province-wide ones.
    return Q() if not city_code else Q(city_code=city_code) | Q(city_code="")


def zone_counters(city_code=None):
    """Documents, interpretations and claimed items the zone lists:
    province-wide when `city_code` is None, else that city's entry."""
    where = _in_zone(city_code)
    return {
        "documents": PolicyDocument.objects.filter(where, status__in=LISTED).count(),
        "interpretations": Interpretation.objects.filter(where, status=Status.PUBLISHED).count(),
        "items": BenefitItem.objects.filter(where, status__in=LISTED).count(),
    }


def city_counters():
    """{city code: counters} for every city entry at once (three queries),
    each the same as zone_counters(code): the city's own plus province-wide."""
    from django.db.models import Count

    from .models import LISTED

    tables = {
        "documents": PolicyDocument.objects.filter(status__in=LISTED),
        "interpretations": Interpretation.objects.filter(status=Status.PUBLISHED),
        "items": BenefitItem.objects.filter(status__in=LISTED),
    }
    result = {}
    for name, qs in tables.items():
        rows = dict(qs.values_list("city_code").annotate(n=Count("id")).values_list("city_code", "n"))
        province = rows.pop("", 0)
        for code, n in rows.items():
            result.setdefault(code, {})[name] = n + province
        result.setdefault("", {})[name] = province
    province = result.pop("", {})
    return result, province
