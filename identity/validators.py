"""django-oauth-toolkit's request validator, told about tongban: which claims
each scope releases, which scopes a relying party may ask for, and which
province session (`sid`) each authorization code belongs to."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from .claims import CLAIM_SCOPES, claims_for
from .models import ProviderSession, RelyingParty, SignIn


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, **CLAIM_SCOPES}

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        party = RelyingParty.objects.filter(application=client).first()
        allowed = set(party.scope_list) if party else {"openid"}
        return set(scopes) <= allowed

    # prompt=none (OpenID Connect Core §3.1.2.1): the view asks for login first
    # (an anonymous request never gets here) and decides consent itself.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        sid = getattr(request, "sid", None)
        session = ProviderSession.objects.filter(sid=sid, ended_at__isnull=True).first() if sid else None
        if session is not None:
            SignIn.objects.create(session=session, application=request.client, code=code["code"])

    def _sid(self, request):
        code = getattr(request, "code", None)
        sign_in = None
        if code:
            sign_in = SignIn.objects.filter(code=code).select_related("session").first()
        if sign_in is None:  # a refresh or userinfo: the latest live session at this party
            sign_in = (
                SignIn.objects.filter(
                    session__user=request.user, application=request.client, session__ended_at__isnull=True
                )
                .select_related("session")
                .order_by("-at")
                .first()
            )
        return sign_in.session.sid if sign_in else ""

    def get_additional_claims(self, request):
        return claims_for(request.user, self._sid(request))
