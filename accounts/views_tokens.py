"""Console pages of the API tokens other systems call the platform with
(/console/accounts/tokens/): issue one to a named system account with its
scopes and expiry (the key shown once, only its hash kept), see when each was
last used, revoke. Every change goes through accounts.services."""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import tables
from core.errors import ServiceError
from core.forms import show_service_error
from core.models import Department

from . import policy, services
from .forms import SystemTokenForm
from .models import APIToken, User
from .views import console_view


def _tokens(user):
    qs = APIToken.objects.select_related("user", "user__department", "user__department__region", "created_by")
    return policy.visible(user, qs, region_field="user__department__region__code")


def _scope_labels(token):
    if not token.scopes:
        return "本人全部权限（个人令牌）"
    return "、".join(policy.TOKEN_SCOPES[s][0] for s in token.scopes if s in policy.TOKEN_SCOPES)


def _by_state(qs, value):
    now = timezone.now()
    if value == "revoked":
        return qs.filter(revoked=True)
    if value == "expired":
        return qs.filter(revoked=False, expires_at__lte=now)
    return qs.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked=False)


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _last_day(token):
    """The last day a token is valid (it stops at the following midnight, Beijing time)."""
    if token.expires_at is None:
        return "长期"
    return (timezone.localtime(token.expires_at) - dt.timedelta(seconds=1)).strftime("%Y-%m-%d")


TOKEN_TABLE = tables.Table(
    "tokens",
    title="API令牌",
    columns=[
        tables.Column("prefix", "令牌前缀", lambda t: f"{t.prefix}…", order=("prefix",)),
        tables.Column("system", "系统或用户", lambda t: t.user.name or t.user.username, order=("user__name",)),
        tables.Column("username", "账户", "user.username", order=("user__username",)),
        tables.Column(
            "role",
            "角色与部门",
            lambda t: f"{t.user.get_role_display()}，{t.user.department.name}" if t.user.department_id else "—",
        ),
        tables.Column("scopes", "授权范围", _scope_labels),
        tables.Column("name", "用途", "name", order=("name",)),
        tables.Column("created", "签发时间", lambda t: _local(t.created_at), order=("created_at",)),
        tables.Column("expires", "有效期至", _last_day, order=("expires_at",)),
        tables.Column("used", "最近使用", lambda t: _local(t.last_used_at) or "从未使用", order=("last_used_at",)),
        tables.Column("state", "状态", "state_label", order=("revoked", "expires_at")),
        tables.Column("revoke", "操作", lambda t: "", export=False),
    ],
    filters=[
        tables.Filter("q", "系统名称、账户或令牌前缀", lookups=("user__name", "user__username", "prefix")),
        tables.Filter(
            "kind",
            "令牌类型",
            choices=[("system", "其他系统"), ("person", "个人")],
            apply=lambda qs, v: (
                qs.filter(user__kind=User.Kind.SYSTEM) if v == "system" else qs.exclude(user__kind=User.Kind.SYSTEM)
            ),
        ),
        tables.Filter(
            "state", "状态", choices=[("valid", "有效"), ("expired", "已过期"), ("revoked", "已吊销")], apply=_by_state
        ),
    ],
    default_sort="-created",
    per_page=50,
    htmx=True,
)


@console_view
def tokens(request):
    policy.require(request.user, "token.manage")
    table = TOKEN_TABLE.bind(request, _tokens(request.user))
    if table.export_requested:
        return table.export_response()
    return render(request, "accounts/tokens.html", {"table": table})


def _end_of(day):
    """A date read as 'valid through that day' (Beijing time): the next midnight."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


@console_view
@require_http_methods(["GET", "POST"])
def token_new(request):
    policy.require(request.user, "token.manage")
    departments = policy.visible(request.user, Department.objects.filter(active=True))
    form = SystemTokenForm(
        request.POST or None,
        departments=departments,
        initial={"expires_at": timezone.localdate() + dt.timedelta(days=365)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        day = data.pop("expires_at")
        try:
            token, key = services.issue_system_token(request.user, expires_at=_end_of(day) if day else None, **data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            # The key is shown on this one page and never again: only its hash is kept.
            return render(
                request,
                "accounts/token_key.html",
                {"token": token, "key": key, "scopes": _scope_labels(token), "last_day": _last_day(token)},
            )
    return render(request, "accounts/token_form.html", {"form": form})


@console_view
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(_tokens(request.user), pk=pk)
    try:
        services.revoke_token(request.user, token)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已吊销令牌 {token.prefix}…（{token.user}），使用它的调用即刻被拒绝")
    return redirect(reverse("accounts_console:tokens"))
