from django.urls import path

from . import views_zone as views

urlpatterns = [
    path("", views.zone, name="zone"),
    path("city/<str:code>/", views.city, name="city"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("items/<int:pk>/", views.item, name="item"),
]
