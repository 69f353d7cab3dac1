"""Shared fixtures. Every database test starts with the reference data
(regions, departments, calendar, hall) and the demo accounts loaded."""
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made beside it in browser tests are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("live_server", "transactional_db"))
    if not marker and not transactional and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from accounts.demo import load_demo
    from core.models import Region
    from core.reference import load_all
    if not Region.objects.exists():
        load_all()
    load_demo()


@pytest.fixture
def demo_user(db):
    from accounts.models import User

    def get(username):
        return User.objects.select_related("department", "department__region").get(username=username)
    return get
