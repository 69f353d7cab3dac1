"""Who sees which organisation and staff member: accounts/policy.py as users
meet it in the console and the API."""

import pytest

from accounts import policy
from accounts.models import Role, User

from .conftest import ORG_REGIONS

ALL = set(ORG_REGIONS)
# Regions whose organisations each user reaches in the staff console.
CONSOLE_REACH = {
    "clerk": ALL,  # province service centre
    "reviewer": ALL,  # province natural resources
    "deptadmin": ALL,
    "manager": ALL,
    "admin": ALL,
    "reviewer_chengdu": {"510104", "510105"},  # city 510100: its counties only
    "reviewer_jinjiang": {"510104"},  # county: itself only
    "reviewer_qingyang": {"510105"},
    "editor": set(),  # no organisation access at all
    "citizen": set(),  # public accounts have no console
    "agent": set(),  # ... even for the organisation they act for
}
# Through the API a public agent reaches the organisation they act for.
API_REACH = {**CONSOLE_REACH, "agent": {"510104"}}
USERS = list(CONSOLE_REACH)


def _is_chinese_403_page(response):
    html = response.content.decode()
    return response.status_code == 403 and "无权访问" in html and 'lang="zh-CN"' in html


# --- console: one organisation -------------------------------------------


@pytest.mark.parametrize("region", ORG_REGIONS)
@pytest.mark.parametrize("username", USERS)
def test_console_organisation_page_follows_region_scope(signed_in, org_in, username, region):
    org = org_in(region)
    response = signed_in(username).get(f"/console/organisations/{org.pk}/")
    if region in CONSOLE_REACH[username]:
        assert response.status_code == 200
        assert org.name in response.content.decode()
    else:
        assert _is_chinese_403_page(response)
        assert org.name not in response.content.decode()


@pytest.mark.parametrize(
    "username, reason",
    [
        ("reviewer_jinjiang", "无权查看法人信息：该记录不在您所在部门或区划的办理范围内"),
        ("editor", "无权查看法人信息：您的角色没有此权限"),
        ("citizen", "无权进入工作台：您的角色没有此权限"),
        ("agent", "无权进入工作台：您的角色没有此权限"),
    ],
)
def test_refusal_page_says_why_in_chinese(signed_in, org_in, username, reason):
    response = signed_in(username).get(f"/console/organisations/{org_in('510411').pk}/")
    assert _is_chinese_403_page(response)
    assert reason in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/console/organisations/",
        "/console/organisations/new/",
        "/console/staff/",
        "/console/staff/new/",
        "/console/persons/new/",
        "/console/",
    ],
)
@pytest.mark.parametrize("username", ["citizen", "agent"])
def test_public_accounts_are_refused_everywhere_in_the_console(signed_in, username, path):
    assert _is_chinese_403_page(signed_in(username).get(path))


