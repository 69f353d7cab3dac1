"""Demo data is an explicit opt-in and never enters a database that holds
real records (issue 16: ~800,000 invented events in the real bulletin).

These tests want the test database as a fresh deployment has it: they run
with core's tests, before catalog's tests load the demo catalogue for the
rest of the session (catalog/tests/conftest.py)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation, Person, User
from catalog.models import Matter
from tongban.management.commands.setup_demo import real_records

pytestmark = pytest.mark.django_db


def test_the_demo_must_be_asked_for():
    with pytest.raises(CommandError, match="--demo"):
        call_command("setup_demo")
    assert not Matter.objects.exists()


def test_a_database_with_real_people_is_refused(demo_user):
    User.objects.create(username="zhangsan", name="张三", kind=User.Kind.STAFF)
    with pytest.raises(CommandError, match="真实数据.*zhangsan"):
        call_command("setup_demo", "--demo")
    assert not Matter.objects.exists()  # nothing loaded


def _empty():
    Organisation.objects.all().delete()
    Person.objects.all().delete()
    User.objects.all().delete()


def test_real_records_without_any_account_are_refused():
    _empty()
    Organisation.objects.create(uscc="91510100MA61234567", name="成都某某科技有限公司", region_id="510104")
    assert real_records() == ["1 条法人及其他组织"]
    with pytest.raises(CommandError, match="拒绝载入"):
        call_command("setup_demo", "--demo")


def test_a_fresh_or_demo_only_database_may_load_the_demo():
    assert real_records() == []  # the test database holds the demo accounts only
    _empty()
    assert real_records() == []
