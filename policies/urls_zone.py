from django.urls import path

from .views_placeholder import pending

urlpatterns = [
    path("", pending, name="zone"),
    path("city/<str:code>/", pending, name="city"),
    path("documents/<int:pk>/", pending, name="document"),
    path("items/<int:pk>/", pending, name="item"),
]
