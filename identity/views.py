"""The provider's pages: authorization (with step-up and remembered consent),
the discovery document with back-channel logout announced, token refusals
audited; step-up for the person; relying parties in the console."""

import json
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from oauth2_provider import views as dot
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauthlib.oauth2.rfc6749.errors import ConsentRequired

from accounts import services as account_services
from accounts.models import AssuranceLevel
from accounts.views import console_view
from core import audit, tables
from core.errors import ServiceError
from core.forms import show_service_error

from . import services
from .claims import ACR_PREFIX, CLAIM_SCOPES, level_of
from .models import SENSITIVE_SCOPES, Consent, RelyingParty
from .signals import sid_of

Application = get_application_model()

# What a person reads when a platform's login request is refused at the
# province (oauthlib describes its errors in English): the field and the rule.
REFUSALS = {
    "Mismatching redirect URI.": "登录回调地址（redirect_uri）与该平台登记的不一致",
    "Invalid redirect URI.": "登录回调地址（redirect_uri）不是有效地址",
    "Missing redirect URI.": "缺少登录回调地址（redirect_uri）",
    "Invalid client_id parameter value.": "客户端标识（client_id）未登记",
    "Missing client_id parameter.": "缺少客户端标识（client_id）",
    # RP-initiated logout (the toolkit's own errors)
    "This client does not have this redirect uri registered.": "注销后返回地址（post_logout_redirect_uri）未在该平台登记",
    "Invalid post logout redirect URI.": "注销后返回地址（post_logout_redirect_uri）无效",
    "The ID Token is expired, revoked, malformed, or otherwise invalid.": "ID 令牌（id_token_hint）无效、已过期或被篡改",
    "Mismatch between the Client ID of the ID Token and the Client ID that was provided.": (
        "ID 令牌（id_token_hint）不是签发给该客户端标识（client_id）的"
    ),
    "The client is unknown or no client has been included.": "客户端标识（client_id）未登记或缺失",
    "Logout has been refused by the user.": "您取消了退出",
}
REFUSED_CODES = {
    "invalid_request": "登录请求缺少必要参数或参数有误（须带 PKCE：code_challenge 与 code_challenge_method=S256）",
    "invalid_scope": "申请的信息范围（scope）超出该平台登记的范围",
    "unsupported_response_type": "只支持授权码方式（response_type=code）",
    "unauthorized_client": "该平台未获准以此方式登录",
}


def refusal(error):
    text = getattr(error, "description", "") or ""
    code = getattr(error, "error", "") or ""
    return REFUSALS.get(text) or REFUSED_CODES.get(code) or f"请求参数有误（{code}）"


