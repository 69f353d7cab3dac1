"""Fixtures for the catalog tests: the demo catalogue with its manuals is
loaded once, on top of the root conftest's reference data and accounts;
every test still rolls back its own changes."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from catalog.demo import load_demo_catalogue, load_demo_manuals

    with django_db_blocker.unblock():
        load_demo_catalogue()
        load_demo_manuals()


@pytest.fixture
def user(demo_user):
    return demo_user
