"""The audit log: who changed what, from where, before and after; and the
hash chain that shows when a stored entry was edited or removed."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.demo import DEMO_PASSWORD, make_resident_id
from accounts.models import Organisation, Person, User
from core import audit
from core.models import AuditChainHead, AuditEntry, CalendarDay, CalendarYear
from core.personal import matching

pytestmark = pytest.mark.django_db

NEW_ID = make_resident_id("510104", "19900101", "123")


def _entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("seq"))


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", connection.ops.quote_name(AuditEntry._meta.db_table)), params)


def _make_chain(user, n=3):
    """A few real entries, made the way a console user makes them."""
    with audit.acting_as(user, "10.0.0.9"):
        for i in range(n):
            Person.objects.create(name=f"链测{i}", resident_id=make_resident_id("510104", "19800101", f"{i:03d}"))
    return _entries()


# --- who, where, what, before and after ------------------------------------


def test_clerk_registering_a_person_is_logged_with_actor_ip_and_after(client, demo_user):
    clerk = demo_user("clerk")
    client.force_login(clerk)

    response = client.post(
        "/console/persons/new/", {"name": "林小雨", "resident_id": NEW_ID}, REMOTE_ADDR="10.20.30.40"
    )

    assert response.status_code == 302
    person = Person.objects.get(matching("resident_id", NEW_ID))
    [entry] = _entries(object_type="accounts.Person")
    assert entry.action == "create"
    assert entry.actor_id == clerk.pk
    assert entry.actor_label == "王晓燕（clerk）"
    assert entry.ip == "10.20.30.40"
    assert entry.object_id == str(person.pk)
    assert entry.object_repr == str(person)
    assert entry.before is None
    assert entry.after["name"] == "林小雨"
    # Personal data enters the log masked, with a fingerprint that shows a change (core.audit._personal).
    assert entry.after["resident_id"].startswith(f"{NEW_ID[:6]}********{NEW_ID[-4:]} #")
    assert NEW_ID not in str(entry.after) and "resident_id_hash" not in entry.after


def test_sysadmin_adding_a_calendar_day_is_logged(client, demo_user):
    admin = demo_user("admin")
    client.force_login(admin)

    client.post(
        "/console/calendar/2026/",
        {"date": "2026-03-02", "kind": "holiday", "name": "测试假日"},
        REMOTE_ADDR="192.0.2.7",
    )

    [entry] = _entries(object_type="core.CalendarDay")
    assert (entry.action, entry.actor_id, entry.ip, entry.object_id) == ("create", admin.pk, "192.0.2.7", "2026-03-02")
    assert entry.before is None
    assert entry.after == {"date": "2026-03-02", "kind": "holiday", "name": "测试假日"}


def test_an_edit_records_before_and_after(client, demo_user):
    manager = demo_user("manager")
    org = Organisation.objects.get(name="成都青羊文旅发展有限公司")
    client.force_login(manager)
    url = f"/console/organisations/{org.pk}/edit/"
    # The form carries the version of the record the editor saw, as a browser would send it.
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["address"] = "成都市青羊区人民中路一段1号"

    response = client.post(url, {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR="10.1.1.1")

    assert response.status_code == 302
    [entry] = _entries(object_type="accounts.Organisation")
    assert entry.action == "update"
    assert entry.actor_id == manager.pk
    assert entry.before["address"] == "成都市青羊区西御街18号"
    assert entry.after["address"] == "成都市青羊区人民中路一段1号"
    assert entry.before["name"] == entry.after["name"] == org.name


def test_removing_a_calendar_day_records_what_was_removed(client, demo_user):
    client.force_login(demo_user("admin"))
    client.post("/console/calendar/2025/", {"date": "2025-10-01", "remove": "1"})

    [entry] = _entries(object_type="core.CalendarDay")
    assert entry.action == "delete"
    assert entry.before == {"date": "2025-10-01", "kind": "holiday", "name": "国庆节"}
    assert not CalendarDay.objects.filter(date="2025-10-01").exists()


def test_password_hashes_never_reach_the_log(client, demo_user):
    admin = demo_user("admin")
    client.force_login(admin)
    client.post(
        "/console/staff/new/",
        {
            "username": "newclerk",
            "name": "钱多多",
            "role": "clerk",
            "department": admin.department_id,
            "password": "Window#Clerk2024",
        },
    )
    new_user = User.objects.get(username="newclerk")
    with audit.acting_as(admin):
        new_user.set_password("Reset#Again2025")
        new_user.save()

    created, changed = _entries(object_type="accounts.User", object_id=str(new_user.pk))
    assert created.after["password"] == "******"
    # A password reset is still visible as a change, without the hash.
    assert changed.action == "update"
    assert changed.before["password"] == "******"
    assert changed.after["password"] == "******（已更改）"
    for entry in AuditEntry.objects.all():
        text = f"{entry.before} {entry.after}"
        assert "argon2" not in text and "pbkdf2" not in text
        assert new_user.password not in text


def test_changes_with_nobody_acting_record_nothing(demo_user):
    # The reference data and demo accounts were seeded with nobody acting.
    assert AuditEntry.objects.count() == 0
    CalendarYear.objects.create(year=2030, source="测试")
    CalendarDay.objects.create(date="2030-01-01", kind="holiday", name="元旦")
    Person.objects.create(name="无人操作", resident_id=NEW_ID)
    assert AuditEntry.objects.count() == 0


def test_an_anonymous_request_records_nothing(client):
    client.get("/console/")
    client.get("/api/v1/regions")
    assert AuditEntry.objects.count() == 0


def test_login_is_logged_with_address(client):
    assert (
        client.post(
            "/accounts/login/", {"username": "manager", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.8.7"
        ).status_code
        == 302
    )
    [entry] = _entries(action="login")
    assert entry.actor_label == "吴丽娟（manager）"
    assert entry.ip == "10.9.8.7"


def test_entries_use_sm3(demo_user):
    entries = _make_chain(demo_user("clerk"), n=2)
    assert audit.hash_algorithm() == "sm3"
    assert {e.algorithm for e in entries} == {"sm3"}
    assert all(len(e.hash) == 64 for e in entries)


# --- the chain ---------------------------------------------------------------


def test_a_fresh_chain_verifies(demo_user):
    entries = _make_chain(demo_user("clerk"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == 3
    assert "审计链完整" in report.message()


def test_an_empty_chain_verifies():
    assert audit.verify_chain().ok


def test_raw_sql_edit_is_detected_and_named(demo_user):
    entries = _make_chain(demo_user("clerk"))
    _raw("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["篡改", entries[1].seq])

    report = audit.verify_chain()
    assert not report.ok
    assert report.broken.seq == 2
    assert report.checked == 1
    assert "第 2 条" in report.message()
    assert "被改动" in report.message()
    with pytest.raises(CommandError, match="第 2 条"):
        call_command("verify_audit")


def test_raw_sql_edit_of_before_after_is_detected(demo_user):
    entries = _make_chain(demo_user("clerk"))
    _raw("UPDATE {table} SET after = %s WHERE seq = %s", ['{"name": "别人"}', entries[2].seq])
    report = audit.verify_chain()
    assert report.broken.seq == 3


def test_raw_sql_delete_in_the_middle_is_detected(demo_user):
    _make_chain(demo_user("clerk"), n=4)
    _raw("DELETE FROM {table} WHERE seq = %s", [2])

    report = audit.verify_chain()
    assert not report.ok
    assert report.broken.seq == 3
    assert "删除" in report.message()
    with pytest.raises(CommandError, match="删除"):
        call_command("verify_audit")


def test_raw_sql_delete_of_the_last_entry_is_detected(demo_user):
    _make_chain(demo_user("clerk"), n=3)
    _raw("DELETE FROM {table} WHERE seq = %s", [3])

    report = audit.verify_chain()
    assert not report.ok
    assert "末尾记录被删除" in report.message()


def test_verify_audit_command_reports_an_intact_chain(demo_user, capsys):
    _make_chain(demo_user("clerk"), n=2)
    call_command("verify_audit")
    assert "审计链完整：共校验 2 条记录" in capsys.readouterr().out


def test_entries_cannot_be_changed_or_deleted_through_the_orm(demo_user):
    [entry] = _make_chain(demo_user("clerk"), n=1)
    entry.object_repr = "改过"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "改过"
    assert audit.verify_chain().ok


def test_deleting_a_user_keeps_their_entries_verifiable(demo_user):
    """Regression: the actor link was SET_NULL, so deleting a user rewrote
    their entries and the chain then reported them as tampered with."""
    editor, admin = demo_user("editor"), demo_user("admin")
    editor_id = editor.pk
    with audit.acting_as(editor, "10.0.0.1"):
        editor.phone = "13800000000"
        editor.save()
    with audit.acting_as(admin, "10.0.0.2"):
        editor.delete()

    first = AuditEntry.objects.get(seq=1)
    assert first.actor_id == editor_id  # still names who did it
    assert first.actor_label == "孙文静（editor）"
    assert AuditEntry.objects.get(seq=2).action == "delete"
    assert audit.verify_chain().ok


def test_chain_head_follows_the_last_entry(demo_user):
    entries = _make_chain(demo_user("clerk"), n=2)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)


# --- the console page --------------------------------------------------------


@pytest.mark.parametrize("username", ["manager", "admin"])
def test_audit_page_is_visible_to_manager_and_admin(client, demo_user, username):
    _make_chain(demo_user("clerk"), n=1)
    client.force_login(demo_user(username))
    response = client.get("/console/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "审计日志" in page
    assert "王晓燕（clerk）" in page
    assert "10.0.0.9" in page


@pytest.mark.parametrize("username", ["clerk", "reviewer", "citizen"])
def test_audit_page_is_forbidden_to_others(client, demo_user, username):
    client.force_login(demo_user(username))
    assert client.get("/console/audit/").status_code == 403


def test_only_admin_sees_and_may_use_the_verify_button(client, demo_user):
    client.force_login(demo_user("manager"))
    assert "校验审计链" not in client.get("/console/audit/").content.decode()
    assert client.post("/console/audit/verify/").status_code == 403

    client.force_login(demo_user("admin"))
    assert "校验审计链" in client.get("/console/audit/").content.decode()


def test_audit_page_filters_by_object_type(client, demo_user):
    _make_chain(demo_user("clerk"), n=1)
    client.force_login(demo_user("admin"))
    client.post("/console/calendar/2026/", {"date": "2026-03-02", "kind": "holiday", "name": "测试假日"})

    page = client.get("/console/audit/", {"type": "core.CalendarDay"}).content.decode()
    assert "测试假日" in page
    assert "链测0" not in page


def test_verify_status_of_an_unknown_task_is_404(client, demo_user):
    client.force_login(demo_user("admin"))
    assert client.get("/console/audit/verify/nonsense/").status_code == 404
    assert client.get("/console/audit/verify/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_verify_button_queues_a_task_whose_result_shows_the_chain_is_intact(client, demo_user):
    """The button queues a django-tasks task; a worker runs it; the status page shows the result."""
    from django_tasks_db.models import DBTaskResult

    _make_chain(demo_user("clerk"), n=2)
    client.force_login(demo_user("admin"))

    queued = client.post("/console/audit/verify/")
    assert queued.status_code == 200
    assert "校验任务已排队" in queued.content.decode()
    task = DBTaskResult.objects.get()
    assert task.status == "READY"

    call_command("db_worker", batch=True, startup_delay=False, reload=False)

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    done = client.get(f"/console/audit/verify/{task.id}/").content.decode()
    assert "审计链完整" in done
    assert 'class="badge ok"' in done

    # Tamper with the log; the next run says where it broke.
    _raw("UPDATE {table} SET ip = %s WHERE seq = %s", ["6.6.6.6", 1])
    client.post("/console/audit/verify/")
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    second = DBTaskResult.objects.exclude(pk=task.pk).get()
    broken = client.get(f"/console/audit/verify/{second.id}/").content.decode()
    assert "审计链在第 1 条" in broken
    assert 'class="badge bad"' in broken
