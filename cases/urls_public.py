"""Public case pages under /cases/ (apply, follow, correct, rate, verify a certificate)."""

from django.urls import path, re_path

from . import views_public as views

NUMBER = r"(?P<number>\d{8,32})"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<int:matter_id>/", views.apply, name="apply"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:key>/", views.verify_detail, name="verify_detail"),
    re_path(rf"^{NUMBER}/$", views.detail, name="detail"),
    re_path(rf"^{NUMBER}/correction/$", views.answer, name="answer"),
    re_path(rf"^{NUMBER}/evaluation/$", views.evaluate, name="evaluate"),
]
