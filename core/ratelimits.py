"""Rate limits on the pages anyone can hammer: signing in, search,
consultation and the public certificate verification (issue 16).

django-ratelimit counts in Django's cache, per signed-in person or, for
anonymous visitors, per client address (the whole hall shares one address,
so staff are counted one by one). The rates are settings
(TONGBAN_RATE_LIMITS); with several app servers the cache must be shared
(see docs/deployment.md), else each server counts alone."""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.decorators import ratelimit

from .audit import client_ip

__all__ = ["limit", "ALL", "UNSAFE", "rate_limited"]
MESSAGE = "请求过于频繁，请稍候一分钟再试"


def _who(group, request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def limit(name, method=ALL):
    """Refuse (Ratelimited, shown as 429) past the rate named `name`."""
    return ratelimit(
        group=f"tongban.{name}", key=_who, method=method, rate=lambda group, request: settings.TONGBAN_RATE_LIMITS[name]
    )


def rate_limited(request, exception=None):
    """settings.RATELIMIT_VIEW: a Chinese page (the API answers in its own format)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from . import api_errors

        return JsonResponse(
            api_errors.body("rate_limited", MESSAGE), status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "429.html", {"message": MESSAGE}, status=429)
