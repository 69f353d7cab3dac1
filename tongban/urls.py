from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from accounts import views as accounts_views
from core import health
from core import views as core_views
from core.ratelimits import limit
from identity import urls as identity_urls

from . import portal as portal_views
from .api import api

portal = (
    [
        path("", portal_views.home, name="home"),
        path("search/", portal_views.search, name="search"),
        path("themes/<slug:slug>/", portal_views.theme, name="theme"),
    ],
    "portal",
)

account = (
    [
        path("login/", limit("login", method="POST")(accounts_views.SignInView.as_view()), name="login"),
        path("logout/", LogoutView.as_view(), name="logout"),
        path("register/", accounts_views.register, name="register"),
        path("home/", accounts_views.home, name="home"),
        path("me/", accounts_views.me, name="me"),
        path("me/organisations/new/", accounts_views.register_organisation, name="register_organisation"),
        path("me/organisations/<int:pk>/agents/", accounts_views.organisation_agents, name="organisation_agents"),
        path("me/agents/<int:pk>/revoke/", accounts_views.revoke_agent, name="revoke_agent"),
        path("me/act-for/", accounts_views.act_for, name="act_for"),
    ],
    "accounts",
)

console = (
    [
        path("", core_views.console_home, name="home"),
        path("organisations/", accounts_views.organisation_list, name="organisations"),
        path("organisations/new/", accounts_views.organisation_create, name="organisation_new"),
        path("organisations/<int:pk>/", accounts_views.organisation_detail, name="organisation"),
        path("organisations/<int:pk>/edit/", accounts_views.organisation_edit, name="organisation_edit"),
        path("persons/new/", accounts_views.person_create, name="person_new"),
        path("persons/verify/", accounts_views.person_verify, name="person_verify"),
        path("staff/", accounts_views.staff_list, name="staff"),
        path("staff/new/", accounts_views.staff_create, name="staff_new"),
        path("audit/", core_views.audit_list, name="audit"),
        path("audit/verify/", core_views.audit_verify, name="audit_verify"),
        path("audit/verify/<str:result_id>/", core_views.audit_verify_status, name="audit_verify_status"),
        path("calendar/", core_views.calendar_years, name="calendar"),
        path("calendar/add/", core_views.calendar_year_add, name="calendar_year_add"),
        path("calendar/<int:year>/", core_views.calendar_year, name="calendar_year"),
    ],
    "console",
)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("display/", portal_views.display, name="display"),
    path("", include(portal)),
    path("accounts/", include(account)),
    path("console/", include(console)),
    path("matters/", include(("catalog.urls_public", "catalog"))),
    path("console/catalog/", include(("catalog.urls_console", "catalog_console"))),
    path("console/cases/", include(("cases.urls_console", "cases_console"))),
    path("cases/", include(("cases.urls_public", "cases"))),
    path("policies/", include(("policies.urls_public", "policies"))),
    path("console/policies/", include(("policies.urls_console", "policies_console"))),
    path("matching/", include(("matching.urls_public", "matching"))),
    path("console/matching/", include(("matching.urls_console", "matching_console"))),
    path("console/hall/", include(("hall.urls_console", "hall_console"))),
    path("console/accounts/", include(("accounts.urls_console", "accounts_console"))),
    path("console/bulletin/", include(("bulletin.urls", "bulletin"))),
    path("messages/", include(("messaging.urls", "messaging"))),
    path("console/revenue/", include(("revenue.urls_console", "revenue"))),
    path("oidc/", include(identity_urls.provider)),
    path("identity/", include(identity_urls.public)),
    path("console/identity/", include(identity_urls.console)),
    path("bundles/", include(("bundles.urls_public", "bundles"))),
    path("console/bundles/", include(("bundles.urls_console", "bundles_console"))),
    path("admin/", admin.site.urls),  # superusers only: core.admin_site
    path("api/v1/", api.urls),
]

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
