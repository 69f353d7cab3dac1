"""Enterprises registered at city level (codes xxxx00: registered with the city's
market regulator, e.g. in a development zone) load through the file loader and the
API, match province- and city-wide items and fail county-scoped ones."""

import json

from matching import profiles, services
from matching.models import EnterpriseProfile, Match, Notice

from .conftest import leaf, rule_of, uscc_for

HEADER = "uscc,name,region,industry,employees,revenue,total_assets,founded_on,qualifications,credit_rating\n"


def test_a_city_level_enterprise_loads_and_matches_city_and_province_items(demo_user, signed_in, make_item):
    anyone = rule_of(leaf("employees", ">=", 1))
    province = make_item("全省稳岗补贴", region="510000", rule=anyone)
    city = make_item("成都市研发补助", region="510100", rule=anyone)
    county = make_item("锦江区楼宇经济奖励", region="510104", rule=anyone)
    other_city = make_item("绵阳市科技奖励", region="510700", rule=anyone)
    city_rule = make_item(
        "注册在成都市本级的企业奖励",
        region="510000",
        rule=rule_of(leaf("region", "prefix", ["5101"]), leaf("employees", ">=", 1)),
    )
    county_rule = make_item("注册在锦江区的企业奖励", region="510000", rule=rule_of(leaf("region", "==", "510104")))

    uscc = uscc_for(41, "510100")
    data = HEADER + f"{uscc},成都高新区某科技公司,510100,I6511,50,2000,3000,2018-05-01,tech_sme,A\n"
    report = profiles.load(demo_user("manager"), data.encode(), "zone.csv", source="市场监管")
    assert report.total == 1
    profile = EnterpriseProfile.objects.get(uscc=uscc)
    assert profile.region_id == "510100"

    services.refresh_all()
    matched = set(Match.objects.filter(profile=profile).values_list("item_id", flat=True))
    assert matched == {province.pk, city.pk, city_rule.pk}
    assert county.pk not in matched and other_city.pk not in matched and county_rule.pk not in matched

    # the calculator (the one-enterprise path) says the same
    groups = services.calculate(profile.attributes())
    assert {r.item.pk for r in groups["meets"]} == matched

    # and the API takes the city code in a PATCH; the change reaches matches and pushes
    client = signed_in("manager")
    response = client.patch(
        f"/api/v1/enterprises/{uscc}/profile",
        json.dumps({"values": {"region": "510100", "employees": 0}, "version": profile.version}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert not Match.objects.filter(profile=profile).exists()
    response = client.patch(
        f"/api/v1/enterprises/{uscc}/profile",
        json.dumps({"values": {"employees": 60}, "version": response.json()["version"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert set(Match.objects.filter(profile=profile).values_list("item_id", flat=True)) == matched
    assert Notice.objects.filter(profile=profile, item=city).count() == 2  # pushed again when it met again
    body = client.get(f"/api/v1/enterprises/{uscc}/matches").json()
    assert {r["item_id"] for r in body["meets"]} == matched


def test_a_code_that_is_no_sichuan_city_or_county_is_still_refused(signed_in):
    client = signed_in("manager")
    response = client.patch(
        f"/api/v1/enterprises/{uscc_for(42, '510100')}/profile",
        json.dumps({"name": "某公司", "values": {"region": "510000"}}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["region"] == ["所在地区不是四川省的市或区县行政区划代码（GB/T 2260）"]
