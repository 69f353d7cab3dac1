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
        "meets": make_item(
            "科技型中小企业研发补助",
            rule=rule_of(leaf("qualifications", "has", "tech_sme"), leaf("revenue", ">=", 1000)),
        ),
        "nearly": make_item(
            "高新技术企业认定奖励",
            rule=rule_of(leaf("qualifications", "has", "high_tech"), leaf("revenue", ">=", 1000)),
        ),
        "unknown": make_item("出口信用保险补贴", rule=rule_of(leaf("exports", ">=", 100))),
        "fails": make_item("规上工业企业奖励", rule=rule_of(leaf("revenue", ">=", 5000), leaf("employees", ">=", 300))),
        "elsewhere": make_item("攀枝花市钒钛企业奖励", region="510400", rule=rule_of(leaf("revenue", ">=", 1))),
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
    groups, tried = services.what_if(
        agent_profile, {"qualifications": ["tech_sme", "high_tech"], "revenue": "6000", "employees": "320"}
    )
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
    response = client.post(
        reverse("matching:calculator") + f"?uscc={agent_profile.uscc}",
        {"qualifications": ["tech_sme", "high_tech"], "revenue": "1500"},
    )
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
    make_item(
        "已过期的奖励", rule=rule_of(leaf("revenue", ">=", 1), when={"from": "2020-01-01", "until": "2020-12-31"})
    )
    groups = services.calculate(agent_profile.attributes(), on=dt.date(2024, 5, 1), reasons="all")
    assert titles(groups["fails"]) == ["已过期的奖励"]
    assert "有效期" in groups["fails"][0].reasons[0].text


# ---------------------------------------------------------------- useful output (issue 18)


def test_nearly_is_only_a_condition_the_enterprise_can_change(make_item, agent_profile):
    make_item("建筑业资质奖励", rule=rule_of(leaf("industry", "prefix", ["E"]), leaf("revenue", ">=", 1000)))
    make_item("攀枝花企业奖励", rule=rule_of(leaf("region", "prefix", ["5104"]), leaf("revenue", ">=", 1000)))
    make_item("研发投入奖励", rule=rule_of(leaf("rd_ratio", ">=", 10), leaf("revenue", ">=", 1000)))
    groups = services.calculate(agent_profile.attributes())
    assert titles(groups["nearly"]) == ["研发投入奖励"]
    assert set(titles(groups["fails"])) == {"建筑业资质奖励", "攀枝花企业奖励"}


def test_the_web_path_compares_the_rd_ratio_exactly(make_item, agent_profile):
    make_item("研发投入占比达3%的奖励", rule=rule_of(leaf("rd_ratio", ">=", 3)))
    make_item("研发投入占比达2%的奖励", rule=rule_of(leaf("rd_ratio", ">=", 2)))
    agent_profile.revenue, agent_profile.rd_spending = Decimal("99999.99"), Decimal("2999.99")  # 2.99999…%
    agent_profile.save()
    assert agent_profile.rd_ratio == Decimal("3.00")  # the stored figure is rounded, for display only
    groups = services.calculate(agent_profile.attributes())
    assert titles(groups["meets"]) == ["研发投入占比达2%的奖励"]
    services.refresh_profiles([agent_profile.pk])
    assert list(agent_profile.matches.values_list("item__title", flat=True)) == ["研发投入占比达2%的奖励"]
    agent_profile.revenue, agent_profile.rd_spending = Decimal("1005"), Decimal("20.10")  # exactly 2%
    agent_profile.save()
    assert titles(services.calculate(agent_profile.attributes())["meets"]) == ["研发投入占比达2%的奖励"]


def test_windows_are_shown_and_what_can_be_claimed_now_comes_first(make_item, agent_profile):
    anyone = rule_of(leaf("revenue", ">=", 1))
    closed = make_item("2021年度研发补助", rule=anyone)
    closed.apply_from, closed.apply_until = dt.date(2021, 3, 1), dt.date(2021, 4, 30)
    closed.save()
    upcoming = make_item("2027年度研发补助", rule=anyone)
    upcoming.apply_from, upcoming.apply_until = dt.date(2027, 3, 1), dt.date(2027, 4, 30)
    upcoming.save()
    make_item("常年受理的补助", rule=anyone, amount_cap=Decimal("20"))
    groups = services.calculate(agent_profile.attributes(), on=dt.date(2026, 12, 3))
    assert titles(groups["meets"]) == ["常年受理的补助", "2027年度研发补助", "2021年度研发补助"]
    assert [r.window_state for r in groups["meets"]] == ["open", "upcoming", "closed"]
    assert groups["meets"][2].window == "申报时间：2021年3月1日至2021年4月30日"
    total, without = services.claimable_total(groups)
    assert total == Decimal("20") and without == 0  # closed and upcoming items are not claimable now
    assert groups["meets"][0].basis.startswith("按最高金额 20万元 估算")


