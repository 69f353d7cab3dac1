"""Fixtures for the catalog tests.

The reference data, demo accounts and the demo catalogue with its manuals are
loaded once, when the test database is created; every test still rolls back
its own changes.

Until accounts/policy.py grants the catalogue actions, the autouse fixture
below adds them to copies of ROLE_ACTIONS exactly as the catalogue issue
describes. Remove it once the real entries exist.
"""
import pytest

CATALOG_ACTIONS = {
    "clerk": {"catalog.view"},
    "reviewer": {"catalog.view", "manual.draft"},
    "dept_admin": {"catalog.view", "catalog.edit", "catalog.import", "manual.draft", "manual.confirm"},
    "centre_manager": {"catalog.view", "catalog.edit", "catalog.import", "manual.review"},
    "editor": {"catalog.view"},
    "sysadmin": {"catalog.view", "catalog.edit", "catalog.import"},
}
ACTION_NAMES = {
    "catalog.view": "查看事项目录", "catalog.edit": "维护事项目录", "catalog.import": "导入事项目录",
    "manual.draft": "梳理受理工作手册", "manual.review": "审核受理工作手册", "manual.confirm": "确认受理工作手册",
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from accounts.demo import load_demo
    from catalog.demo import load_demo_catalogue, load_demo_manuals
    from core.models import Region
    from core.reference import load_all
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            load_all()
        load_demo()
        load_demo_catalogue()
        load_demo_manuals()


@pytest.fixture(autouse=True)
def catalog_permissions(monkeypatch):
    from accounts import policy
    for role, actions in CATALOG_ACTIONS.items():
        current = policy.ROLE_ACTIONS.get(role, set())
        monkeypatch.setitem(policy.ROLE_ACTIONS, role, set(current) | actions)
    for action, name in ACTION_NAMES.items():
        monkeypatch.setitem(policy.ACTION_NAMES, action, policy.ACTION_NAMES.get(action, name))


@pytest.fixture
def user(db):
    from accounts.models import User
    return lambda username: User.objects.select_related("department", "department__region").get(username=username)


@pytest.fixture
def signed_in(client, user):
    def sign_in(username):
        client.force_login(user(username))
        return client
    return sign_in
