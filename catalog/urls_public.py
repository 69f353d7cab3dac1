"""Public guide pages (办事指南) under /matters/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("<int:pk>/", views.matter_guide, name="guide"),
]
