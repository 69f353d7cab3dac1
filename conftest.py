"""Shared fixtures. Every database test starts with the reference data
(regions, departments, calendar, hall) and the demo accounts loaded."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made beside it in browser tests are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data and demo accounts once, when the test database
    is created (hashing the demo passwords alone takes seconds); every test
    still rolls back its own changes."""
    with django_db_blocker.unblock():
        _load()


def _load():
    from accounts.demo import load_demo
    from core.models import Region
    from core.reference import load_all

    if not Region.objects.exists():
        load_all()
    load_demo()


@pytest.fixture(scope="session")
def demo_year(django_db_setup, django_db_blocker):
    """The 2024 demo year of cases (~820,000 events), loaded once per session
    for the tests that ask for it; they run last (see below) so every other
    test still starts from an empty case log."""
    from cases.tests import demo_fixture

    with django_db_blocker.unblock():
        _load()  # a transactional test before may have emptied the database
        counts, state = demo_fixture.load()
    yield counts
    with django_db_blocker.unblock():
        demo_fixture.remove(state)


def pytest_collection_modifyitems(session, config, items):
    """Run the tests that need the demo year after all others, so it loads once."""
    items.sort(key=lambda item: "demo_year" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def reference_data(request):
    """Transactional tests (the browser's live server) empty the database
    after each test; put the reference data back for the next one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("live_server", "transactional_db")
    )
    if not marker and not transactional and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    _load()


@pytest.fixture
def demo_user(db):
    from accounts.models import User

    def get(username):
        return User.objects.select_related("department", "department__region").get(username=username)

    return get


@pytest.fixture
def signed_in(client, demo_user):
    """The test client signed in as the named demo user (no password hashing)."""

    def sign_in(username):
        client.force_login(demo_user(username))
        return client

    return sign_in


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in Django's cache (core.ratelimits); every
    test starts with none, as if a minute had passed since the last one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_search_index():
    """Each test's rows roll back (or are flushed) and the next test's may
    reuse their ids (SQLite), which the in-process policy-search index cannot
    tell from its own: every test starts with the index dropped, as a new
    process would."""
    from policies.search import ranker

    ranker.invalidate()
    yield
    ranker.invalidate()
