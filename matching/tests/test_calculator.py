"""The policy calculator: meets, nearly meets (and which condition), cannot
tell, with reasons; "what if" never changes the stored profile."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import ServiceError
from matching import services
from matching.models import EnterpriseProfile
from policies.models import Status

from .conftest import leaf, rule_of


@pytest.fixture
def items(make_item):
    return {
        "meets": make_item("科技型中小企业研发补助", rule=rule_of(leaf("qualifications", "has", "tech_sme"),
                                                             leaf("revenue", ">=", 1000))),
        "nearly": make_item("高新技术企业认定奖励", rule=rule_of(leaf("qualifications", "has", "high_tech"),
                                                            leaf("revenue", ">=", 1000))),
        "unknown": make_item("出口信用保险补贴", rule=rule_of(leaf("exports", ">=", 100))),
        "fails": make_item("规上工业企业奖励", rule=rule_of(leaf("revenue", ">=", 5000), leaf("employees", ">=", 300))),
        "elsewhere": make_item("攀枝花市钒钛企业奖励", region="510400",
                               rule=rule_of(leaf("revenue", ">=", 1))),
        "draft": make_item("尚未发布的事项", status=Status.DRAFT, rule=rule_of(leaf("revenue", ">=", 1))),
    }


def titles(results):
    return [r.item.title for r in results]


def test_every_listed_item_in_its_group_with_reasons(items, agent_profile):
    groups = services.calculate(agent_profile.attributes())
    assert titles(groups["meets"]) == ["科技型中小企业研发补助"]
    assert titles(groups["nearly"]) == ["高新技术企业认定奖励"]
    assert titles(groups["unknown"]) == ["出口信用保险补贴"]
    assert titles(groups["fails"]) == ["规上工业企业奖励"]
    meets = groups["meets"][0]
    assert [r.text for r in meets.reasons] == ["已认定为科技型中小企业 ✓", "营业收入 1,200万元，要求不低于 1,000万元 ✓"]
    nearly = groups["nearly"][0]
    assert [r.text for r in nearly.short_by] == ["未认定为高新技术企业 ✗"]
    assert groups["unknown"][0].reasons[0].text == "缺少出口额数据 ?"


def test_what_if_recomputes_without_changing_the_profile(items, agent_profile):
    before = EnterpriseProfile.objects.filter(pk=agent_profile.pk).values().get()
    groups, tried = services.what_if(agent_profile, {"qualifications": ["tech_sme", "high_tech"], "revenue": "6000",
                                                     "employees": "320"})
    assert "高新技术企业认定奖励" in titles(groups["meets"])
    assert "规上工业企业奖励" in titles(groups["meets"])
    assert tried["revenue"] == Decimal("6000.00")
    assert EnterpriseProfile.objects.filter(pk=agent_profile.pk).values().get() == before


def test_what_if_size_is_derived_from_the_values_tried(make_item, agent_profile):
    make_item("中型企业奖励", rule=rule_of(leaf("size", ">=", "medium")))
    assert agent_profile.size == "small"
    groups, _ = services.what_if(agent_profile, {"employees": "400", "revenue": "20000"})
    assert titles(groups["meets"]) == ["中型企业奖励"]


def test_what_if_with_a_bad_value_is_refused_in_chinese(items, agent_profile):
    with pytest.raises(ServiceError) as refused:
        services.what_if(agent_profile, {"revenue": "-5", "employees": "1.5"})
    assert refused.value.errors == {"revenue": ["营业收入不能为负数"], "employees": ["从业人员应为整数"]}


def test_calculator_page_for_the_agent(items, agent_profile, signed_in):
    client = signed_in("agent")
    page = client.get(reverse("matching:calculator")).content.decode()
    assert "科技型中小企业研发补助" in page and "未认定为高新技术企业 ✗" in page
    assert "攀枝花市钒钛企业奖励" not in page and "尚未发布的事项" not in page
    response = client.post(reverse("matching:calculator") + f"?uscc={agent_profile.uscc}",
                           {"qualifications": ["tech_sme", "high_tech"], "revenue": "1500"})
    page = response.content.decode()
    assert "企业画像未被修改" in page
    assert page.index("高新技术企业认定奖励") < page.index('id="group-nearly"')
    agent_profile.refresh_from_db()
    assert agent_profile.qualifications == ["tech_sme"] and agent_profile.revenue == Decimal("1200")


def test_calculator_page_bad_what_if_shows_the_field_error(items, agent_profile, signed_in):
    page = signed_in("agent").post(reverse("matching:calculator"), {"revenue": "很多"}).content.decode()
    assert "营业收入应为数字" in page


def test_citizen_without_an_organisation_is_told_there_is_no_profile(items, signed_in):
    page = signed_in("citizen").get(reverse("matching:calculator")).content.decode()
    assert "没有找到您代办单位的企业画像" in page


def test_staff_cannot_use_the_calculator(signed_in):
    assert signed_in("clerk").get(reverse("matching:calculator")).status_code == 403


def test_rule_out_of_force_does_not_meet(make_item, agent_profile):
    make_item("已过期的奖励", rule=rule_of(leaf("revenue", ">=", 1),
                                      when={"from": "2020-01-01", "until": "2020-12-31"}))
    groups = services.calculate(agent_profile.attributes(), on=dt.date(2024, 5, 1))
    assert titles(groups["fails"]) == ["已过期的奖励"]
    assert "有效期" in groups["fails"][0].reasons[0].text
