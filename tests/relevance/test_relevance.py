"""The relevance runner on a subset of the queries (the full set runs with
`python -m tests.relevance.run`; figures in docs/performance.md)."""
import pytest

from tests.relevance import run
from tests.relevance.queries import QUERIES, SUBSET

pytestmark = pytest.mark.django_db


def test_queries_are_judged_against_demo_topics():
    from policies.demo_data import TOPICS
    assert len(QUERIES) >= 60
    for text, topic, measure in QUERIES:
        assert topic in TOPICS, text
        assert measure is None or measure in [m["name"] for m in TOPICS[topic]["measures"]], text


def test_engine_beats_the_character_baseline_on_the_subset():
    from policies import demo
    demo.load_demo()
    result = run.evaluate([QUERIES[i] for i in SUBSET])
    engine, baseline = result["engine"], result["baseline"]
    assert result["entries"] > 20000
    assert engine["recall@10"] >= 0.8 and engine["ndcg@10"] >= 0.85
    assert engine["ndcg@10"] >= baseline["ndcg@10"]
