"""Console pages of hall operations under /console/hall/."""

from django.urls import path

from . import views, views_records

urlpatterns = [
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/photos/<int:photo>/", views.activity_photo, name="activity_photo"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/<str:step>/", views.duty_step, name="duty_step"),
    path("key-work/", views.key_work, name="key_work"),
    # The centre's records (formerly the Django admin's): departments and windows.
    path("departments/", views_records.departments, name="departments"),
    path("departments/new/", views_records.department_new, name="department_new"),
    path("departments/<int:pk>/", views_records.department, name="department"),
    path("windows/", views_records.windows, name="windows"),
    path("windows/new/", views_records.window_new, name="window_new"),
    path("windows/<int:pk>/", views_records.window, name="window"),
]
