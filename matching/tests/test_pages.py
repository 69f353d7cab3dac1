"""Console pages and the rule API: the rule editor shows the description and
points at errors; the API gets and puts a rule; staff reach is respected."""

import json

from django.urls import reverse

from matching.models import ItemRule

from .conftest import leaf, rule_of


def test_rule_page_saves_and_describes(make_item, signed_in):
    item = make_item()
    client = signed_in("manager")
    url = reverse("matching_console:rule", args=[item.pk])
    assert "尚未设定规则" in client.get(url).content.decode()
    bad = client.post(url, {"rule": json.dumps(rule_of(leaf("revenue", ">=", "很多"))), "version": 0})
    page = bad.content.decode()
    assert "condition.all[0].value：" in page and not ItemRule.objects.exists()
    broken = client.post(url, {"rule": '{"condition": ', "version": 0}).content.decode()
    assert "不是有效的JSON" in broken
    ok = client.post(url, {"rule": json.dumps(rule_of(leaf("revenue", ">=", 1000))), "version": 0})
    assert ok.status_code == 302
    assert "营业收入不低于 1,000万元" in client.get(url).content.decode()


def test_rule_page_reach(make_item, signed_in):
    item = make_item(function="economy_it", rule=rule_of(leaf("revenue", ">=", 1)))
    url = reverse("matching_console:rule", args=[item.pk])
    # The editor may read the library, not edit it.
    page = signed_in("editor").get(url).content.decode()
    assert "<h2>编辑规则</h2>" not in page and "营业收入不低于 1万元" in page
    assert signed_in("editor").post(url, {"rule": "{}", "version": 1}).status_code == 403
    # A department sees only its own function's items.
    assert signed_in("deptadmin").get(url).status_code == 403


def test_rule_api_get_and_put(make_item, signed_in):
    item = make_item()
    client = signed_in("manager")
    url = f"/api/v1/items/{item.pk}/rule"
    assert client.get(url).status_code == 404
    bad = client.put(url, {"rule": rule_of(leaf("founded_on", ">", 5))}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]["rule"][0].startswith("condition.all[0].value：")
    ok = client.put(url, {"rule": rule_of(leaf("employees", ">=", 10))}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 1
    body = client.get(url).json()
    assert body["rule"]["condition"]["all"][0]["attr"] == "employees" and "从业人员" in body["description"]
    stale = client.put(
        url, {"rule": rule_of(leaf("employees", ">=", 20)), "version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert (
        signed_in("agent")
        .put(url, {"rule": rule_of(leaf("employees", ">=", 1)), "version": 1}, content_type="application/json")
        .status_code
        == 403
    )


def test_matches_api_for_the_agent(make_item, agent_profile, signed_in):
    make_item(
        "高新技术企业认定奖励", rule=rule_of(leaf("qualifications", "has", "high_tech"), leaf("revenue", ">=", 1000))
    )
    body = signed_in("agent").get(f"/api/v1/enterprises/{agent_profile.uscc}/matches").json()
    assert body["nearly"][0]["short_by"][0]["text"] == "未认定为高新技术企业 ✗"


def test_console_pages_render(make_item, agent_profile, signed_in):
    make_item(rule=rule_of(leaf("revenue", ">=", 1)))
    client = signed_in("manager")
    for name, args in (
        ("index", []),
        ("profiles", []),
        ("profile", [agent_profile.uscc]),
        ("rounds", []),
        ("upload", []),
    ):
        assert client.get(reverse(f"matching_console:{name}", args=args)).status_code == 200, name
    assert (
        signed_in("reviewer_qingyang").get(reverse("matching_console:profile", args=[agent_profile.uscc])).status_code
        == 403
    )
    assert signed_in("agent").get(reverse("matching_console:index")).status_code == 403


def test_rule_preview_describes_or_points_at_the_error(make_item, signed_in):
    item = make_item()
    url = reverse("matching_console:rule_preview", args=[item.pk])
    client = signed_in("manager")
    ok = client.post(url, {"rule": json.dumps(rule_of(leaf("employees", ">=", 10)))}).content.decode()
    assert "从业人员不低于 10人" in ok
    bad = client.post(url, {"rule": json.dumps(rule_of(leaf("employees", ">=", "2020-01-01")))}).content.decode()
    assert "condition.all[0].value：" in bad
    assert not ItemRule.objects.exists()
