"""A rule is checked when it is saved, whoever saves it; the message points at the part in error."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import Conflict, ServiceError
from matching import services
from matching.models import ItemRule

from .conftest import leaf, rule_of


def test_rule_naming_an_unknown_attribute_is_refused_with_its_path(make_item, demo_user):
    item = make_item()
    with pytest.raises(ServiceError) as refused:
        services.save_rule(
            demo_user("manager"), item, rule=rule_of(leaf("revenue", ">=", 1000), leaf("turnover", ">", 5))
        )
    assert refused.value.errors["rule"] == ["condition.all[1].attr：未知的属性“turnover”"]
    assert not ItemRule.objects.filter(item=item).exists()


def test_rule_comparing_a_date_with_a_number_is_refused(make_item, demo_user):
    item = make_item()
    with pytest.raises(ServiceError) as refused:
        services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("founded_on", ">", 5)))
    message = refused.value.errors["rule"][0]
    assert message.startswith("condition.all[0].value：") and "日期" in message


def test_a_negative_bound_is_refused_on_saving_and_in_the_preview(make_item, demo_user, signed_in):
    item = make_item()
    with pytest.raises(ServiceError) as refused:
        services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("employees", ">=", -5)))
    assert refused.value.errors["rule"] == ["condition.all[0].value：属性“从业人员”的取值不能为负数"]
    assert not ItemRule.objects.filter(item=item).exists()
    page = signed_in("manager").post(
        f"/console/matching/items/{item.pk}/rule/preview/", {"rule": json.dumps(rule_of(leaf("revenue", "<", -1)))}
    )
    assert "属性“营业收入”的取值不能为负数" in page.content.decode()


def test_model_save_refuses_an_invalid_rule_too(make_item):
    item = make_item()
    with pytest.raises(ValidationError):
        ItemRule.objects.create(item=item, rule=rule_of(leaf("nope", "==", 1)))
    assert not ItemRule.objects.exists()


def test_valid_rule_is_saved_with_a_readable_description_and_version(make_item, demo_user):
    item = make_item()
    saved = services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("revenue", ">=", 1000)))
    assert saved.version == 1
    assert saved.description == "营业收入不低于 1,000万元" or "营业收入不低于 1,000万元" in saved.description
    again = services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("revenue", ">=", 2000)), version=1)
    assert again.version == 2
    with pytest.raises(Conflict):
        services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("revenue", ">=", 3000)), version=1)
    assert ItemRule.objects.get(item=item).rule["condition"]["all"][0]["value"] == 2000


def test_json_text_with_a_syntax_error_names_line_and_column(make_item, demo_user):
    with pytest.raises(ServiceError) as refused:
        services.save_rule(demo_user("manager"), make_item(), rule='{"when": {},\n "condition": }')
    assert "第2行" in refused.value.errors["rule"][0]


def test_department_edits_only_its_own_items(make_item, demo_user):
    own = make_item("矿业权出让收益减免", function="natural_resources")
    other = make_item("工业技改补助", function="economy_it")
    services.save_rule(demo_user("deptadmin"), own, rule=rule_of(leaf("employees", ">=", 10)))
    with pytest.raises(PermissionDenied):
        services.save_rule(demo_user("deptadmin"), other, rule=rule_of(leaf("employees", ">=", 10)))
    with pytest.raises(PermissionDenied):
        services.save_rule(demo_user("agent"), own, rule=rule_of(leaf("employees", ">=", 10)))
