from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core import masking

from .models import Agent, APIToken, Organisation, Person, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "kind", "role", "department", "is_active"]
    list_filter = ["kind", "role", "is_active"]
    search_fields = ["username", "name"]
    fieldsets = BaseUserAdmin.fieldsets + (("通办", {"fields": ("name", "kind", "role", "department", "phone")}),)
    autocomplete_fields = ["department"]


class AgentInline(admin.TabularInline):
    model = Agent
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "region"]
    search_fields = ["name", "uscc"]
    inlines = [AgentInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id", "masked_phone"]
    search_fields = ["name"]
    exclude = ["resident_id_hash"]

    @admin.display(description="手机号")
    def masked_phone(self, person):
        return masking.mask_phone(person.phone)  # full values only through the audited case page


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "key_hash"]
