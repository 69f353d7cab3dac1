"""显示完整号码: a case's personal data in full, for a viewer whose role
needs it (cases.personal), recorded in the audit log: who saw whose what, when."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.views import console_view
from core import audit

from . import personal
from .views import _case_or_404, _detail_context


@console_view
@require_POST
@never_cache
def reveal(request, number):
    case = _case_or_404(number)
    policy.require(request.user, "personal.reveal", case)
    seen = [(name, label) for name, label in personal.FIELDS if getattr(case, name)]
    audit.record(
        "reveal",
        case,
        object_repr=f"{case.number} 申请人 {case.applicant_name} 的{'、'.join(label for _, label in seen)}",
        after={"fields": [name for name, _ in seen]},
    )
    context = _detail_context(request, case)
    context["personal"] = personal.shown(request.user, case, full=True)
    return render(request, "cases/detail.html", context)
