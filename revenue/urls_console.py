"""Console pages of 自然资源非税收入 under /console/revenue/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("rights/", views.rights, name="rights"),
    path("rights/<int:pk>/", views.right, name="right"),
    path("worklist/", views.worklist, name="worklist"),
    path("fee-sources/<int:pk>/", views.fee_source, name="fee_source"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/replay/", views.replay, name="replay"),
    path("reconciliation/", views.reconciliation_view, name="reconciliation"),
]
