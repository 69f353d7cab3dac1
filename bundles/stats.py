"""Bundle statistics: applications, completion time against the sum of the
matters' promised limits, the on-time rate, and the departments whose
children wait longest. Counted from the applications and their child cases
(never from counters kept on rows); demonstration data is left out."""

from collections import defaultdict

from django.utils import timezone

from core import workdays

from .models import Application


def _days(start, end):
    return max(workdays.working_days_between(timezone.localdate(start), timezone.localdate(end)), 0)


def bundle_stats(start, end, bundle=None, now=None):
    """Applications submitted on Beijing days start..end."""
    now = now or timezone.now()
    applications = (
        Application.objects.filter(demo=False, submitted_at__date__range=(start, end))
        .select_related("bundle")
        .prefetch_related("children__case", "children__item__matter__department")
    )
    if bundle is not None:
        applications = applications.filter(bundle=bundle)
    total = completed = on_time = 0
    used_days, limit_days = [], []
    waits = defaultdict(list)
    for application in applications:
        total += 1
        limit = sum(c.item.matter.promised_limit for c in application.children.all())
        for child in application.children.all():
            if child.case is not None and child.started_at:
                waits[child.item.matter.department].append(_days(child.started_at, child.case.concluded_at or now))
        if application.completed_at:
            completed += 1
            used = _days(application.submitted_at, application.completed_at)
            used_days.append(used)
            limit_days.append(limit)
            on_time += used <= limit
    slowest = sorted(((d, sum(v) / len(v), len(v)) for d, v in waits.items()), key=lambda r: -r[1])[:5]
    return {
        "applications": total,
        "completed": completed,
        "average_days": round(sum(used_days) / len(used_days), 1) if used_days else None,
        "average_limit": round(sum(limit_days) / len(limit_days), 1) if limit_days else None,
        "on_time_rate": round(100 * on_time / completed, 1) if completed else None,
        "slowest": [
            {"department": d.short_name or d.name, "average_days": round(avg, 1), "children": n}
            for d, avg, n in slowest
        ],
    }
