"""Asking in plain Chinese: a cited answer card, counted as a consultation."""

import pytest

from cases import stats
from cases.models import CaseEvent, EventChannel
from core.errors import ServiceError
from policies import consultation
from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def test_answer_card_cites_item_document_and_article(library, demo_user):
    card = consultation.ask(demo_user("citizen"), "高新技术企业认定奖励多少钱？")
    best = card["best"]
    assert card["found"] and best["title"] == "高新技术企业认定奖励"
    assert "30万元" in best["amount"]
    assert best["document"]["number"] == "川科规〔2024〕3号"
    assert best["article"]["heading"] == "第三条" and "30万元" in best["article"]["text"]
    assert "营业执照" in best["how"]["materials"]
    assert best["department"] == "四川省科学技术厅"


def test_how_to_apply_for_stable_jobs_refund(library):
    card = consultation.ask(None, "稳岗返还怎么申请？")
    assert card["best"]["title"] == "失业保险稳岗返还"
    assert card["best"]["delivery"] == "免申即享"
    assert card["best"]["document"]["number"] == "川人社发〔2024〕12号"


def test_synonym_question_and_city(library):
    card = consultation.ask(None, "小型微型企业房租有补贴吗", city="510700")
    assert card["best"]["title"] == "小微企业房租补贴"
    assert "50%" in card["best"]["amount"]


def test_expired_policies_are_not_the_answer(library):
    card = consultation.ask(None, "研发费用加计扣除奖补")
    assert card["found"] and card["best"]["document"]["status"] != "expired"


def test_every_ask_is_counted_as_a_consultation(library, demo_user):
    from django.utils import timezone

    today = timezone.localdate()
    before = stats.figures(stats.Period(today, today))["consultations"]
    consultation.ask(demo_user("citizen"), "稳岗返还怎么申请？")
    consultation.ask(None, "绿色矿山奖补多少")
    consultation.ask(None, "量子引力")  # nothing found: still counted
    assert stats.figures(stats.Period(today, today))["consultations"] == before + 3
    events = list(CaseEvent.objects.filter(kind=CaseEvent.Kind.CONSULT).order_by("id"))[-3:]
    assert [e.data["asker"] for e in events] == ["刘芳", "匿名", "匿名"]  # a person by name, never by login
    assert all(e.channel == EventChannel.POLICY for e in events)
    assert events[0].department.function == "human_resources"
    assert events[1].department.function == "natural_resources"
    assert events[2].department is None and "未找到" in events[2].data["answer"]
    assert events[0].data["question"] == "稳岗返还怎么申请？" and "出处" in events[0].data["answer"]


@pytest.mark.parametrize("question,error", [("", "必填"), ("   ", "必填"), ("问" * 501, "500字")])
def test_bad_questions_are_refused(library, question, error):
    with pytest.raises(ServiceError) as exc:
        consultation.ask(None, question)
    assert error in exc.value.errors["question"][0]
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CONSULT, data__question=question).exists()


def test_ask_page_shows_cited_card_and_sign_in_prompt(client, library):
    response = client.post("/policies/ask/", {"question": "高新技术企业认定奖励多少钱？"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "高新技术企业认定奖励" in page and "川科规〔2024〕3号" in page and "第三条" in page
    assert "登录后转人工咨询" in page


def test_ask_page_odd_input(client, library):
    for q in ["", "😀", "AND OR NEAR *", '"""', "x" * 10000]:
        response = client.post("/policies/ask/", {"question": q})
        assert response.status_code in (200, 400)
        assert "政策咨询" in response.content.decode()


def test_a_repeated_question_counts_once_a_day_and_asking_is_rate_limited(library, client, settings):
    """25 identical anonymous posts used to add 25 to 咨询人次."""
    from django.utils import timezone

    today = stats.Period(timezone.localdate(), timezone.localdate())
    before = stats.figures(today)["consultations"]
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "ask": "30/h"}
    for _ in range(25):
        assert (
            client.post(
                "/api/v1/policies/ask", {"question": "稳岗返还怎么申请？"}, content_type="application/json"
            ).status_code
            == 200
        )
    assert stats.figures(today)["consultations"] == before + 1
    client.post("/api/v1/policies/ask", {"question": "绿色矿山奖补多少"}, content_type="application/json")
    assert stats.figures(today)["consultations"] == before + 2
    rows = {r["key"]: r["consultations"] for r in stats.breakdown(today, "channel")}
    assert rows["policy"] == 2 and stats.CHANNEL_NAMES["policy"] == "网上政策咨询"
    # Another asker (another address) asking the same question is another consultation.
    client.post(
        "/api/v1/policies/ask",
        {"question": "稳岗返还怎么申请？"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert stats.figures(today)["consultations"] == before + 3
    # Beyond the configured rate (TONGBAN_RATE_ASK → TONGBAN_RATE_LIMITS["ask"]): refused, in the API's error format, and not counted.
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "ask": "3/h"}
    from django.core.cache import cache

    cache.clear()
    codes = [
        client.post("/api/v1/policies/ask", {"question": f"问题{i}"}, content_type="application/json") for i in range(4)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert codes[-1].json()["code"] == "rate_limited" and "请求过于频繁" in codes[-1].json()["message"]
    assert stats.figures(today)["consultations"] == before + 6
