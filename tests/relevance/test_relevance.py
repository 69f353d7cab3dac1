"""The regression guard of policy search: the test half of the relevance set
(tests/relevance, README.md) must stay at or above its recorded figures
(figures.json, written by `python -m tests.relevance.run --record`). It is a
floor, not a tuning target: tuning uses the dev half only."""

import json

import pytest

from tests.relevance import corpus, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    from policies.search import ranker

    ranker.invalidate()
    yield corpus.load()
    ranker.invalidate()


def test_the_set_is_what_the_report_says():
    docs, queries = corpus.documents(), corpus.queries()
    assert len(docs) >= 60 and sum(len(d.items) for d in docs) >= 100
    assert len(queries) >= 300
    halves = {q.half for q in queries}
    assert halves == {"dev", "test"}
    for kind in corpus.TYPES:
        dev = sum(1 for q in queries if q.type == kind and q.half == "dev")
        test = sum(1 for q in queries if q.type == kind and q.half == "test")
        assert abs(dev - test) <= 1, kind
    keys = {d.key for d in docs} | {f"{d.key}.{n}" for d in docs for n in range(1, len(d.items) + 1)}
    for q in queries:
        assert set(q.grades) <= keys, q.text


def test_test_half_stays_at_its_recorded_figures(loaded):
    doc_ids, item_ids = loaded
    floors = json.loads(open(run.FIGURES, encoding="utf-8").read())
    rows = run.evaluate([q for q in corpus.queries() if q.half == "test"], doc_ids, item_ids)
    test = run.summary(rows)["test"]
    assert test["ordinary"]["engine_ndcg"] >= floors["ordinary_ndcg"]
    assert test["hard"]["engine_ndcg"] >= floors["hard_ndcg"]
    assert test["none"]["none_share"] >= floors["none_share"]
    # and the engine stays ahead of plain character-bigram BM25 on the same corpus
    assert test["hard"]["engine_ndcg"] > test["hard"]["bm25_ndcg"]
