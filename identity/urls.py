from django.urls import path, re_path
from oauth2_provider import views as dot

from . import views

# The provider's endpoints, under the toolkit's namespace (it reverses them by name).
provider = (
    [
        path("authorize/", views.Authorize.as_view(), name="authorize"),
        path("token/", views.Token.as_view(), name="token"),
        path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
        re_path(
            r"^\.well-known/openid-configuration/?$", views.Discovery.as_view(), name="oidc-connect-discovery-info"
        ),
        path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
        path("userinfo/", dot.UserInfoView.as_view(), name="user-info"),
        path("logout/", views.Logout.as_view(), name="rp-initiated-logout"),
    ],
    "oauth2_provider",
)

public = (
    [
        path("step-up/", views.step_up, name="step_up"),
        path("consents/", views.consents, name="consents"),
        path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    ],
    "identity",
)

console = (
    [
        path("", views.party_list, name="parties"),
        path("new/", views.party_new, name="party_new"),
        path("<int:pk>/secret/", views.party_secret, name="party_secret"),
    ],
    "identity_console",
)
