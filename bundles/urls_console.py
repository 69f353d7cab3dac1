from django.urls import path

from . import views

urlpatterns = [
    path("", views.console_index, name="index"),
    path("new/", views.edit_bundle, name="new"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem_page, name="problem"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("<slug:code>/", views.console_bundle, name="bundle"),
    path("<slug:code>/edit/", views.edit_bundle, name="edit"),
    path("<slug:code>/demonstration/", views.demonstrate, name="demonstrate"),
]
