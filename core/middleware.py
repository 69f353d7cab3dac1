from . import audit


class AuditContextMiddleware:
    """Makes the request's user and address the actor of any change it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.request_context(request):
            return self.get_response(request)
