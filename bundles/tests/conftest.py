"""The demo catalogue and the demo bundles, loaded once for the bundles tests
and removed again after them (package scope), so the tests of other apps that
run later in the same session find the database as they expect (no catalogue
they did not load, no problems handled in the bulletin's demo week).
Every test still rolls back its own changes."""

import pytest


@pytest.fixture(scope="package", autouse=True)
def bundles_demo_data(django_db_setup, django_db_blocker):
    from django.test import override_settings

    # The demo reviewers' passwords are not what these tests look at: a fast hasher spares seconds.
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=[
                "django.contrib.auth.hashers.MD5PasswordHasher",
                "django.contrib.auth.hashers.Argon2PasswordHasher",
            ]
        ),
    ):
        added = load()
    yield
    with django_db_blocker.unblock():
        remove(added)


def load():
    """Returns what was there before, so that only what the demo added is removed."""
    from accounts.models import User
    from bundles.demo import load_demo
    from catalog.demo import load_demo_catalogue
    from catalog.models import Matter

    before = (set(Matter.objects.values_list("pk", flat=True)), set(User.objects.values_list("pk", flat=True)))
    load_demo_catalogue()
    load_demo()
    return before


def remove(before):
    from accounts.models import User
    from bundles.models import (
        Application,
        ApplicationChild,
        ApplicationMaterial,
        Bundle,
        BundleItem,
        BundleStep,
        BundleVersion,
        Deferral,
        Problem,
        ProblemChange,
    )
    from catalog.models import Matter

    for model in (
        ProblemChange,
        Problem,
        ApplicationMaterial.children.through,
        ApplicationMaterial,
        Deferral,
        ApplicationChild,
        Application,
        BundleItem,
        BundleStep,
        BundleVersion,
        Bundle.cooperating.through,
        Bundle,
    ):
        model.objects.all()._raw_delete(model.objects.db)
    matters, users = before
    Matter.objects.exclude(pk__in=matters).delete()
    User.objects.exclude(pk__in=users).delete()


@pytest.fixture
def bundles_demo(db):
    """Put the demo back when a transactional test before emptied the database."""
    from bundles.models import Bundle

    if not Bundle.objects.exists():
        load()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded materials go to the test's own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path
