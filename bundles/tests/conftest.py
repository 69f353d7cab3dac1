"""The demo catalogue and the demo bundles, loaded once on top of the root
conftest's reference data and accounts; every test rolls back its own changes."""
import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load()


def load():
    from bundles.demo import load_demo
    from catalog.demo import load_demo_catalogue
    load_demo_catalogue()
    load_demo()


@pytest.fixture
def bundles_demo(db):
    """Put the demo back when a transactional test before emptied the database."""
    from bundles.models import Bundle
    if not Bundle.objects.exists():
        load()
