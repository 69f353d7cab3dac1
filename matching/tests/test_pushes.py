"""Pushes: when a rule is saved, an item changes or a profile changes, only
the enterprises newly matched get a notice, and the notices are the count."""

import json
from decimal import Decimal

from django.urls import reverse

from matching import services
from matching.models import Match, Notice
from policies.models import Status

from .conftest import leaf, rule_of

BIG = rule_of(leaf("revenue", ">=", 1000))


def notices(item):
    return sorted(Notice.objects.filter(item=item, kind=Notice.Kind.MATCH).values_list("profile__name", flat=True))


def test_saving_a_rule_pushes_to_the_matched_and_a_second_save_only_to_the_new(make_item, make_profile, demo_user):
    a = make_profile(1, revenue=Decimal("5000"))
    make_profile(2, revenue=Decimal("1500"))
    make_profile(3, revenue=Decimal("10"))
    make_profile(4, region="510400", revenue=Decimal("9000"))  # outside the county item's region
    item = make_item(region="510104", function="market_regulation")
    services.save_rule(demo_user("manager"), item, rule=rule_of(leaf("revenue", ">=", 2000)))
    assert notices(item) == ["测试企业1"]
    services.save_rule(demo_user("manager"), item, rule=BIG, version=1)
    assert notices(item) == ["测试企业1", "测试企业2"]
    assert set(Match.objects.filter(item=item).values_list("profile__name", flat=True)) == {"测试企业1", "测试企业2"}
    assert "您符合“高新技术企业认定奖励”的条件" in Notice.objects.filter(profile=a).first().text


def test_profile_change_through_the_api_pushes_newly_met_items(make_item, agent_profile, signed_in, demo_user):
    item = make_item(rule=rule_of(leaf("revenue", ">=", 2000)))
    other = make_item("科技型中小企业补助", rule=rule_of(leaf("qualifications", "has", "tech_sme")))
    services.refresh_all(notify=True)
    assert notices(other) == ["成都锦程数字科技有限公司"] and notices(item) == []
    response = signed_in("manager").patch(
        f"/api/v1/enterprises/{agent_profile.uscc}/profile",
        json.dumps({"values": {"revenue": 2500}, "source": "税务", "version": agent_profile.version}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert notices(item) == ["成都锦程数字科技有限公司"]
    assert notices(other) == ["成都锦程数字科技有限公司"]  # already matched: no second push


def test_item_withdrawn_and_published_again(make_item, make_profile):
    make_profile(1, revenue=Decimal("5000"))
    item = make_item(rule=BIG)
    services.refresh_item(item.pk)
    assert Match.objects.filter(item=item).count() == 1
    item.status = Status.WITHDRAWN
    item.save()  # the library's own save: the matching app notices it
    assert Match.objects.filter(item=item).count() == 0
    item.status = Status.PUBLISHED
    item.save()
    assert Match.objects.filter(item=item).count() == 1


def test_inbox_and_the_centre_view_show_the_pushes(make_item, agent_profile, signed_in):
    item = make_item("科技型中小企业补助", rule=rule_of(leaf("qualifications", "has", "tech_sme")))
    services.refresh_item(item.pk)
    client = signed_in("agent")
    page = client.get(reverse("matching:inbox")).content.decode()
    assert "您符合“科技型中小企业补助”的条件" in page and "未读 1 条" in page
    notice = Notice.objects.get(profile=agent_profile)
    client.post(reverse("matching:notice_read", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert signed_in("citizen").post(reverse("matching:notice_read", args=[notice.pk])).status_code == 302
    page = signed_in("manager").get(reverse("matching_console:index")).content.decode()
    assert 'id="push-total">1<' in page