def test_anonymous_visitor_is_sent_to_login(client, org_in):
    response = client.get(f"/console/organisations/{org_in('510104').pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_edit_link_only_for_those_who_may_edit(signed_in, org_in):
    org = org_in("510104")
    edit_url = f"/console/organisations/{org.pk}/edit/"
    assert edit_url in signed_in("manager").get(f"/console/organisations/{org.pk}/").content.decode()
    assert edit_url not in signed_in("clerk").get(f"/console/organisations/{org.pk}/").content.decode()
    assert _is_chinese_403_page(signed_in("clerk").get(edit_url))
    assert _is_chinese_403_page(signed_in("reviewer_jinjiang").get(edit_url))


# --- console: the organisation list ------------------------------------------


@pytest.mark.parametrize("username", [u for u in USERS if CONSOLE_REACH[u]])
def test_console_list_shows_only_reachable_organisations(signed_in, org_in, username):
    html = signed_in(username).get("/console/organisations/").content.decode()
    for region in ORG_REGIONS:
        assert (org_in(region).name in html) == (region in CONSOLE_REACH[username]), region


@pytest.mark.parametrize("username", ["editor", "citizen", "agent"])
def test_console_list_refused_without_organisation_access(signed_in, username):
    assert _is_chinese_403_page(signed_in(username).get("/console/organisations/"))


def test_console_search_stays_inside_scope(signed_in, org_in):
    client = signed_in("reviewer_jinjiang")
    other = org_in("510105")
    # Searching by another county's exact credit code or name finds nothing.
    for q in (other.uscc, other.name[:4]):
        html = client.get("/console/organisations/", {"q": q}, HTTP_HX_REQUEST="true").content.decode()
        assert other.name not in html
        assert "没有符合条件的记录" in html
    html = client.get("/console/organisations/", {"q": "有限公司"}, HTTP_HX_REQUEST="true").content.decode()
    assert org_in("510104").name in html and other.name not in html


# --- API --------------------------------------------------------------------


@pytest.mark.parametrize("region", ORG_REGIONS)
@pytest.mark.parametrize("username", USERS)
def test_api_organisation_follows_the_same_scope(signed_in, org_in, username, region):
    org = org_in(region)
    response = signed_in(username).get(f"/api/v1/organisations/{org.pk}")
    if region in API_REACH[username]:
        assert response.status_code == 200
        assert response.json()["uscc"] == org.uscc
    else:
        assert response.status_code == 403
        body = response.json()
        assert set(body) == {"code", "message", "errors"}
        assert body["code"] == "forbidden" and body["message"].startswith("无权") and body["errors"] == {}


@pytest.mark.parametrize("username", USERS)
def test_api_list_matches_the_scope(signed_in, username):
    response = signed_in(username).get("/api/v1/organisations")
    if username == "editor":  # the only role without organisation.view
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        return
    assert response.status_code == 200
    assert {o["region"] for o in response.json()} == API_REACH[username]


def test_api_without_credentials_is_401_in_chinese(client, org_in):
    response = client.get(f"/api/v1/organisations/{org_in('510104').pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "登录" in response.json()["message"]


def test_api_unknown_organisation_is_404_json(signed_in):
    response = signed_in("admin").get("/api/v1/organisations/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "记录不存在", "errors": {}}


# --- staff -------------------------------------------------------------------

STAFF_NAMES = {"clerk", "reviewer", "reviewer_jinjiang", "reviewer_qingyang", "deptadmin", "manager", "editor", "admin"}


@pytest.mark.parametrize(
    "username, expected",
    [
        ("deptadmin", {"reviewer", "deptadmin"}),  # own department only, not the county bureaus
        ("manager", STAFF_NAMES),
        ("admin", STAFF_NAMES),
    ],
)
def test_staff_list_scope(signed_in, username, expected):
    response = signed_in(username).get("/console/staff/")
    assert response.status_code == 200
    html = response.content.decode()
    assert {name for name in STAFF_NAMES if f"<td>{name}</td>" in html} == expected


@pytest.mark.parametrize("username", ["clerk", "reviewer", "reviewer_jinjiang", "editor"])
def test_staff_list_refused_to_roles_without_it(signed_in, username):
    assert _is_chinese_403_page(signed_in(username).get("/console/staff/"))


def test_county_dept_admin_sees_only_own_bureau(signed_in, user_named):
    from core.models import Department

    dept = Department.objects.get(function="natural_resources", region_id="510104")
    User.objects.create(
        username="deptadmin_jinjiang", name="锦江管理员", kind=User.Kind.STAFF, role=Role.DEPT_ADMIN, department=dept
    )
    html = signed_in("deptadmin_jinjiang").get("/console/staff/").content.decode()
    assert "<td>reviewer_jinjiang</td>" in html and "<td>deptadmin_jinjiang</td>" in html
    assert "<td>reviewer_qingyang</td>" not in html and "<td>reviewer</td>" not in html


def _staff_form(department, role="reviewer", username="new_reviewer"):
    return {
        "username": username,
        "name": "新同事",
        "role": role,
        "department": department.pk,
        "password": "Xk9#mB2q!vL7",
    }


def test_dept_admin_creates_staff_in_own_department(signed_in, user_named):
    admin = user_named("deptadmin")
    response = signed_in("deptadmin").post("/console/staff/new/", _staff_form(admin.department))
    assert response.status_code == 302
    created = User.objects.get(username="new_reviewer")
    assert created.department == admin.department and created.role == Role.REVIEWER
    assert created.password.startswith("argon2")


@pytest.mark.parametrize("role", ["centre_manager", "clerk", "sysadmin"])
def test_dept_admin_cannot_grant_more_than_they_hold(signed_in, user_named, role):
    admin = user_named("deptadmin")
    response = signed_in("deptadmin").post("/console/staff/new/", _staff_form(admin.department, role=role))
    assert response.status_code == 200
    assert "无权指定该角色" in response.content.decode()
    assert not User.objects.filter(username="new_reviewer").exists()


def test_dept_admin_cannot_create_staff_in_another_department(signed_in):
    from core.models import Department

    county = Department.objects.get(function="natural_resources", region_id="510104")
    response = signed_in("deptadmin").post("/console/staff/new/", _staff_form(county))
    assert response.status_code == 200
    assert "所属部门" in response.content.decode()
    assert not User.objects.filter(username="new_reviewer").exists()


def test_manager_may_view_but_not_create_staff(signed_in, user_named):
    response = signed_in("manager").post("/console/staff/new/", _staff_form(user_named("manager").department))
    assert _is_chinese_403_page(response)
    assert not User.objects.filter(username="new_reviewer").exists()


# --- policy.can directly ------------------------------------------------------


@pytest.mark.parametrize(
    "username, action, allowed",
    [
        ("clerk", "console.access", True),
        ("clerk", "organisation.create", True),
        ("clerk", "organisation.edit", False),
        ("clerk", "person.create", True),
        ("clerk", "staff.view", False),
        ("reviewer", "organisation.view", True),
        ("reviewer", "organisation.create", False),
        ("reviewer", "person.create", False),
        ("reviewer", "staff.view", False),
        ("deptadmin", "staff.view", True),
        ("deptadmin", "staff.manage", True),
        ("deptadmin", "organisation.edit", False),
        ("deptadmin", "audit.view", False),
        ("manager", "organisation.edit", True),
        ("manager", "audit.view", True),
        ("manager", "staff.manage", False),
        ("manager", "audit.verify", False),
        ("editor", "console.access", True),
        ("editor", "organisation.view", False),
        ("editor", "person.view", False),
        ("admin", "staff.manage", True),
        ("admin", "audit.verify", True),
        ("admin", "calendar.edit", True),
        ("admin", "reference.edit", True),
        ("admin", "portal.access", False),
        ("citizen", "portal.access", True),
        ("citizen", "organisation.register", True),
        ("citizen", "console.access", False),
        ("citizen", "organisation.create", False),
        ("agent", "staff.view", False),
        ("agent", "person.create", False),
    ],
)
def test_policy_can_by_role(user_named, username, action, allowed):
    assert policy.can(user_named(username), action) is allowed


@pytest.mark.parametrize(
    "username, target, allowed",
    [
        ("deptadmin", "reviewer", True),  # same department
        ("deptadmin", "reviewer_jinjiang", False),  # same function, but a county bureau
        ("deptadmin", "clerk", False),  # another department
        ("admin", "reviewer_qingyang", True),
        ("manager", "reviewer_qingyang", False),  # manager has no staff.manage
    ],
)
def test_policy_staff_manage_reach(user_named, username, target, allowed):
    assert policy.can(user_named(username), "staff.manage", user_named(target)) is allowed


def test_policy_refuses_inactive_and_anonymous(user_named, org_in):
    from django.contrib.auth.models import AnonymousUser

    admin = user_named("admin")
    admin.is_active = False
    assert not policy.can(admin, "organisation.view", org_in("510104"))
    assert not policy.can(AnonymousUser(), "organisation.view")
