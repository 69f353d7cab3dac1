"""The console's matching lists as core.tables: items with their rule, matches and
pushes; enterprise profiles; 免申即享 rounds — filtered, sorted and exported as shown."""

from decimal import Decimal

from core.tests.tables_check import export_rows, page_rows, sort_state
from matching import services
from policies.models import BenefitItem

from .conftest import leaf, rule_of


def test_items_filter_by_rule_sort_and_export_with_their_counts(make_item, make_profile, demo_user, signed_in):
    make_profile(1, revenue=Decimal("5000"))
    make_profile(2, revenue=Decimal("1500"))
    big = make_item("规上企业奖励", rule=rule_of(leaf("revenue", ">=", 1000)))
    make_item("无规则的奖励")
    services.refresh_item(big.pk, notify=True)
    client = signed_in("manager")
    url = "/console/matching/"
    rows = page_rows(client.get(url, {"with_rule": "1", "q": "奖励"}))
    assert [(r[0], r[5], r[6], r[7]) for r in rows] == [("规上企业奖励", "已设", "2", "2")]
    rows = page_rows(client.get(url, {"q": "奖励", "sort": "title"}))
    assert [r[0] for r in rows] == ["无规则的奖励", "规上企业奖励"]  # by title (Unicode order)
    assert sort_state(client.get(url, {"q": "奖励", "sort": "-title"}), "事项") == "descending"
    exported = export_rows(client.get(url, {"q": "奖励", "with_rule": "0", "export": "xlsx"}))
    assert [r[0] for r in exported] == ["无规则的奖励"] and exported[0][5:] == ["未设", "0", "0"]
    page = client.get(url, {"with_rule": "maybe"}).content.decode()
    assert "“规则”没有“maybe”这一项，已忽略该条件" in page


def test_profiles_filter_and_export(make_profile, signed_in):
    make_profile(1, revenue=Decimal("5000"))
    make_profile(2, revenue=Decimal("10"))
    client = signed_in("manager")
    rows = page_rows(client.get("/console/matching/profiles/", {"q": "测试企业2"}))
    assert [r[1] for r in rows] == ["测试企业2"]
    exported = export_rows(
        client.get("/console/matching/profiles/", {"q": "测试企业", "sort": "-name", "export": "xlsx"})
    )
    assert [r[1] for r in exported] == ["测试企业2", "测试企业1"]


def test_rounds_list_with_counts(make_item, make_profile, demo_user, signed_in):
    make_profile(1, revenue=Decimal("5000"))
    item = make_item(
        "免申即享的奖励",
        delivery=BenefitItem.Delivery.AUTO_GRANT,
        amount_cap=Decimal("3"),
        rule=rule_of(leaf("revenue", ">=", 1)),
    )
    services.open_round(demo_user("manager"), item)
    client = signed_in("manager")
    rows = page_rows(client.get("/console/matching/grants/", {"q": "免申即享"}))
    assert len(rows) == 1 and rows[0][0] == "免申即享的奖励" and rows[0][3:6] == ["1", "0", "0"]
    exported = export_rows(client.get("/console/matching/grants/", {"export": "xlsx"}))
    assert [r[0] for r in exported] == ["免申即享的奖励"]
