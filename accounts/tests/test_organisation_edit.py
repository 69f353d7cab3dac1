"""Editing an organisation in the console: the first save wins, a late or
invalid save changes nothing and says so in Chinese."""

import re

import pytest
from django.test import Client

from accounts.models import Organisation

from .test_validation import with_wrong_check_digit

pytestmark = pytest.mark.django_db
CONFLICT = "该记录已被他人修改，请刷新页面查看最新内容后再编辑"


def _open_edit_form(client, org):
    response = client.get(f"/console/organisations/{org.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    values = dict(re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', html))
    region = re.search(r'<option value="(\d{6})" selected>', html).group(1)
    return {
        "uscc": values["uscc"],
        "name": values["name"],
        "region": region,
        "legal_representative": values.get("legal_representative", ""),
        "address": values.get("address", ""),
        "version": values["version"],
    }


def _client_for(user_named, username):
    client = Client()
    client.force_login(user_named(username))
    return client


def test_first_save_wins_and_second_editor_is_told(user_named, org_in):
    org = org_in("510104")
    manager, admin = _client_for(user_named, "manager"), _client_for(user_named, "admin")
    manager_form, admin_form = _open_edit_form(manager, org), _open_edit_form(admin, org)
    assert manager_form == admin_form  # both see the same record and version

    first = manager.post(
        f"/console/organisations/{org.pk}/edit/",
        {**manager_form, "name": "成都锦程数字科技股份有限公司", "address": "锦江区红星路一段1号"},
    )
    assert first.status_code == 302

    second = admin.post(f"/console/organisations/{org.pk}/edit/", {**admin_form, "legal_representative": "王五"})
    assert second.status_code == 200
    assert CONFLICT in second.content.decode()

    org.refresh_from_db()
    assert org.name == "成都锦程数字科技股份有限公司"
    assert org.address == "锦江区红星路一段1号"
    assert org.legal_representative == "陈刚"  # the late edit did not land

    # After reloading, the second editor can save on top of the first edit.
    fresh = _open_edit_form(admin, org)
    assert fresh["name"] == "成都锦程数字科技股份有限公司"
    assert (
        admin.post(f"/console/organisations/{org.pk}/edit/", {**fresh, "legal_representative": "王五"}).status_code
        == 302
    )
    org.refresh_from_db()
    assert (org.name, org.legal_representative) == ("成都锦程数字科技股份有限公司", "王五")


def test_post_without_version_does_not_overwrite(user_named, org_in):
    org = org_in("510105")
    manager = _client_for(user_named, "manager")
    form = _open_edit_form(manager, org)
    del form["version"]
    response = manager.post(f"/console/organisations/{org.pk}/edit/", {**form, "name": "改名"})
    assert CONFLICT in response.content.decode()
    org.refresh_from_db()
    assert org.name == "成都青羊文旅发展有限公司"


def test_refused_edit_changes_nothing(user_named, org_in):
    org = org_in("510411")
    before = Organisation.objects.filter(pk=org.pk).values().get()
    manager = _client_for(user_named, "manager")
    form = _open_edit_form(manager, org)
    response = manager.post(
        f"/console/organisations/{org.pk}/edit/",
        {**form, "uscc": with_wrong_check_digit(org.uscc), "name": "不应保存的名称"},
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验码不正确（GB 32100）" in response.content.decode()
    assert Organisation.objects.filter(pk=org.pk).values().get() == before
    # Nor does taking another organisation's credit code.
    response = manager.post(
        f"/console/organisations/{org.pk}/edit/", {**form, "uscc": org_in("510703").uscc, "name": "不应保存的名称"}
    )
    assert "统一社会信用代码已登记" in response.content.decode()
    assert Organisation.objects.filter(pk=org.pk).values().get() == before


def test_edit_to_province_level_region_is_refused(user_named, org_in):
    org = org_in("510703")
    admin = _client_for(user_named, "admin")
    form = _open_edit_form(admin, org)
    response = admin.post(f"/console/organisations/{org.pk}/edit/", {**form, "region": "510000"})
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.region_id == "510703"
