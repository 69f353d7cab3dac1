"""A member of the public records the organisation they act for (经办人)."""

import pytest

from accounts.demo import make_uscc
from accounts.models import Agent, Organisation

from .test_validation import counts, field_errors, with_wrong_check_digit

pytestmark = pytest.mark.django_db
NEW_USCC = make_uscc("510104", "1", 123456789)
NEW_NAME = "成都蓉城云服科技有限公司"


def _form(**overrides):
    return {
        "uscc": NEW_USCC,
        "name": NEW_NAME,
        "region": "510104",
        "legal_representative": "刘芳",
        "address": "成都市锦江区春熙路1号",
        **overrides,
    }


def test_citizen_registers_an_organisation_and_sees_it(signed_in):
    client = signed_in("citizen")
    page = client.get("/accounts/me/").content.decode()
    assert "尚未登记代办的组织" in page and NEW_NAME not in page

    response = client.post("/accounts/me/organisations/new/", _form(), follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/me/"
    html = response.content.decode()
    assert f"已登记为“{NEW_NAME}”的经办人" in html
    assert NEW_NAME in html and NEW_USCC in html and "成都市锦江区" in html
    org = Organisation.objects.get(uscc=NEW_USCC)
    assert Agent.objects.filter(organisation=org, person__user__username="citizen").exists()

    # Through the API the agent sees it (and only it), but not in the staff console.
    assert [o["uscc"] for o in client.get("/api/v1/organisations").json()] == [NEW_USCC]
    assert client.get(f"/api/v1/organisations/{org.pk}").status_code == 200
    assert client.get(f"/console/organisations/{org.pk}/").status_code == 403


@pytest.mark.parametrize(
    "uscc, rule",
    [
        pytest.param(with_wrong_check_digit(NEW_USCC), "校验码不正确", id="check-digit"),
        pytest.param(NEW_USCC[:16], "长度应为18位", id="length"),
    ],
)
def test_bad_credit_code_saves_nothing(signed_in, uscc, rule):
    before = counts()
    response = signed_in("citizen").post("/accounts/me/organisations/new/", _form(uscc=uscc))
    assert response.status_code == 200
    assert any(e.startswith("统一社会信用代码") and rule in e for e in field_errors(response))
    assert counts() == before
    assert not Agent.objects.filter(person__user__username="citizen").exists()


def test_knowing_a_credit_code_does_not_make_one_an_agent(signed_in, org_in):
    other = org_in("510105")
    client = signed_in("citizen")
    response = client.post("/accounts/me/organisations/new/", _form(uscc=other.uscc, name=other.name, region="510105"))
    assert response.status_code == 200
    assert any(e.startswith("统一社会信用代码已登记") for e in field_errors(response))
    assert not Agent.objects.filter(organisation=other, person__user__username="citizen").exists()
    assert client.get(f"/api/v1/organisations/{other.pk}").status_code == 403
    assert other.name not in client.get("/accounts/me/").content.decode()


def test_existing_agent_is_told_so(signed_in, org_in):
    own = org_in("510104")
    response = signed_in("agent").post("/accounts/me/organisations/new/", _form(uscc=own.uscc, name=own.name))
    assert "您已是该组织的经办人" in response.content.decode()
    assert Agent.objects.filter(organisation=own).count() == 1


@pytest.mark.parametrize("username", ["clerk", "admin"])
def test_staff_cannot_register_as_agent(signed_in, username):
    response = signed_in(username).post("/accounts/me/organisations/new/", _form())
    assert response.status_code == 403
    assert "无权登记代办的组织" in response.content.decode()
    assert not Organisation.objects.filter(uscc=NEW_USCC).exists()


def test_agent_page_lists_own_organisation_only(signed_in, org_in):
    html = signed_in("agent").get("/accounts/me/").content.decode()
    assert org_in("510104").name in html
    assert org_in("510105").name not in html


def test_anonymous_must_sign_in_first(client):
    response = client.get("/accounts/me/organisations/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
