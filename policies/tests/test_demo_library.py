"""The demo library reads as the bulletin counts it, in varied Chinese."""

import re

import pytest

from policies import demo
from policies.models import LISTED, BenefitItem, Interpretation, PolicyDocument, Status
from policies.services import NUMBER, overdue_count
from policies.stats import zone_counters

pytestmark = pytest.mark.django_db


def test_demo_library_counts_variety_and_topics():
    # The search index is rebuilt by the search tests; here only the library is checked.
    assert demo.load_demo(rebuild_index=False) == {"documents": 1472, "interpretations": 789, "items": 12620}
    assert demo.load_demo() is None  # idempotent
    assert zone_counters() == {"documents": 1472, "interpretations": 789, "items": 12620}

    listed = PolicyDocument.objects.filter(status__in=LISTED)
    # Every city has its own entry with its own records besides the province's.
    cities = set(listed.exclude(city_code="").values_list("city_code", flat=True))
    assert len(cities) == 21
    chengdu = zone_counters("510100")
    assert 262 < chengdu["documents"] < 1472 and chengdu["items"] < 12620
    # Expired documents count as listed; some are under review, for the centre's queue.
    assert listed.filter(status=Status.EXPIRED).count() > 100
    assert PolicyDocument.objects.filter(status=Status.REVIEW).exists()
    assert overdue_count() >= demo.OVERDUE_DOCUMENTS

    # Varied text: titles and article texts are mostly distinct, numbers well-formed and unique per department.
    titles = list(listed.values_list("title", flat=True))
    assert len(set(titles)) > 0.6 * len(titles)
    numbers = list(listed.values_list("department_id", "number"))
    assert len(set(numbers)) == len(numbers)
    assert all(NUMBER.match(n) for _, n in numbers)
    conditions = list(BenefitItem.objects.values_list("conditions", flat=True)[:3000])
    assert len(set(conditions)) > 300
    assert set(BenefitItem.objects.values_list("kind", flat=True).distinct()) == {
        "relief",
        "subsidy",
        "entitlement",
        "qualification",
    }
    assert BenefitItem.objects.filter(delivery="auto_grant").count() > 1000
    item = BenefitItem.objects.filter(city_code="510100").exclude(phone="").first()
    assert re.match(r"^028-\d{8}$", item.phone) and item.article.document_id == item.document_id
    assert Interpretation.objects.filter(kind="video").exclude(url="").exists()

    # Topic labels the relevance judgments use.
    assert set(demo.DEMO_TOPICS) >= {"稳岗返还", "专精特新", "高新技术企业认定奖励", "研发费用加计扣除", "小微企业减税"}
    docs, items = demo.topic_records("稳岗返还")
    assert docs.exists() and items.exists()
    assert all("稳岗" in t or "失业保险" in t or "扩岗" in t for t in items.values_list("title", flat=True)[:50])


def test_matching_demo_uses_the_library_and_keeps_the_counters(settings):
    """The matching demo (profiles, rules, an auto-grant round) hangs on the
    library's own items: the zone still reads as the bulletin counts it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from matching import demo as matching_demo

    demo.load_demo(rebuild_index=False)
    story = matching_demo.load_demo(profiles=200)
    assert story["meets"].code.startswith("HQ") and story["nearly"].code.startswith("HQ")
    assert story["meets"].delivery == BenefitItem.Delivery.AUTO_GRANT and story["round"] is not None
    assert zone_counters() == {"documents": 1472, "interpretations": 789, "items": 12620}
