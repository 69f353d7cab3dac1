"""Read-only admin views of the policy library: changes go through the
console and policies.services (review, versions, search index)."""

from django.contrib import admin

from .models import BenefitItem, Interpretation, PolicyDocument


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ReadOnly):
    list_display = ["title", "number", "department", "status", "issued_on", "city_code"]
    list_filter = ["status", "level", "topic"]
    search_fields = ["title", "number"]


@admin.register(BenefitItem)
class BenefitItemAdmin(ReadOnly):
    list_display = ["code", "title", "kind", "delivery", "department", "status"]
    list_filter = ["status", "kind", "delivery", "topic"]
    search_fields = ["code", "title"]


@admin.register(Interpretation)
class InterpretationAdmin(ReadOnly):
    list_display = ["title", "kind", "document", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
