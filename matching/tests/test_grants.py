"""免申即享: the matched enterprises listed, each confirms or declines, the
centre publishes the list for objections, then payouts; every step recorded."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from core import audit
from core.errors import Conflict, ServiceError
from core.models import AuditEntry
from matching import services
from matching.models import GrantEntry, GrantRound, Notice, Payout
from policies.models import BenefitItem

from .conftest import leaf, rule_of

AUTO = BenefitItem.Delivery.AUTO_GRANT
MONDAY = dt.date(2024, 11, 4)


@pytest.fixture
def auto_item(make_item):
    return make_item(
        "科技型中小企业研发费用补助",
        delivery=AUTO,
        amount_cap=Decimal("50"),
        rule=rule_of(leaf("qualifications", "has", "tech_sme")),
        grant_rate_attr="rd_spending",
        grant_rate=Decimal("10"),
    )


@pytest.fixture
def opened(auto_item, agent_profile, make_profile, demo_user):
    make_profile(1, qualifications=["tech_sme"], rd_spending=Decimal("900"))
    make_profile(2, qualifications=["high_tech"])
    return services.open_round(demo_user("manager"), auto_item, publicity_days=5)


def entry_of(round_, name):
    return round_.entries.get(profile__name=name)


def test_round_lists_matched_enterprises_with_amounts_and_asks_them(opened, agent_profile):
    entries = {e.profile.name: e.amount for e in opened.entries.select_related("profile")}
    # 10% of R&D spending (96万元 → 9.6), capped at the item's 50万元 (900 → 50).
    assert entries == {"成都锦程数字科技有限公司": Decimal("9.60"), "测试企业1": Decimal("50.00")}
    notice = Notice.objects.get(profile=agent_profile, kind=Notice.Kind.GRANT)
    assert "拟兑现9.60万元" in notice.text


def test_full_lifecycle(opened, demo_user, agent_profile):
    manager, agent = demo_user("manager"), demo_user("agent")
    mine = entry_of(opened, "成都锦程数字科技有限公司")
    with audit.acting_as(agent):
        services.decide(agent, mine, decision=GrantEntry.Decision.CONFIRMED, version=mine.version)
    other = entry_of(opened, "测试企业1")
    with pytest.raises(PermissionDenied):
        services.decide(agent, other, decision=GrantEntry.Decision.CONFIRMED)
    with pytest.raises(ServiceError, match="公示期满后方可兑现|不能兑现"):
        services.make_payouts(manager, opened, version=opened.version, on=MONDAY)
    with audit.acting_as(manager):
        published = services.publish_round(manager, opened, version=opened.version, on=MONDAY)
    assert published.publicity_until == dt.date(2024, 11, 11)  # 5 working days
    page = Client().get(reverse("matching:publicity")).content.decode()  # open to everyone
    assert "成都锦程数字科技有限公司" in page and "测试企业1" not in page and "2024-11-11" in page
    with pytest.raises(Conflict, match="意愿确认已截止"):
        services.decide(agent, mine, decision=GrantEntry.Decision.DECLINED)
    with pytest.raises(ServiceError, match="公示期满后方可兑现"):
        services.make_payouts(manager, published, version=published.version, on=dt.date(2024, 11, 11))
    services.record_objection(manager, mine, text="实际研发投入不足", raised_by="匿名", upheld=False)
    with audit.acting_as(manager):
        paid = services.make_payouts(manager, published, version=published.version, on=dt.date(2024, 11, 12))
    assert paid.state == GrantRound.State.PAID
    payout = Payout.objects.get()
    assert (payout.entry.profile, payout.amount, payout.paid_on) == (
        agent_profile,
        Decimal("9.60"),
        dt.date(2024, 11, 12),
    )
    assert Notice.objects.filter(profile=agent_profile, kind=Notice.Kind.PAYOUT).count() == 1
    # The agent was told in their 消息中心: the confirmation asked, the publicity, the payout; once each.
    from messaging.models import Message

    told = Message.objects.filter(recipient=agent).order_by("id")
    assert [m.kind for m in told] == [Message.Kind.GRANT, Message.Kind.OTHER, Message.Kind.OTHER]
    assert "免申即享" in told[0].subject and told[0].link == reverse("matching:grants")
    assert "已兑现9.60万元" in told[2].body
    # Every step is in the audit log.
    logged = set(AuditEntry.objects.values_list("object_type", "action"))
    assert {
        ("matching.GrantEntry", "update"),
        ("matching.GrantRound", "update"),
        ("matching.Payout", "create"),
    } <= logged


def test_upheld_objection_takes_the_enterprise_off_the_payout(opened, demo_user):
    manager, agent = demo_user("manager"), demo_user("agent")
    mine = entry_of(opened, "成都锦程数字科技有限公司")
    services.decide(agent, mine, decision=GrantEntry.Decision.CONFIRMED)
    round_ = services.publish_round(manager, opened, on=MONDAY)
    services.record_objection(manager, mine, text="已迁出本省", raised_by="市场监管局", upheld=True)
    services.make_payouts(manager, round_, on=dt.date(2024, 11, 20))
    assert not Payout.objects.exists()


def test_publishing_needs_a_confirmation_and_the_centre(opened, demo_user):
    with pytest.raises(ServiceError, match="还没有企业确认"):
        services.publish_round(demo_user("manager"), opened, on=MONDAY)
    with pytest.raises(PermissionDenied):
        services.publish_round(demo_user("deptadmin"), opened, on=MONDAY)


def test_declined_is_final_and_a_second_decision_is_refused(opened, demo_user):
    agent = demo_user("agent")
    mine = entry_of(opened, "成都锦程数字科技有限公司")
    services.decide(agent, mine, decision=GrantEntry.Decision.DECLINED, version=0)
    with pytest.raises(Conflict, match="已由陈刚于.*确认为“放弃享受”"):
        services.decide(agent, mine, decision=GrantEntry.Decision.CONFIRMED, version=0)


def test_only_auto_grant_items_and_one_open_round(make_item, auto_item, demo_user, agent_profile):
    plain = make_item(rule=rule_of(leaf("revenue", ">=", 1)))
    with pytest.raises(ServiceError, match="免申即享"):
        services.open_round(demo_user("manager"), plain)
    services.open_round(demo_user("manager"), auto_item)
    with pytest.raises(Conflict, match="进行中"):
        services.open_round(demo_user("manager"), auto_item)
    with pytest.raises(PermissionDenied):
        services.open_round(demo_user("agent"), auto_item)


def test_pages_confirm_and_the_centre_sees_it(opened, signed_in):
    client = signed_in("agent")
    page = client.get(reverse("matching:grants")).content.decode()
    assert "科技型中小企业研发费用补助" in page and "9.60万元" in page
    mine = entry_of(opened, "成都锦程数字科技有限公司")
    response = client.post(reverse("matching:decide", args=[mine.pk]), {"decision": "confirmed", "version": 0})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.decision == "confirmed" and mine.decided_by.username == "agent"
    page = signed_in("manager").get(reverse("matching_console:round", args=[opened.pk])).content.decode()
    assert "同意 1 户，放弃 0 户，待确认 1 户" in page and "陈刚" in page
    # The citizen is no agent of that organisation.
    assert (
        signed_in("citizen")
        .post(reverse("matching:decide", args=[mine.pk]), {"decision": "declined", "version": 1})
        .status_code
        == 403
    )


def test_api_decision(opened, signed_in):
    mine = entry_of(opened, "成都锦程数字科技有限公司")
    client = signed_in("agent")
    url = f"/api/v1/grants/entries/{mine.pk}/decision"
    ok = client.post(url, {"decision": "confirmed", "version": 0}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["decision"] == "confirmed"
    again = client.post(url, {"decision": "declined", "version": 0}, content_type="application/json")
    assert again.status_code == 409


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be shared by two connections"
)
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_one_wins(make_item, make_profile, demo_user):
    from accounts.models import Agent, Organisation, Person, User

    item = make_item("免申即享补助", delivery=AUTO, amount_cap=Decimal("5"), rule=rule_of(leaf("employees", ">=", 1)))
    org = Organisation.objects.get(name="成都锦程数字科技有限公司")
    make_profile(0, employees=5).delete()
    from matching.models import EnterpriseProfile

    EnterpriseProfile.objects.create(uscc=org.uscc, name=org.name, organisation=org, region_id="510104", employees=10)
    colleague = User.objects.create(username="agent2", name="林珊", kind="public")
    person = Person.objects.create(user=colleague, name="林珊", resident_id="510104199001011237")
    Agent.objects.create(organisation=org, person=person)
    round_ = services.open_round(demo_user("manager"), item)
    entry = round_.entries.get()
    barrier, outcomes = threading.Barrier(2), []

    def press(user, decision):
        try:
            barrier.wait()
            services.decide(user, GrantEntry.objects.get(pk=entry.pk), decision=decision, version=0)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=press, args=(demo_user("agent"), "confirmed")),
        threading.Thread(target=press, args=(colleague, "declined")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert any("已由" in o for o in outcomes)
    entry.refresh_from_db()
    assert entry.version == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be shared by two connections"
)
@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_one_wins(auto_item, make_profile, demo_user):
    make_profile(1, qualifications=["tech_sme"], rd_spending=Decimal("100"))
    manager = demo_user("manager")
    round_ = services.open_round(manager, auto_item)
    entry = round_.entries.get()
    entry.decision = GrantEntry.Decision.CONFIRMED
    entry.save()
    barrier, outcomes = threading.Barrier(2), []

    def press():
        try:
            barrier.wait()
            services.publish_round(manager, GrantRound.objects.get(pk=round_.pk), version=0, on=MONDAY)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "该批次已被他人处理，请刷新后查看"]
    assert Notice.objects.filter(kind=Notice.Kind.PUBLICITY).count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be shared by two connections"
)
@pytest.mark.django_db(transaction=True)
def test_two_rounds_opened_at_once_one_wins(auto_item, make_profile, demo_user):
    make_profile(1, qualifications=["tech_sme"], rd_spending=Decimal("100"))
    barrier, outcomes = threading.Barrier(2), []

    def press(user):
        try:
            barrier.wait()
            services.open_round(user, BenefitItem.objects.get(pk=auto_item.pk))
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(demo_user(name),)) for name in ("manager", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "该事项已有进行中的免申即享批次，请办结后再发起"]
    assert GrantRound.objects.filter(item=auto_item).count() == 1
