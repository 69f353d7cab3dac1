from django.urls import path

from .views_placeholder import pending

urlpatterns = [
    path("search/", pending, name="search"),
    path("suggest/", pending, name="suggest"),
    path("ask/", pending, name="ask"),
    path("tickets/", pending, name="my_tickets"),
    path("tickets/<int:pk>/", pending, name="ticket"),
]
