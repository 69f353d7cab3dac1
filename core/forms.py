from core.errors import ServiceError


def show_service_error(form, exc: ServiceError):
    """Put a refused request's messages on the form it came from."""
    placed = False
    for field, messages in exc.errors.items():
        for message in messages:
            if field in form.fields:
                form.add_error(field, message)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def posted_version(request, *names):
    """The record version a form was built on (the first of `names` posted,
    default "version"). Anything unreadable counts as stale, so the service
    answers with its Conflict message instead of the page failing."""
    for name in names or ("version",):
        value = request.POST.get(name)
        if value:
            try:
                return int(value)
            except ValueError:
                return -1
    return -1
