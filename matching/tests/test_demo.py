"""The matching demo on its own (without the policy library's demo): the
agent's organisation meets one auto-grant item and nearly meets another."""

from matching import demo, services
from matching.models import EnterpriseProfile, GrantEntry, Notice


def test_demo_is_deterministic_idempotent_and_shows_the_story(db):
    result = demo.load_demo(profiles=120)
    assert result["profiles"] == 125  # 120 + the five demo organisations
    assert demo.load_demo(profiles=120) is None
    agent = EnterpriseProfile.objects.get(name=demo.AGENT_ORG)
    groups = services.calculate(agent.attributes())
    assert result["meets"].title in [r.item.title for r in groups["meets"]]
    nearly = [r for r in groups["nearly"] if r.item.pk == result["nearly"].pk]
    assert nearly and nearly[0].short_by[0].text == "未认定为高新技术企业 ✗"
    entry = GrantEntry.objects.get(round=result["round"], profile=agent)
    assert entry.amount == round(agent.rd_spending / 10, 2)
    assert Notice.objects.filter(profile=agent, kind=Notice.Kind.MATCH).exists()
    assert result["pushed"] == Notice.objects.filter(kind=Notice.Kind.MATCH).count() > 0
