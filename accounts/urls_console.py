"""Console pages of accounts under /console/accounts/: other systems' API tokens."""

from django.urls import path

from . import views_tokens

urlpatterns = [
    path("tokens/", views_tokens.tokens, name="tokens"),
    path("tokens/new/", views_tokens.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