class Authorize(dot.AuthorizationView):
    template_name = "identity/authorize.html"

    def error_response(self, error, application, **kwargs):
        response = super().error_response(error, application, **kwargs)
        if getattr(response, "context_data", None) is not None:
            response.context_data["refusal"] = refusal(response.context_data.get("error"))
        return response

    def create_authorization_response(self, request, scopes, credentials, allow):
        credentials = {**credentials, "sid": sid_of(request)}
        return super().create_authorization_response(request, scopes, credentials, allow)

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        prompt = set(request.GET.get("prompt", "").split())
        if prompt & {"login", "create"}:
            return super().get(request, *args, **kwargs)  # the toolkit signs in again, then back here
        application = Application.objects.get(client_id=credentials["client_id"])
        party = RelyingParty.objects.filter(application=application).first()
        required = party.required_level if party else AssuranceLevel.SELF_REGISTERED
        if level_of(request.user) < required:
            audit.record(
                "login_step_up",
                application,
                actor=audit.Actor(request.user, audit.client_ip(request)),
                after={"required_level": required, "level": int(level_of(request.user))},
            )
            query = urlencode({"next": request.get_full_path(), "level": required, "party": application.name})
            return redirect(f"{reverse('identity:step_up')}?{query}")
        sensitive = set(scopes) & SENSITIVE_SCOPES
        consent = Consent.objects.filter(user=request.user, application=application).first()
        if "consent" not in prompt and sensitive <= set(consent.scopes.split() if consent else ()):
            # Nothing sensitive, or only what this person already agreed to give this party.
            credentials.pop("request", None)
            try:
                uri, _headers, _body, _status = self.create_authorization_response(
                    request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
                )
            except OAuthToolkitError as error:  # e.g. a PKCE method other than S256: told to the party
                return self.error_response(error, application)
            return self.redirect(uri, application)
        if "none" in prompt:  # the party asked for no page, and one is needed
            error = ConsentRequired(state=credentials.get("state"))
            return self.error_response(OAuthToolkitError(error, credentials["redirect_uri"]), application)
        # The page is shown: the toolkit's own shortcut (a live token with these
        # scopes, or approval_prompt=auto from the party) must not skip it.
        request.GET = request.GET.copy()
        request.GET["approval_prompt"] = "force"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sensitive"] = SENSITIVE_SCOPES
        return context

    def form_valid(self, form):
        application = Application.objects.get(client_id=form.cleaned_data["client_id"])
        scopes = set(form.cleaned_data.get("scope", "").split())
        if form.cleaned_data.get("allow"):
            consent = Consent.objects.filter(user=self.request.user, application=application).first()
            agreed = " ".join(sorted(set(consent.scopes.split() if consent else ()) | (scopes & SENSITIVE_SCOPES)))
            if consent is None:
                Consent.objects.create(user=self.request.user, application=application, scopes=agreed)
            elif agreed != consent.scopes:
                consent.scopes = agreed
                consent.save()
        else:
            audit.record(
                "authorization_refused",
                application,
                actor=audit.Actor(self.request.user, audit.client_ip(self.request)),
                after={"scope": " ".join(sorted(scopes))},
            )
        return super().form_valid(form)


class Logout(dot.RPInitiatedLogoutView):
    """RP-initiated logout with the province's page and refusals in Chinese."""

    template_name = "identity/logout.html"

    def error_response(self, error):
        response = super().error_response(error)
        response.context_data["refusal"] = refusal(error)
        return response


class Token(dot.TokenView):
    """The token endpoint; every refusal is audited (which client, which error)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            try:
                error = json.loads(response.content).get("error", "")
            except ValueError:
                error = ""
            client_id = request.POST.get("client_id", "") or "（HTTP Basic 认证）"
            audit.record(
                "token_refused",
                actor=audit.Actor(None, audit.client_ip(request)),
                object_type="oauth2_provider.Application",
                object_id=client_id,
                object_repr=client_id,
                after={"grant_type": request.POST.get("grant_type", ""), "error": error},
            )
        return response


class Discovery(dot.ConnectDiscoveryInfoView):
    """The discovery document, announcing what tongban adds to the toolkit."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "acr_values_supported": [f"{ACR_PREFIX}{level}" for level in AssuranceLevel.values],
                "claims_supported": sorted({"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", *CLAIM_SCOPES}),
                "code_challenge_methods_supported": ["S256"],
                "ui_locales_supported": ["zh-CN"],
            }
        )
        response.content = json.dumps(data)
        return response


class StepUpForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    resident_id = forms.CharField(label="身份证号", max_length=18)


@login_required
@require_http_methods(["GET", "POST"])
def step_up(request):
    """A relying party needs a higher level than the person has: check name and
    ID against the register here (level two); level three needs a window."""
    level = int(request.GET.get("level") or AssuranceLevel.REGISTER_CHECKED)
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/"):
        next_url = reverse("accounts:me")
    form = StepUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and level <= AssuranceLevel.REGISTER_CHECKED:
        try:
            account_services.check_against_register(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "身份核验通过，已提升为二级认证")
            return HttpResponseRedirect(next_url)
    return render(
        request,
        "identity/step_up.html",
        {
            "form": form,
            "level": AssuranceLevel(level),
            "current": AssuranceLevel(level_of(request.user)),
            "party": request.GET.get("party", ""),
            "needs_window": level > AssuranceLevel.REGISTER_CHECKED,
        },
    )


