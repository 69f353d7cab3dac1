"""Fixtures for the accounts tests."""

import pytest

DEMO_PASSWORD = "Tongban@2024"

# Region of each demo organisation (one organisation per region).
ORG_REGIONS = ["510104", "510105", "510411", "510703", "511304"]


def make_city_reviewer(username="reviewer_chengdu", city="510100"):
    """A reviewer in a city's natural resources bureau (none in the demo data)."""
    from accounts.models import Role, User
    from core.models import Department

    return User.objects.create(
        username=username,
        name="成都市审批员",
        kind=User.Kind.STAFF,
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id=city),
    )


@pytest.fixture
def user_named(db):
    """The demo user of that name; `reviewer_chengdu` is made on demand."""
    from accounts.models import User

    def get(username):
        if username == "reviewer_chengdu":
            return User.objects.filter(username=username).first() or make_city_reviewer()
        return User.objects.select_related("department", "department__region").get(username=username)

    return get


@pytest.fixture
def org_in(db):
    """The demo organisation registered in a region."""
    from accounts.models import Organisation

    return lambda region: Organisation.objects.get(region_id=region)


@pytest.fixture
def signed_in(client, user_named):
    """A test client signed in as the named user (no password hashing)."""

    def sign_in(username):
        client.force_login(user_named(username))
        return client

    return sign_in
