from django.contrib import admin

from .models import EnterpriseProfile, GrantEntry, GrantRound, ItemRule, Notice, Objection, Payout


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(admin.ModelAdmin):
    list_display = ("uscc", "name", "region", "industry", "size", "version")
    search_fields = ("uscc", "name")
    readonly_fields = ("size", "rd_ratio", "version")


@admin.register(ItemRule)
class ItemRuleAdmin(admin.ModelAdmin):
    list_display = ("item", "version", "updated_at")
    readonly_fields = ("description", "version")
    raw_id_fields = ("item",)


admin.site.register([GrantRound, GrantEntry, Objection, Payout, Notice])
