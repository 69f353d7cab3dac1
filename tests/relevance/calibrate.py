"""Calibrating the no-answer threshold on the dev half only:

    DATABASE_URL=sqlite:////tmp/rel.sqlite3 .venv/bin/python -m tests.relevance.calibrate

For every dev query it takes the best document's coverage (policies.search.
ranker) and the nDCG@10 the engine would score if it answered, then lists,
for each candidate threshold, the share of no-answer queries answered
"none" and the mean nDCG@10 over the answerable ones (a wrong "none" scores
0). The threshold in ranker.THRESHOLD is chosen from this table.
"""

import sys

from tests.relevance import run


def main():
    run.setup()
    from policies import search
    from policies.search import ranker
    from tests.relevance import corpus

    doc_ids, item_ids = run.ensure_corpus()
    judge = run.Judge(doc_ids, item_ids)
    saved = ranker.THRESHOLD
    ranker.THRESHOLD = -1.0
    rows = []
    for q in corpus.queries():
        if q.half != "dev":
            continue
        r = search.search(q.text, per_page=run.K)
        u, ranked = search._ranked(q.text, search.SearchFilters())
        # Coverage as a share of the bar at THRESHOLD 1.0, so any threshold can be tried.
        scale = ranker.SHORT / max(ranker.SHORT, len(u.words))
        covers = [r[1] / scale for r in ranked[: run.K]]
        hits = [(h.entry.document_id, h.entry.object_id if h.entry.kind == "item" else None) for h in r.hits]
        ndcg = run.measure(judge, q.grades, hits)[0] if q.grades else None
        rows.append((max(covers) if covers else 0.0, len(u.words), ndcg, q))
    ranker.THRESHOLD = saved
    answerable = [r for r in rows if r[2] is not None]
    nones = [r for r in rows if r[2] is None]
    print("阈值（短查询；长查询按 SHORT/词数 降低）\t无答案答“无”\t可答查询 nDCG@10\t误答“无”")
    for t in [x / 100 for x in range(0, 80, 4)]:
        share = sum(1 for r in nones if r[0] < t) / len(nones)
        ndcg = sum(r[2] if r[0] >= t else 0.0 for r in answerable) / len(answerable)
        wrong = sum(1 for r in answerable if r[0] < t)
        print(f"{t:.2f}\t{share:.0%}\t{ndcg:.3f}\t{wrong}")
    if "-v" in sys.argv:
        for cov, n, ndcg, q in sorted(rows, key=lambda r: r[0])[:60]:
            print(f"{cov:.2f} {n} {'NONE' if ndcg is None else f'{ndcg:.2f}'} {q.type} {q.text}")


if __name__ == "__main__":
    main()
