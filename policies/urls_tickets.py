from django.urls import path

from . import views_tickets

urlpatterns = [
    path("tickets/", views_tickets.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views_tickets.ticket_detail, name="ticket"),
]
