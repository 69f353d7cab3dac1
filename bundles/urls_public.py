from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("applications/", views.mine, name="mine"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("<slug:code>/", views.bundle_page, name="bundle"),
]
