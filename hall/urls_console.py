"""Console pages of hall operations under /console/hall/."""

from django.urls import path

from . import views

urlpatterns = [
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/photos/<int:photo>/", views.activity_photo, name="activity_photo"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/<str:step>/", views.duty_step, name="duty_step"),
    path("key-work/", views.key_work, name="key_work"),
]
