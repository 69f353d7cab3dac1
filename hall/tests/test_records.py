"""The centre's records in the console (issue 22): departments and windows,
kept by the centre's managers and system administrators instead of the
Django admin; every other role is refused in Chinese."""

import pytest

from accounts.models import User
from core.models import AuditEntry, Department
from hall.models import Window

PAGES = [
    "/console/hall/departments/",
    "/console/hall/departments/new/",
    "/console/hall/windows/",
    "/console/hall/windows/new/",
]


@pytest.mark.parametrize("username", ["manager", "admin"])
def test_the_centre_opens_every_page(signed_in, username):
    client = signed_in(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get("/console/").content.decode()
    assert "/console/hall/departments/" in home and "/console/hall/windows/" in home


@pytest.mark.parametrize("username", ["clerk", "reviewer", "deptadmin", "editor", "citizen"])
def test_other_roles_are_refused_in_chinese(signed_in, username):
    client = signed_in(username)
    for url in PAGES + [f"/console/hall/windows/{Window.objects.first().pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "无权" in response.content.decode()
    assert "/console/hall/windows/" not in client.get("/console/").content.decode()


def test_signed_out_is_sent_to_sign_in(client, db):
    response = client.get("/console/hall/departments/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_sorts_filters_and_exports(signed_in):
    client = signed_in("manager")
    html = client.get("/console/hall/departments/?q=natural_resources&region=5101&sort=-region").content.decode()
    assert "成都市规划和自然资源局" in html or "自然资源" in html
    assert "绵阳" not in html
    export = client.get("/console/hall/departments/?q=natural_resources&region=5101&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    windows = client.get("/console/hall/windows/?kind=dedicated").content.decode()
    assert "B01" in windows and "A01" not in windows


def _new_department(client, **overrides):
    data = {"name": "四川省测试管理局", "short_name": "测试局", "function": "testing", "region": "510000", "parent": ""}
    data.update(overrides)
    return client.post("/console/hall/departments/new/", data)


def test_a_manager_creates_and_edits_a_department_audited(signed_in):
    client = signed_in("manager")
    response = _new_department(client)
    assert response.status_code == 302
    dept = Department.objects.get(function="testing")
    assert dept.level == "province" and dept.region_id == "510000" and dept.active
    city = client.post(
        "/console/hall/departments/new/",
        {"name": "成都市测试管理局", "function": "testing", "region": "510100", "parent": dept.pk},
    )
    assert city.status_code == 302
    child = Department.objects.get(function="testing", region_id="510100")
    assert child.parent == dept and child.level == "city"
    page = client.post(
        f"/console/hall/departments/{child.pk}/",
        {
            "action": "save",
            "name": "成都市测试局",
            "function": "testing",
            "region": "510100",
            "parent": dept.pk,
            "version": 0,
        },
    )
    assert page.status_code == 302
    child.refresh_from_db()
    assert child.name == "成都市测试局" and child.version == 1
    entry = AuditEntry.objects.filter(object_type="core.Department", object_id=str(child.pk), action="update").get()
    assert entry.before["name"] == "成都市测试管理局" and entry.after["name"] == "成都市测试局"
    assert "王" in entry.actor_label or "manager" in entry.actor_label


@pytest.mark.parametrize(
    "overrides, field_text",
    [
        ({"name": ""}, "部门名称为必填项"),
        ({"region": "51A000"}, "不是6位数字的行政区划代码"),
        ({"region": "110000"}, "不在四川省现行行政区划代码表"),
        ({"region": ""}, "所在区划为必填项"),
        ({"function": "Natural Resources"}, "职能标识只能由小写字母"),
        ({"function": "natural_resources"}, "同一区划每种职能只设一个部门"),
        ({"name": "长" * 81}, "部门名称不能超过80个字"),
        ({"uscc": "12345"}, "统一社会信用代码"),
    ],
)
def test_bad_department_input_is_refused_naming_the_field(signed_in, overrides, field_text):
    before = Department.objects.count()
    response = _new_department(signed_in("manager"), **overrides)
    html = response.content.decode()
    assert response.status_code == 200 and field_text in html
    assert Department.objects.count() == before


def test_a_parent_must_lie_above(signed_in):
    client = signed_in("manager")
    county = Department.objects.filter(region_id="510104").first()
    chengdu = Department.objects.get(function="natural_resources", region_id="510100")
    mianyang = Department.objects.get(function="natural_resources", region_id="510700")
    html = _new_department(client, region="510104", parent=mianyang.pk).content.decode()
    assert "上级部门" in html and "上级区划" in html
    assert not Department.objects.filter(function="testing").exists()
    assert county is not None and _new_department(client, region="510104", parent=chengdu.pk).status_code == 302


def test_two_managers_on_one_department_one_wins_the_other_is_told(signed_in, client, demo_user):
    dept = Department.objects.get(function="natural_resources", region_id="510100")
    form = {"action": "save", "function": "natural_resources", "region": "510100", "version": dept.version}
    first = signed_in("manager").post(
        f"/console/hall/departments/{dept.pk}/", form | {"name": "成都市规划和自然资源局"}
    )
    assert first.status_code == 302
    client.force_login(demo_user("admin"))
    second = client.post(f"/console/hall/departments/{dept.pk}/", form | {"name": "成都市自然资源局（改）"})
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    dept.refresh_from_db()
    assert dept.name == "成都市规划和自然资源局"


def test_a_referenced_department_is_stopped_not_deleted(signed_in):
    client = signed_in("manager")
    dept = Department.objects.get(function="natural_resources", region_id="510000")  # staff and a window name it
    response = client.post(f"/console/hall/departments/{dept.pk}/", {"action": "delete", "version": dept.version})
    assert response.status_code == 302
    dept.refresh_from_db()
    assert not dept.active
    page = client.get(f"/console/hall/departments/{dept.pk}/").content.decode()
    assert "不能删除，已改为停用" in page and "工作人员" in page
    # A stopped department is no longer offered for a new window.
    assert f'value="{dept.pk}"' not in client.get("/console/hall/windows/new/").content.decode()
    _new_department(client)
    unused = Department.objects.get(function="testing")
    client.post(f"/console/hall/departments/{unused.pk}/", {"action": "delete", "version": unused.version})
    assert not Department.objects.filter(pk=unused.pk).exists()


def test_a_city_manager_reaches_only_the_city(db, client):
    manager = User.objects.create(
        username="manager_cd",
        name="成都中心管理员",
        kind=User.Kind.STAFF,
        role="centre_manager",
        department=Department.objects.get(function="service_centre", region_id="510100"),
    )
    client.force_login(manager)
    html = client.get("/console/hall/departments/?per_page=100").content.decode()
    assert "绵阳" not in html
    mianyang = Department.objects.get(function="natural_resources", region_id="510700")
    assert client.get(f"/console/hall/departments/{mianyang.pk}/").status_code == 404
    response = _new_department(client, region="510700")
    assert "不在您的管理范围内" in response.content.decode()


def test_a_manager_assigns_a_dedicated_window_and_its_clerk(signed_in):
    client = signed_in("manager")
    clerk = User.objects.get(username="clerk")
    dept = Department.objects.get(function="natural_resources", region_id="510000")
    response = client.post(
        "/console/hall/windows/new/",
        {"number": "B20", "name": "自然资源专窗二", "kind": "dedicated", "department": dept.pk, "staff": [clerk.pk]},
    )
    assert response.status_code == 302
    window = Window.objects.get(number="B20")
    assert window.department == dept and list(window.staff.all()) == [clerk]
    entry = AuditEntry.objects.filter(object_type="hall.Window", object_id=str(window.pk), after__has_key="staff")
    assert entry.get().after["staff"] == ["王晓燕（clerk）"] or clerk.name in entry.get().after["staff"][0]
    html = client.get("/console/hall/windows/?staff=clerk").content.decode()
    assert "B20" in html and "A01" not in html
    # Stopped, not deleted; the staff taken off is recorded too.
    edit = client.post(
        f"/console/hall/windows/{window.pk}/",
        {"number": "B20", "name": "自然资源专窗二", "kind": "dedicated", "department": dept.pk, "version": 0},
    )
    assert edit.status_code == 302
    window.refresh_from_db()
    assert not window.active and not window.staff.exists() and window.version == 1


@pytest.mark.parametrize(
    "data, text",
    [
        ({"number": "A01", "name": "重复", "kind": "comprehensive"}, "同一大厅窗口号不能重复"),
        ({"number": "<b>", "name": "x", "kind": "comprehensive"}, "窗口号只能由数字、字母和短横线组成"),
        ({"number": "B30", "name": "", "kind": "comprehensive"}, "窗口名称为必填项"),
        ({"number": "B30", "name": "专窗", "kind": "dedicated"}, "专窗须指定进驻部门"),
        ({"number": "B30", "name": "专窗", "kind": ""}, "类型须为综合窗口、专窗或统一出件窗口"),
    ],
)
def test_bad_window_input_is_refused_naming_the_field(signed_in, data, text):
    before = Window.objects.count()
    response = signed_in("manager").post("/console/hall/windows/new/", data)
    assert response.status_code == 200 and text in response.content.decode()
    assert Window.objects.count() == before


def test_only_clerks_work_a_window(signed_in):
    reviewer = User.objects.get(username="reviewer")
    response = signed_in("manager").post(
        "/console/hall/windows/new/",
        {"number": "A30", "name": "综合窗口30", "kind": "comprehensive", "staff": [reviewer.pk]},
    )
    assert response.status_code == 200
    assert "窗口人员" in response.content.decode() and not Window.objects.filter(number="A30").exists()


def test_two_managers_on_one_window_one_wins(signed_in, client, demo_user):
    window = Window.objects.get(number="A02")
    data = {"number": "A02", "kind": "comprehensive", "active": "on", "version": window.version}
    assert (
        signed_in("manager")
        .post(f"/console/hall/windows/{window.pk}/", data | {"name": "综合窗口02（老年人优先）"})
        .status_code
        == 302
    )
    client.force_login(demo_user("admin"))
    second = client.post(f"/console/hall/windows/{window.pk}/", data | {"name": "综合窗口02（改）"})
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    window.refresh_from_db()
    assert window.name == "综合窗口02（老年人优先）"
