"""The relevance run: the zone's search (policies.search.search) against a
plain character-bigram BM25 over the same corpus, in the same run, on the
evaluation set of tests/relevance (corpus/*.txt, queries.txt; see README.md).

    DATABASE_URL=sqlite:////tmp/rel.sqlite3 .venv/bin/python -m tests.relevance.run [--half dev|test] [--json] [--misses]

The database is migrated and the corpus imported and published when missing
(a fresh database is best: the demo library would add its own entries).

Measures, at 10: nDCG (gains 0/1/2; a document and what hangs on it count
once, at the best grade shown so far, so repeats of a document earn nothing)
and recall (documents graded 2 — or 1 when none is — found in the top 10,
out of min(10, their number)). For no-answer queries: the share the engine
answers with nothing. For answerable queries: the share wrongly answered
with nothing (included in the figures as zero).
"""

import argparse
import json
import math
import os
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict

K = 10


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()


def ensure_corpus():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.models import Region
    from core.reference import load_all

    if not Region.objects.exists():
        load_all()
    from tests.relevance import corpus

    return corpus.load()


# --- the baseline -------------------------------------------------------------

CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")


def bigrams(text):
    out = []
    for run in CJK_RUN.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if run.isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


class BigramBM25:
    """Okapi BM25 (k1 1.2, b 0.75) over character bigrams (single characters
    only for one-character runs) and ASCII words: no dictionary, no synonyms,
    no stopwords, no threshold."""

    def __init__(self, rows, k1=1.2, b=0.75):
        self.k1, self.b = k1, b
        self.keys, self.lengths = [], []
        self.postings = defaultdict(list)
        for n, (key, text) in enumerate(rows):
            tf = Counter(bigrams(text))
            self.keys.append(key)
            self.lengths.append(sum(tf.values()))
            for term, count in tf.items():
                self.postings[term].append((n, count))
        self.avg = sum(self.lengths) / max(1, len(self.lengths))
        total = len(self.keys)
        self.idf = {t: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def search(self, query, k=K):
        scores = defaultdict(float)
        for term in set(bigrams(query)):
            for n, tf in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[n] / self.avg)
                scores[n] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
        top = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [self.keys[n] for n, _ in top]


def baseline_rows():
    """(key, text) for every listed document, article and item, straight from
    the library: key is (document id, item id or None)."""
    from policies.models import LISTED, BenefitItem, PolicyArticle, PolicyDocument

    docs = PolicyDocument.objects.filter(status__in=LISTED)
    for d in docs:
        yield (d.pk, None), "\n".join([d.title, d.number, d.issuers, d.summary])
    for a in PolicyArticle.objects.filter(document__in=docs).select_related("document"):
        yield (a.document_id, None), "\n".join([a.document.title, a.heading, a.text])
    for i in BenefitItem.objects.filter(status__in=LISTED):
        yield (i.document_id, i.pk), "\n".join([i.title, i.target, i.conditions, i.amount, i.apply_period, i.materials])


# --- judging ------------------------------------------------------------------


class Judge:
    def __init__(self, doc_ids, item_ids):
        self.doc_key = {pk: key for key, pk in doc_ids.items()}
        self.item_key = {pk: key for key, pk in item_ids.items()}

    def grade(self, grades, document_id, item_id):
        doc = self.doc_key.get(document_id)
        if doc is None:
            return None, 0
        item = self.item_key.get(item_id) if item_id else None
        if item and item in grades:
            return doc, grades[item]
        return doc, grades.get(doc, 0)

    @staticmethod
    def ideal(grades):
        best = defaultdict(int)
        for key, g in grades.items():
            doc = key.split(".")[0]
            best[doc] = max(best[doc], g)
        return best


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:K]))


def measure(judge, grades, hits):
    """(nDCG@10, recall@10) of `hits`, a list of (document id, item id)."""
    best = judge.ideal(grades)
    credited, gains, found = defaultdict(int), [], set()
    for document_id, item_id in hits[:K]:
        doc, g = judge.grade(grades, document_id, item_id)
        gain = max(0, g - credited[doc]) if doc else 0
        if doc and g:
            credited[doc] = max(credited[doc], g)
            found.add(doc)
        gains.append(gain)
    ideal = sorted(best.values(), reverse=True)
    top = max(best.values())
    relevant = {d for d, g in best.items() if g == top}
    recall = len(relevant & found) / min(K, len(relevant))
    return dcg(gains) / dcg(ideal), recall


def engine_hits(q):
    from policies import search

    results = search.search(q, per_page=K)
    out = []
    for h in results.hits:
        e = h.entry
        out.append((e.document_id, e.object_id if e.kind == "item" else None))
    return out


