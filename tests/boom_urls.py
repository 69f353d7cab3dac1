"""The platform's URLs plus routes that fail on purpose (tests/test_error_pages.py)."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseBadRequest
from django.urls import path

from tongban.urls import handler400, handler403, handler404, handler500  # noqa: F401
from tongban.urls import urlpatterns as platform


def boom(request):
    raise RuntimeError("secret internals: /srv/tongban/settings.py")


def suspicious(request):
    raise SuspiciousOperation("bad host")


def english(request):
    return HttpResponseBadRequest("<html><body><h1>Bad things</h1></body></html>")


urlpatterns = [path("boom/", boom), path("suspicious/", suspicious), path("english/", english), *platform]
