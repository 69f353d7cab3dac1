from city import views
from django.urls import path

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("oidc/callback/", views.callback, name="callback"),
    path("logout/", views.logout, name="logout"),
    path("oidc/backchannel-logout/", views.backchannel_logout, name="backchannel_logout"),
    path("items/", views.items, name="items"),
]