def evaluate(queries, doc_ids, item_ids):
    judge = Judge(doc_ids, item_ids)
    baseline = BigramBM25(baseline_rows())
    rows = []
    for q in queries:
        t = time.perf_counter()
        hits = engine_hits(q.text)
        ms = 1000 * (time.perf_counter() - t)
        base = baseline.search(q.text)
        row = {"line": q.line, "type": q.type, "half": q.half, "q": q.text, "ms": ms, "engine_none": not hits}
        if q.grades:
            row["engine"] = measure(judge, q.grades, hits)
            row["baseline"] = measure(judge, q.grades, base)
        rows.append(row)
    return rows


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(0.95 * len(xs))) - 1)] if xs else 0.0


def summary(rows):
    """{half: {group: {...}}} with group = a query type, "ordinary", "hard" or "none"."""
    from tests.relevance.corpus import HARD, TYPES

    out = {}
    for half in ("dev", "test"):
        mine = [r for r in rows if r["half"] == half]
        if not mine:
            continue
        groups = {t: [r for r in mine if r["type"] == t] for t in TYPES}
        groups["hard"] = [r for r in mine if r["type"] in HARD]
        figures = {}
        for name, rs in groups.items():
            if not rs:
                continue
            if name == "none":
                figures[name] = {"n": len(rs), "none_share": mean(r["engine_none"] for r in rs)}
                continue
            figures[name] = {
                "n": len(rs),
                "engine_ndcg": mean(r["engine"][0] for r in rs),
                "engine_recall": mean(r["engine"][1] for r in rs),
                "bm25_ndcg": mean(r["baseline"][0] for r in rs),
                "bm25_recall": mean(r["baseline"][1] for r in rs),
                "false_none": mean(r["engine_none"] for r in rs),
            }
        figures["latency"] = {
            "p50_ms": sorted(r["ms"] for r in mine)[len(mine) // 2],
            "p95_ms": p95(r["ms"] for r in mine),
        }
        out[half] = figures
    return out


def markdown(figures):
    from tests.relevance.corpus import TYPE_NAMES

    lines = []
    for half, groups in figures.items():
        lines += [
            f"**{half}**",
            "",
            "| 查询类型 | n | 引擎 nDCG@10 | 引擎 recall@10 | BM25 nDCG@10 | BM25 recall@10 | 差 nDCG | 误答“无” |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, g in groups.items():
            if name in ("latency", "none"):
                continue
            label = {"hard": "困难（合计）"}.get(name, TYPE_NAMES.get(name, name))
            lines.append(
                f"| {label} | {g['n']} | {g['engine_ndcg']:.3f} | {g['engine_recall']:.3f} | "
                f"{g['bm25_ndcg']:.3f} | {g['bm25_recall']:.3f} | {g['engine_ndcg'] - g['bm25_ndcg']:+.3f} | "
                f"{g['false_none']:.0%} |"
            )
        if "none" in groups:
            lines.append(
                f"| 无答案：答“没有找到” | {groups['none']['n']} | {groups['none']['none_share']:.0%} | | "
                f"0%（无阈值） | | | |"
            )
        lat = groups["latency"]
        lines += ["", f"延迟（引擎，单次查询）：p50 {lat['p50_ms']:.1f} ms，p95 {lat['p95_ms']:.1f} ms", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the test half's figures to figures.json (the floor tests/relevance/test_relevance.py holds)",
    )
    parser.add_argument("--misses", action="store_true", help="list the queries the engine does worst on (dev only)")
    args = parser.parse_args(argv)
    setup()
    from tests.relevance import corpus

    doc_ids, item_ids = ensure_corpus()
    queries = [q for q in corpus.queries() if not args.half or q.half == args.half]
    search_warmup()
    rows = evaluate(queries, doc_ids, item_ids)
    figures = summary(rows)
    if args.record:
        record(figures["test"])
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        from django.db import connection

        print(f"数据库：{connection.vendor}；查询 {len(queries)} 条\n")
        print(markdown(figures))
    if args.misses:
        for r in sorted((r for r in rows if r["half"] == "dev"), key=lambda r: r.get("engine", (1,))[0])[:40]:
            print(
                r["type"],
                r["q"],
                r.get("engine"),
                r.get("baseline"),
                "NONE" if r["engine_none"] else "",
                file=sys.stderr,
            )


FIGURES = os.path.join(os.path.dirname(__file__), "figures.json")


def record(test):
    """The floors of the regression guard: the test half's nDCG@10 for
    ordinary and hard queries and the no-answer share, rounded down to 0.01."""
    floors = {
        "ordinary_ndcg": math.floor(test["ordinary"]["engine_ndcg"] * 100) / 100,
        "hard_ndcg": math.floor(test["hard"]["engine_ndcg"] * 100) / 100,
        "none_share": math.floor(test["none"]["none_share"] * 100) / 100,
    }
    with open(FIGURES, "w", encoding="utf-8") as f:
        json.dump(floors, f, indent=1)
        f.write("\n")


def search_warmup():
    from policies import search

    search.search("企业")


if __name__ == "__main__":
    main()
