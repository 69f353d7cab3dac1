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
