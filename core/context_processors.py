from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": "四川政务服务 · 通办",
        "CENTRE_NAME": "四川省政府政务服务和公共资源交易服务中心",
        "is_staff_user": bool(user and user.is_authenticated and getattr(user, "kind", "") == "staff"),
        "DEBUG": settings.DEBUG,
        # 大字版 / 高对比度, chosen on any page (tongban.portal.display).
        "DISPLAY_CLASSES": " ".join(
            f"display-{mode}"
            for mode in sorted(set(request.COOKIES.get("tb_display", "").split()) & {"large", "contrast"})
        ),
    }