@login_required
def consents(request):
    """The parties this person let have sensitive claims, each withdrawable."""
    from django.conf import settings

    names = settings.OAUTH2_PROVIDER["SCOPES"]
    rows = Consent.objects.filter(user=request.user).select_related("application").order_by("application__name")
    for row in rows:
        row.labels = [names.get(s, s) for s in row.scopes.split()]
    return render(request, "identity/consents.html", {"consents": rows})


@login_required
@require_http_methods(["POST"])
def consent_withdraw(request, pk):
    """Withdrawn (个人信息保护法 第十五条): the consent goes, and so do the
    party's tokens for this person; the next login asks again."""
    consent = get_object_or_404(Consent, pk=pk, user=request.user)
    services.withdraw_consent(request.user, consent)
    messages.success(request, f"已撤回对“{consent.application.name}”的授权")
    return redirect("identity:consents")


# --- console: relying parties ---


class PartyForm(forms.Form):
    name = forms.CharField(label="平台名称", max_length=120)
    redirect_uris = forms.CharField(
        label="登录回调地址",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个，须与接入平台发起登录时的 redirect_uri 完全一致",
    )
    post_logout_redirect_uris = forms.CharField(
        label="注销后返回地址", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一个"
    )
    backchannel_logout_uri = forms.URLField(
        label="后端注销地址",
        required=False,
        assume_scheme="https",
        help_text="统一注销时本平台向此地址发送注销令牌（logout_token）",
    )
    scopes = forms.MultipleChoiceField(
        label="可申请的范围", widget=forms.CheckboxSelectMultiple, choices=[(s, s) for s in services.SCOPES]
    )
    required_level = forms.TypedChoiceField(label="最低认证等级", coerce=int, choices=AssuranceLevel.choices)
    region = forms.CharField(label="所属区划代码", max_length=6, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        names = settings.OAUTH2_PROVIDER["SCOPES"]
        self.fields["scopes"].choices = [(s, f"{s}：{names[s]}") for s in services.SCOPES]


PARTY_TABLE = tables.Table(
    "parties",
    title="统一身份认证接入平台",
    columns=[
        tables.Column("name", "平台名称", "application.name", order=("application__name",)),
        tables.Column("client", "客户端标识", "application.client_id", order=("application__client_id",)),
        tables.Column("region", "所属区划", lambda p: p.region.name if p.region else "—", order=("region_id",)),
        tables.Column("scopes", "可申请的范围", "scopes"),
        tables.Column("level", "最低认证等级", "get_required_level_display", order=("required_level",)),
        tables.Column("logout", "后端注销地址", lambda p: p.backchannel_logout_uri or "未登记"),
        tables.Column("secret", "操作", lambda p: "", export=False),
    ],
    filters=[tables.Filter("q", "平台名称或客户端标识", lookups=("application__name", "application__client_id"))],
)


@console_view
def party_list(request):
    services.require_manage(request.user)
    parties = RelyingParty.objects.select_related("application", "region").order_by("application__name")
    table = PARTY_TABLE.bind(request, parties)
    if table.export_requested:
        return table.export_response()
    return render(request, "identity/party_list.html", {"table": table})


@console_view
@require_http_methods(["GET", "POST"])
def party_new(request):
    services.require_manage(request.user)
    form = PartyForm(request.POST or None, initial={"scopes": ["openid", "profile"], "required_level": 1})
    if request.method == "POST" and form.is_valid():
        try:
            party, secret = services.register_party(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            # The secret is shown on this one page and never again: only its hash is kept.
            return render(request, "identity/party_secret.html", {"party": party, "secret": secret})
    return render(request, "identity/party_form.html", {"form": form})


@console_view
@require_http_methods(["POST"])
def party_secret(request, pk):
    services.require_manage(request.user)
    party = get_object_or_404(RelyingParty, pk=pk)
    secret = services.new_secret(request.user, party)
    return render(request, "identity/party_secret.html", {"party": party, "secret": secret})