def test_what_if_says_in_chinese_what_changed(items, make_item, agent_profile, signed_in):
    make_item("小微企业稳岗补贴", rule=rule_of(leaf("size", "in", ["small", "micro"])), amount_cap=Decimal("5"))
    client = signed_in("agent")
    page = client.post(
        reverse("matching:calculator") + f"?uscc={agent_profile.uscc}",
        {"qualifications": ["tech_sme", "high_tech"], "employees": "400", "revenue": "6000"},
    ).content.decode()
    note = page[page.index('id="what-if-note"') : page.index("</div>", page.index('id="what-if-note"'))]
    assert "high_tech" not in note and "tech_sme" not in note
    assert "资质认定由“科技型中小企业”改为“科技型中小企业、高新技术企业”" in note
    assert "营业收入由“1,200万元”改为“6,000万元”" in note
    assert "新增符合 <strong>2</strong> 项：高新技术企业认定奖励、规上工业企业奖励" in note
    assert "不再符合 <strong>1</strong> 项：小微企业稳岗补贴（约5万元）" in note  # what is given up
    assert page.count('data-changed="new"') == 2 and page.count('data-changed="lost"') == 1
    # the qualifications box comes back ticked as in the profile: not a change
    page = client.post(
        reverse("matching:calculator") + f"?uscc={agent_profile.uscc}", {"qualifications": ["tech_sme"]}
    ).content.decode()
    assert "所填数值与企业画像相同" in page and "资质认定由" not in page


def test_each_reason_is_said_once(make_item, agent_profile, signed_in):
    make_item(
        "高新技术企业认定奖励",
        rule=rule_of(
            leaf("qualifications", "has", "high_tech"), leaf("revenue", ">=", 1000), leaf("revenue", ">=", 1000)
        ),
    )
    page = signed_in("agent").get(reverse("matching:calculator")).content.decode()
    assert page.count("未认定为高新技术企业 ✗") == 1
    assert page.count("营业收入 1,200万元，要求不低于 1,000万元 ✓") == 1


def test_a_recognition_item_never_asks_for_what_it_confers(make_item, agent_profile):
    """The demo gave 创新型中小企业认定 its topic's rule (holds 专精特新), so a firm already
    recognised read "差一项：未认定为专精特新…". A recognition is for firms not yet holding it
    and holding the tier below (工信部企业〔2022〕63号)."""
    from matching import demo
    from policies.models import BenefitItem

    agent_profile.qualifications = ["tech_sme", "innovative_sme"]
    agent_profile.save()
    innovative = make_item("创新型中小企业认定", rule=None)
    innovative.kind = BenefitItem.Kind.QUALIFICATION
    specialised = make_item("专精特新中小企业认定", rule=None)
    specialised.kind = BenefitItem.Kind.QUALIFICATION
    for item in (innovative, specialised):
        item.save()
        rule = demo._rule_for(item, demo.TOPIC_LEAVES["专精特新"])
        services.ItemRule.objects.create(item=item, rule=rule)
    groups = services.calculate(agent_profile.attributes(), reasons="all")
    assert titles(groups["meets"]) == ["专精特新中小企业认定"]
    lost = next(r for r in groups["fails"] if r.item.title == "创新型中小企业认定")
    assert not lost.nearly
    assert [r.text for r in lost.reasons] == ["已认定为创新型中小企业，要求未认定为创新型中小企业 ✗"]


def test_an_item_whose_window_has_closed_is_never_nearly_met(make_item, agent_profile):
    rule = rule_of(leaf("qualifications", "has", "high_tech"), leaf("revenue", ">=", 1000))
    closed = make_item("专精特新“小巨人”企业奖励（2021年度）", rule=rule)
    closed.apply_from, closed.apply_until = dt.date(2020, 12, 20), dt.date(2021, 6, 18)
    closed.save()
    make_item("高新技术企业认定奖励", rule=rule)
    groups = services.calculate(agent_profile.attributes(), on=dt.date(2026, 12, 3))
    assert titles(groups["nearly"]) == ["高新技术企业认定奖励"]  # changing now cannot claim a closed item
    assert titles(groups["fails"]) == ["专精特新“小巨人”企业奖励（2021年度）"]
