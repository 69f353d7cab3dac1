from django.contrib import admin

from .models import Parameter


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    """征收参数: a new rate or share is a new row from its effective date."""

    list_display = ["name", "granting_level", "value", "effective_from", "source", "confirmed"]
    list_filter = ["name", "confirmed"]
