from django.urls import path

from . import views_search

urlpatterns = [
    path("search/", views_search.search_page, name="search"),
    path("suggest/", views_search.suggest, name="suggest"),
    path("ask/", views_search.ask, name="ask"),
    path("tickets/", views_search.my_tickets, name="my_tickets"),
    path("tickets/<int:pk>/", views_search.ticket, name="ticket"),
]
