from django.urls import path

from .views_placeholder import pending

urlpatterns = [
    path("", pending, name="index"),
]
