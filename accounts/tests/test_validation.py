"""National codes are checked wherever they come in (registration page,
console forms, API); a refused request saves nothing and says why in Chinese."""

import re

import pytest

from accounts import services
from accounts.demo import make_resident_id, make_uscc
from accounts.models import Organisation, Person, User
from core.personal import matching

pytestmark = pytest.mark.django_db

PASSWORD = "Xk9#mB2q!vL7"
VALID_ID = make_resident_id("510105", "19950620", "041")
VALID_USCC = make_uscc("510104", "1", 123456789)


def with_wrong_check_digit(code):
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def field_errors(response):
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', response.content.decode())


def counts():
    return User.objects.count(), Person.objects.count(), Organisation.objects.count()


BAD_RESIDENT_IDS = [
    pytest.param(with_wrong_check_digit(VALID_ID), "校验码不正确", id="check-digit"),
    pytest.param(make_resident_id("510105", "19951332", "041"), "出生日期不正确", id="birth-date"),
    pytest.param(VALID_ID[:17], "长度应为18位", id="length-17"),
    pytest.param(VALID_ID[:15], "长度应为18位", id="length-15"),
    pytest.param(VALID_ID[:17] + "Y", "校验码不正确", id="letter"),
    pytest.param(make_resident_id("999999", "19950620", "041"), "地址码不是有效的行政区划代码", id="place"),
]


