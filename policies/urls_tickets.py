from django.urls import path

from .views_placeholder import pending

urlpatterns = [
    path("tickets/", pending, name="tickets"),
    path("tickets/<int:pk>/", pending, name="ticket"),
]
