"""Console pages under /console/matching/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/upload/", views.upload, name="upload"),
    path("profiles/<str:uscc>/", views.profile_detail, name="profile"),
    path("items/<int:item_id>/rule/", views.rule_edit, name="rule"),
    path("items/<int:item_id>/rule/preview/", views.rule_preview, name="rule_preview"),
    path("items/<int:item_id>/grant/", views.round_open, name="round_open"),
    path("grants/", views.round_list, name="rounds"),
    path("grants/<int:pk>/", views.round_detail, name="round"),
    path("grants/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("grants/<int:pk>/objection/", views.round_objection, name="round_objection"),
    path("grants/<int:pk>/payout/", views.round_payout, name="round_payout"),
]
