"""Enterprise pages under /matching/: calculator, inbox, auto-grant confirmation."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/decide/", views.decide, name="decide"),
    path("publicity/", views.publicity, name="publicity"),
]
