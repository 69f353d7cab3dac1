"""Stand-in for pages still being built, so templates can link to them."""
from django.http import HttpResponse


def pending(request, *args, **kwargs):
    return HttpResponse("建设中", status=501)
