"""core.locking: two people on one record, one wins and the other is told.
A key work of the hall (it carries a `version`) stands in for any record."""

import threading

import pytest
from django.db import connection, connections, transaction

from core import locking
from core.errors import Conflict
from hall.models import KeyWork

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_work():
    return KeyWork.objects.create(name="营商环境评价", version=3)


def test_the_version_read_passes_as_number_or_text(key_work):
    assert locking.check_version(key_work, 3) is key_work
    assert locking.check_version(key_work, "3") is key_work  # a form's hidden field, an If-Match header
    assert locking.check_version(key_work, None) is key_work  # not given: not checked


def test_a_stale_version_is_told_in_words_and_beside_the_field(key_work):
    with pytest.raises(Conflict) as refused:
        locking.check_version(key_work, 2, lambda k: f"“{k.name}”已被他人修改", field="version")
    assert refused.value.message == "“营商环境评价”已被他人修改"
    assert refused.value.errors == {"version": ["记录已被他人修改"]}
    assert refused.value.status == 409
    with pytest.raises(Conflict):
        locking.check_version(key_work, "第三版")
    with pytest.raises(Conflict):
        locking.check_version(key_work, None, required=True)


def test_lock_reads_the_row_fresh(key_work):
    KeyWork.objects.filter(pk=key_work.pk).update(version=4)  # someone saved meanwhile
    with transaction.atomic():
        assert locking.lock(KeyWork, key_work.pk, 4).version == 4
        with pytest.raises(Conflict, match="已被他人修改"):
            locking.lock(KeyWork.objects.all(), key_work.pk, 3)


def test_bump_saves_the_next_version_and_refuses_a_writer_who_read_before_another(key_work):
    mine = KeyWork.objects.get(pk=key_work.pk)
    theirs = KeyWork.objects.get(pk=key_work.pk)
    theirs.name = "营商环境评价（省级）"
    locking.bump(theirs, "name")
    mine.name = "营商环境评价（市级）"
    with pytest.raises(Conflict):
        locking.bump(mine, "name", message="已被他人修改")
    key_work.refresh_from_db()
    assert (key_work.name, key_work.version) == ("营商环境评价（省级）", 4)


def test_compare_and_set_is_one_update(key_work):
    locking.compare_and_set(key_work, 3, order=7)
    key_work.refresh_from_db()
    assert (key_work.order, key_work.version) == (7, 4)
    with pytest.raises(Conflict):
        locking.compare_and_set(key_work, 3, order=8)
    key_work.refresh_from_db()
    assert key_work.order == 7


def _race(work):
    """Run work(who, barrier) in two threads, each with its own connection, released together."""
    barrier, outcomes = threading.Barrier(2), []

    def run(who):
        try:
            barrier.wait()
            with transaction.atomic():
                work(who, barrier)
            outcomes.append("saved")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(who,)) for who in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database is not shared")
@pytest.mark.django_db(transaction=True)
def test_two_connections_save_the_same_version_at_once_one_wins():
    key_work = KeyWork.objects.create(name="一件事", version=1)

    def save(who, barrier):
        mine = KeyWork.objects.get(pk=key_work.pk)
        barrier.wait()  # both have read version 1, without a lock
        mine.name = f"一件事（{who}）"
        locking.bump(mine, "name", message="已被他人修改，请刷新后再改")

    outcomes = _race(save)
    assert sorted(outcomes) == ["saved", "已被他人修改，请刷新后再改"]
    assert KeyWork.objects.get(pk=key_work.pk).version == 2


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database is not shared")
@pytest.mark.django_db(transaction=True)
def test_two_connections_lock_the_same_version_at_once_one_wins():
    key_work = KeyWork.objects.create(name="一件事", version=1)

    def save(who, barrier):
        mine = locking.lock(KeyWork, key_work.pk, 1, "已被他人修改")  # the second waits, then reads version 2
        mine.name = f"一件事（{who}）"
        locking.bump(mine, "name")

    outcomes = _race(save)
    assert sorted(outcomes) == ["saved", "已被他人修改"]
    assert KeyWork.objects.get(pk=key_work.pk).version == 2