def _register(client, **overrides):
    data = {
        "username": "liusi",
        "name": "刘四",
        "resident_id": VALID_ID,
        "phone": "13800000000",
        "password": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/register/", data)


# --- registration -----------------------------------------------------------


@pytest.mark.parametrize("resident_id, rule", BAD_RESIDENT_IDS)
def test_registration_with_bad_resident_id_is_refused(client, resident_id, rule):
    before = counts()
    response = _register(client, resident_id=resident_id)
    assert response.status_code == 200
    errors = field_errors(response)
    assert any(e.startswith("身份证号") and rule in e for e in errors), errors
    assert counts() == before
    assert not User.objects.filter(username="liusi").exists()
    assert "_auth_user_id" not in client.session


def test_valid_registration_signs_the_person_in(client):
    response = _register(client, resident_id=VALID_ID.lower() if VALID_ID.endswith("X") else VALID_ID)
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    page = client.get("/accounts/me/").content.decode()
    assert "我的账户" in page and "刘四" in page
    assert f"{VALID_ID[:6]}********{VALID_ID[-4:]}" in page
    assert VALID_ID not in page  # never the whole number
    user = User.objects.get(username="liusi")
    assert user.kind == User.Kind.PUBLIC and user.role == ""
    assert user.person.resident_id == VALID_ID
    assert user.password.startswith("argon2")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_duplicate_resident_id_is_refused_in_chinese(client):
    services.register_person(username="first", password=PASSWORD, name="刘四", resident_id=VALID_ID)
    before = counts()
    response = _register(client, username="second")
    assert any(e.startswith("身份证号已登记") for e in field_errors(response))
    assert counts() == before


def test_duplicate_username_is_refused_in_chinese(client):
    response = _register(client, username="citizen")
    assert "用户名已被使用，请换一个" in field_errors(response)
    assert not Person.objects.filter(matching("resident_id", VALID_ID)).exists()


def test_weak_password_is_refused_and_nothing_saved(client):
    before = counts()
    response = _register(client, password="12345678")
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert counts() == before


# --- console: person and organisation forms ----------------------------------


@pytest.mark.parametrize("resident_id, rule", BAD_RESIDENT_IDS[:3])
def test_clerk_person_form_refuses_bad_resident_id(signed_in, resident_id, rule):
    before = counts()
    response = signed_in("clerk").post("/console/persons/new/", {"name": "王五", "resident_id": resident_id})
    assert any(e.startswith("身份证号") and rule in e for e in field_errors(response))
    assert counts() == before


def test_clerk_person_form_records_valid_person(signed_in):
    response = signed_in("clerk").post("/console/persons/new/", {"name": "王五", "resident_id": VALID_ID})
    assert response.status_code == 302
    assert Person.objects.get(matching("resident_id", VALID_ID)).user is None
    again = signed_in("clerk").post("/console/persons/new/", {"name": "王五", "resident_id": VALID_ID})
    assert any(e.startswith("身份证号已登记") for e in field_errors(again))
    assert Person.objects.filter(matching("resident_id", VALID_ID)).count() == 1


BAD_USCCS = [
    pytest.param(with_wrong_check_digit(VALID_USCC), "校验码不正确", id="check-digit"),
    pytest.param(VALID_USCC[:17], "长度应为18位", id="length"),
]


@pytest.mark.parametrize("uscc, rule", BAD_USCCS)
def test_console_organisation_form_refuses_bad_uscc(signed_in, uscc, rule):
    before = counts()
    response = signed_in("clerk").post(
        "/console/organisations/new/", {"uscc": uscc, "name": "成都新公司", "region": "510104"}
    )
    assert response.status_code == 200
    assert any(e.startswith("统一社会信用代码") and rule in e for e in field_errors(response))
    assert counts() == before


def test_console_organisation_form_saves_valid_one(signed_in):
    response = signed_in("clerk").post(
        "/console/organisations/new/", {"uscc": VALID_USCC.lower(), "name": "成都新公司", "region": "510104"}
    )
    org = Organisation.objects.get(uscc=VALID_USCC)  # stored upper-case
    assert response.status_code == 302 and response["Location"] == f"/console/organisations/{org.pk}/"


# --- API --------------------------------------------------------------------


def _api_create(client, **overrides):
    return client.post(
        "/api/v1/organisations",
        {"uscc": VALID_USCC, "name": "成都新公司", "region": "510104", **overrides},
        content_type="application/json",
    )


@pytest.mark.parametrize("uscc, rule", BAD_USCCS)
def test_api_refuses_bad_uscc_with_422(signed_in, uscc, rule):
    before = counts()
    response = _api_create(signed_in("clerk"), uscc=uscc)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["message"].startswith("统一社会信用代码") and rule in body["message"]
    assert body["errors"]["uscc"] == [body["message"]]
    assert counts() == before


@pytest.mark.parametrize(
    "region, message",
    [
        ("510000", "登记地应为市（州）或区（县）"),
        ("519999", "登记地“519999”不是有效的行政区划代码（GB/T 2260）"),
    ],
)
def test_api_refuses_bad_region_in_chinese(signed_in, region, message):
    response = _api_create(signed_in("clerk"), region=region)
    assert response.status_code == 422
    assert response.json()["errors"]["region"] == [message]
    assert not Organisation.objects.filter(uscc=VALID_USCC).exists()


def test_api_refuses_duplicate_uscc(signed_in, org_in):
    response = _api_create(signed_in("clerk"), uscc=org_in("510105").uscc)
    assert response.status_code == 422
    assert response.json()["errors"]["uscc"] == ["统一社会信用代码已登记，不能重复登记同一组织"]


def test_api_creates_valid_organisation(signed_in):
    response = _api_create(signed_in("clerk"))
    assert response.status_code == 201
    assert response.json()["uscc"] == VALID_USCC and response.json()["region"] == "510104"
    assert Organisation.objects.filter(uscc=VALID_USCC).exists()


@pytest.mark.parametrize("username", ["reviewer", "editor", "citizen"])
def test_api_create_refused_without_the_role(signed_in, username):
    response = _api_create(signed_in(username))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Organisation.objects.filter(uscc=VALID_USCC).exists()


def test_api_person_with_bad_resident_id(signed_in):
    response = signed_in("clerk").post(
        "/api/v1/persons",
        {"name": "王五", "resident_id": with_wrong_check_digit(VALID_ID)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["resident_id"] == ["身份证号校验码不正确（GB 11643）"]
    assert not Person.objects.filter(name="王五").exists()


def test_self_registration_is_audited_with_the_new_user_as_actor(client, db):
    from accounts.demo import make_resident_id
    from core.models import AuditEntry

    response = client.post(
        "/accounts/register/",
        {
            "username": "wangwu",
            "name": "王五",
            "resident_id": make_resident_id("510104", "19950505", "031"),
            "phone": "",
            "password": "Quiet#River2024",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    entries = AuditEntry.objects.filter(actor__username="wangwu").order_by("seq")
    assert [e.object_type for e in entries][:2] == ["accounts.User", "accounts.Person"]
    assert all(e.ip == "10.1.2.3" for e in entries)
    assert entries[0].after["password"] == "******"
