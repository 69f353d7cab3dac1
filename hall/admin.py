from django.contrib import admin

from .models import Hall, Window


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "department"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "hall", "department", "active"]
    list_filter = ["kind", "active"]


# Hall operations: read in the admin; changes go through the console pages.
from .models import ActivityReport, DutyShift, KeyWork  # noqa: E402


@admin.register(ActivityReport)
class ActivityReportAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "department", "state"]
    list_filter = ["state", "kind"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["date", "leader_name", "leader_title", "department", "window", "signed_in_at"]


@admin.register(KeyWork)
class KeyWorkAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active"]
