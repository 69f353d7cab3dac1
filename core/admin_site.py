"""The Django admin, for system administrators only (issue 17: "The Django
admin is for system administrators only"). Everything a centre manager does
lives in the console; a signed-in person who is not a superuser is sent
there with a message instead of to the admin's own sign-in form."""

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect


class TongbanAdminSite(admin.AdminSite):
    site_header = "通办 · 基础数据管理"
    site_title = "通办管理"
    index_title = "基础数据（仅限系统管理员）"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            messages.warning(request, "基础数据管理（/admin/）仅供系统管理员使用，您的工作请在工作台中办理")
            return redirect("console:home" if getattr(request.user, "is_staff_user", False) else "portal:home")
        return super().login(request, extra_context)


class TongbanAdminConfig(AdminConfig):
    default_site = "core.admin_site.TongbanAdminSite"
