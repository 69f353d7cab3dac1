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
