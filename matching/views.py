"""Console pages under /console/matching/: the overview with push counts,
enterprise profiles and their bulk upload, each benefit item's rule, and the
auto-grant rounds (免申即享) with confirmations, publicity and payouts."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from core.errors import ServiceError
from core.forms import posted_version, show_service_error
from policies.models import BenefitItem, Status

from . import engine, forms, profiles, services, tables
from .engine.suggest import draft_rule, suggest
from .models import EnterpriseProfile, GrantEntry, GrantRound, ItemRule, Match, Notice
from .views_public import profile_rows


def _items(user):
    return policy.visible(
        user, BenefitItem.objects.all(), region_field="region__code", function_field="department__function"
    )


def _rounds(user):
    return policy.visible(
        user,
        GrantRound.objects.select_related("item", "item__region", "item__department"),
        region_field="item__region__code",
        function_field="item__department__function",
    )


@login_required
def index(request):
    policy.require(request.user, "policy.view")
    table = tables.ITEMS.bind(request, tables.items(_items(request.user)))
    if table.export_requested:
        return table.export_response()
    visible_items = _items(request.user)
    totals = {
        "profiles": policy.visible(request.user, EnterpriseProfile.objects.all(), region_field="region__code").count(),
        "rules": ItemRule.objects.filter(item__in=visible_items).count(),
        "matches": Match.objects.filter(item__in=visible_items).count(),
        "pushes": Notice.objects.filter(item__in=visible_items, kind=Notice.Kind.MATCH).count(),
        "unread": Notice.objects.filter(item__in=visible_items, kind=Notice.Kind.MATCH, read_at__isnull=True).count(),
    }
    return render(
        request,
        "matching/console_index.html",
        {
            "table": table,
            "totals": totals,
            "rounds": _rounds(request.user).order_by("-opened_at", "-id")[:10],
            "can_upload": policy.can(request.user, "matching.profile"),
        },
    )


@login_required
def profile_list(request):
    policy.require(request.user, "policy.view")
    qs = policy.visible(request.user, EnterpriseProfile.objects.select_related("region"), region_field="region__code")
    table = tables.PROFILES.bind(request, qs)
    if table.export_requested:
        return table.export_response()
    return render(
        request,
        "matching/profiles.html",
        {"table": table, "can_upload": policy.can(request.user, "matching.profile")},
    )


@login_required
def profile_detail(request, uscc):
    policy.require(request.user, "policy.view")
    profile = get_object_or_404(EnterpriseProfile.objects.select_related("region"), uscc=uscc)
    policy.require(request.user, "policy.view", profile)
    matches = Match.objects.filter(profile=profile).select_related("item").order_by("item__title")
    return render(
        request,
        "matching/profile_detail.html",
        {
            "profile": profile,
            "rows": profile_rows(profile),
            "matches": matches,
            "notices": profile.notices.select_related("item")[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    policy.require(request.user, "matching.profile")
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            report = profiles.load(request.user, file.read(), file.name, source=form.cleaned_data["source"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                f"已导入企业画像 {report.total} 户（新增 {report.created}，更新 {report.updated}），"
                "新符合条件的企业将收到推送",
            )
            return redirect("matching_console:profiles")
    columns = [(a.name, a.label, a.unit, a.source) for a in engine.ATTRIBUTES.values() if not a.derived]
    return render(request, "matching/upload.html", {"form": form, "columns": columns})


def _marked(text, suggestions):
    """The 申报条件 text as (piece, is the source of a suggestion) pieces, for <mark>."""
    pieces, at = [], 0
    for s in sorted(suggestions, key=lambda s: s.start):
        if s.start < at:
            continue
        pieces += [(text[at : s.start], False), (text[s.start : s.end], True)]
        at = s.end
    return pieces + [(text[at:], False)]


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, item_id):
    policy.require(request.user, "policy.view")
    item = get_object_or_404(BenefitItem.objects.select_related("region", "department", "document"), pk=item_id)
    policy.require(request.user, "policy.view", item)
    current = ItemRule.objects.filter(item=item).select_related("updated_by").first()
    can_edit = policy.can(request.user, "matching.manage", item)
    if request.method == "POST":
        policy.require(request.user, "matching.manage", item)
        form = forms.RuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_rule(
                    request.user,
                    item,
                    rule=data["rule"],
                    version=data["version"],
                    grant_amount=data["grant_amount"],
                    grant_rate_attr=data["grant_rate_attr"],
                    grant_rate=data["grant_rate"],
                )
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, f"规则已保存（第{saved.version}版），符合条件的企业将收到推送")
                return redirect("matching_console:rule", item_id=item.pk)
    suggestions = suggest(item.conditions, region=item.region_id)
    draft = draft_rule(suggestions)
    if request.method != "POST":
        use_draft = request.GET.get("draft") == "1" and draft is not None
        initial = {
            "rule": json.dumps(
                draft
                if use_draft
                else current.rule
                if current
                else {"when": {"from": None, "until": None}, "condition": {"all": []}},
                ensure_ascii=False,
                indent=2,
            ),
            "version": current.version if current else 0,
        }
        if current:
            initial.update(
                grant_amount=current.grant_amount,
                grant_rate_attr=current.grant_rate_attr,
                grant_rate=current.grant_rate,
            )
        form = forms.RuleForm(initial=initial)
    attributes = [
        (a.name, a.label, a.type, a.unit, "、".join(f"{k}={v}" for k, v in a.choices.items()))
        for a in engine.ATTRIBUTES.values()
    ]
    return render(
        request,
        "matching/rule.html",
        {
            "item": item,
            "current": current,
            "form": form,
            "can_edit": can_edit,
            "attributes": attributes,
            "suggestions": suggestions,
            "marked": _marked(item.conditions, suggestions),
            "draft_used": request.method != "POST" and request.GET.get("draft") == "1" and draft is not None,
            "matched": Match.objects.filter(item=item).count(),
            "pushes": Notice.objects.filter(item=item, kind=Notice.Kind.MATCH).count(),
            "can_open_round": can_edit
            and item.delivery == BenefitItem.Delivery.AUTO_GRANT
            and current is not None
            and item.status == Status.PUBLISHED,
            "open_form": forms.OpenRoundForm(),
        },
    )


@login_required
def round_list(request):
    policy.require(request.user, "policy.view")
    table = tables.ROUNDS.bind(request, tables.rounds(_rounds(request.user)))
    if table.export_requested:
        return table.export_response()
    return render(request, "matching/rounds.html", {"table": table})


@login_required
@require_POST
def round_open(request, item_id):
    item = get_object_or_404(BenefitItem, pk=item_id)
    form = forms.OpenRoundForm(request.POST)
    days = form.cleaned_data["publicity_days"] if form.is_valid() else request.POST.get("publicity_days")
    try:
        round_ = services.open_round(request.user, item, publicity_days=days)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("matching_console:rule", item_id=item.pk)
    messages.success(request, f"已发起免申即享：{round_.entries.count()} 户企业待确认意愿")
    return redirect("matching_console:round", pk=round_.pk)


def _round_or_404(request, pk):
    policy.require(request.user, "policy.view")
    round_ = get_object_or_404(_rounds(request.user), pk=pk)
    return round_


@login_required
def round_detail(request, pk, objection_form=None):
    round_ = _round_or_404(request, pk)
    entries = (
        round_.entries.select_related("profile", "profile__region", "decided_by")
        .prefetch_related("objections")
        .order_by("profile__uscc")
    )
    counts = dict.fromkeys(GrantEntry.Decision.values, 0)
    for e in entries:
        counts[e.decision] += 1
    can_publish = policy.can(request.user, "matching.grant", round_)
    payouts = {p.entry_id: p for p in services.Payout.objects.filter(entry__round=round_)}
    return render(
        request,
        "matching/round.html",
        {
            "round": round_,
            "entries": [(e, payouts.get(e.pk)) for e in entries],
            "counts": counts,
            "can_publish": can_publish,
            "today": services.today(),
            "objection_form": objection_form or (forms.ObjectionForm(round_=round_) if can_publish else None),
        },
    )


@login_required
@require_POST
def round_publish(request, pk):
    round_ = _round_or_404(request, pk)
    try:
        round_ = services.publish_round(request.user, round_, version=posted_version(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"名单已公示，公示期至 {round_.publicity_until:%Y-%m-%d}")
    return redirect("matching_console:round", pk=pk)


@login_required
@require_POST
def round_objection(request, pk):
    round_ = _round_or_404(request, pk)
    form = forms.ObjectionForm(request.POST, round_=round_)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_objection(
                request.user, data["entry"], text=data["text"], raised_by=data["raised_by"], upheld=data["upheld"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "异议已登记")
            return redirect("matching_console:round", pk=pk)
    return round_detail(request, pk, objection_form=form)


@login_required
@require_POST
def round_payout(request, pk):
    round_ = _round_or_404(request, pk)
    try:
        round_ = services.make_payouts(request.user, round_, version=posted_version(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已生成兑现记录 {round_.entries.filter(payout__isnull=False).count()} 条")
    return redirect("matching_console:round", pk=pk)


@login_required
@require_POST
def rule_preview(request, item_id):
    """The description of the rule being edited, or where it is wrong, without saving (htmx)."""
    item = get_object_or_404(BenefitItem, pk=item_id)
    policy.require(request.user, "policy.view", item)
    text, errors = request.POST.get("rule", ""), []
    description = ""
    try:
        rule = json.loads(text)
    except ValueError as exc:
        errors = [f"不是有效的JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}"]
    else:
        errors = services._rule_errors(rule)
        if not errors:
            description = engine.describe(rule)
    return render(request, "matching/_rule_preview.html", {"description": description, "errors": errors})
