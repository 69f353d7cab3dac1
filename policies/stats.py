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
