"""Console pages for cases under /console/cases/."""

from django.urls import path, re_path

from . import views, views_personal

NUMBER = r"(?P<number>\d{8,32})"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.intake, name="intake"),
    path("consult/", views.consult, name="consult"),
    path("stats/", views.dashboard, name="stats"),
    path("stats/export.xlsx", views.export, name="stats_export"),
    path("stats/cases/<str:figure>/", views.drill_down, name="stats_cases"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    re_path(rf"^{NUMBER}/$", views.detail, name="detail"),
    re_path(rf"^{NUMBER}/personal/$", views_personal.reveal, name="reveal"),
    re_path(rf"^{NUMBER}/steps/(?P<step>[a-z_]+)/$", views.step, name="step"),
    re_path(rf"^{NUMBER}/files/(?P<pk>\d+)/$", views.download, name="file"),
    re_path(rf"^{NUMBER}/notices/(?P<kind>[a-z]+)/$", views.notice, name="notice"),
]
