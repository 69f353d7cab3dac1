"""Pages for enterprise users under /matching/: the policy calculator with
its "what if", the inbox of pushes, and auto-grant confirmation (意愿确认)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from core.errors import ServiceError
from core.forms import show_service_error

from . import engine, forms, services
from .models import GrantEntry, GrantRound, Notice

GROUPS = [
    ("meets", "符合条件", "可以享受的政策"),
    ("nearly", "差一项条件", "只差一个条件即可享受"),
    ("unknown", "无法判断", "缺少数据，暂无法判断"),
    ("fails", "不符合", "目前不符合条件"),
]


def _profile_or_none(request):
    policy.require(request.user, "matching.calculate")
    return services.profile_for(request.user, request.GET.get("uscc") or request.POST.get("uscc"))


def profile_rows(profile):
    rows = []
    for name in engine.ATTRIBUTES:
        attr = engine.ATTRIBUTES[name]
        value = profile.region.full_name if name == "region" else getattr(profile, name, None)
        if name == "size" and value:
            value = profile.get_size_display()
        elif name == "qualifications":
            value = "、".join(attr.choices.get(t, t) for t in value or []) or None
        elif name == "industry" and value:
            value = f"{value} {engine.industry_label(value) or ''}"
        elif isinstance(value, bool):
            value = "是" if value else "否"
        source = (profile.sources or {}).get(name, {})
        rows.append(
            {
                "label": attr.label,
                "unit": attr.unit if value not in (None, "") else "",
                "value": value,
                "source": source.get("source") or attr.source,
                "updated_on": source.get("updated_on", ""),
                "derived": attr.derived,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request):
    profile = _profile_or_none(request)
    context = {"profile": profile, "profiles": services.profiles_for(request.user)}
    if profile is None:
        return render(request, "matching/calculator.html", context)
    form = forms.WhatIfForm(request.POST or None, profile=profile)
    whatif = None
    if request.method == "POST" and form.is_valid():
        try:
            whatif = services.what_if_report(profile, form.values())
            groups = whatif.groups
        except ServiceError as exc:
            show_service_error(form, exc)
            groups = services.calculate(profile.attributes())
    else:
        groups = services.calculate(profile.attributes())
    total, without_figure = services.claimable_total(groups)
    # Listed: what the enterprise can claim and what it can bring round; the rest is counted
    shown = [(key, title, hint, groups[key]) for key, title, hint in GROUPS if key != "fails"]
    lost = [r for r in groups["fails"] if r.changed == "lost"]
    if lost:  # what-if: what no longer meets is shown too, marked
        shown.append(("fails", "假设后不符合", "原来符合、假设后不再符合的政策", lost))
    context.update(
        {
            "form": form,
            "whatif": whatif,
            "groups": shown,
            "total": total,
            "without_figure": without_figure,
            "rows": profile_rows(profile),
            "counts": {k: len(v) for k, v in groups.items()},
        }
    )
    return render(request, "matching/calculator.html", context)


@login_required
def inbox(request):
    policy.require(request.user, "matching.calculate")
    profiles = services.profiles_for(request.user)
    qs = Notice.objects.filter(profile__in=profiles).select_related("item", "profile")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "matching/inbox.html", {"page": page, "unread": qs.filter(read_at__isnull=True).count()})


@login_required
@require_POST
def notice_read(request, pk):
    notice = get_object_or_404(Notice, pk=pk)
    try:
        services.mark_read(request.user, notice)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("matching:inbox")


@login_required
def grants(request):
    policy.require(request.user, "matching.confirm")
    entries = (
        GrantEntry.objects.filter(profile__in=services.profiles_for(request.user))
        .select_related("round", "round__item", "profile", "decided_by")
        .order_by("-round__opened_at")
    )
    rows = [
        (
            e,
            forms.DecisionForm(initial={"version": e.version})
            if e.decision == GrantEntry.Decision.PENDING and e.round.state == GrantRound.State.CONFIRMING
            else None,
        )
        for e in entries
    ]
    return render(request, "matching/grants.html", {"rows": rows})


@login_required
@require_POST
def decide(request, pk):
    entry = get_object_or_404(GrantEntry, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择同意享受或放弃享受")
        return redirect("matching:grants")
    try:
        entry = services.decide(
            request.user, entry, decision=form.cleaned_data["decision"], version=form.cleaned_data["version"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认：{entry.get_decision_display()}“{entry.round.item.title}”")
    return redirect("matching:grants")


def publicity(request):
    """The lists under publicity (公示), open to everyone: objections go to
    the claiming department, whose staff record them."""
    rounds = (
        GrantRound.objects.filter(state=GrantRound.State.PUBLICITY)
        .select_related("item", "item__department", "item__region")
        .order_by("-publicity_from", "-id")
    )
    rows = [
        (
            r,
            r.entries.filter(decision=GrantEntry.Decision.CONFIRMED, excluded=False)
            .select_related("profile", "profile__region")
            .order_by("profile__uscc"),
        )
        for r in rounds
    ]
    return render(request, "matching/publicity.html", {"rows": rows})
