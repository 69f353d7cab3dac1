"""Relevance of policy search over the demo library: recall@10 and nDCG@10
for the engine (policies.search) and for a plain BM25-over-characters
baseline, measured in the same run over the same entries.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 .venv/bin/python -m tests.relevance.run [--subset] [--json]

The database is migrated and the demo library loaded when missing.
Judgments come from the demo's topic labels (tests/relevance/queries.py).
recall@10 is the share of the relevant set found in the top 10, out of at
most 10 (min(10, |relevant|)), since most topics have far more than ten
relevant records. nDCG@10 uses gains 2 (the measure's items), 1 (same topic).
"""
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


def ensure_demo():
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from accounts.demo import load_demo as load_accounts
    from core.models import Region
    from core.reference import load_all
    from policies import demo, search
    from policies.models import SearchEntry
    if not Region.objects.exists():
        load_all()
    load_accounts()
    if demo.load_demo() is None and not SearchEntry.objects.exists():
        search.rebuild()


class Judge:
    """Gains of search entries for a query, from the demo's topic labels."""

    def __init__(self):
        from policies.models import LISTED, BenefitItem, PolicyDocument, SearchEntry
        self.doc_topic = dict(PolicyDocument.objects.values_list("pk", "topic"))
        self.items = {pk: (topic, title) for pk, topic, title in
                      BenefitItem.objects.filter(status__in=LISTED).values_list("pk", "topic", "title")}
        self.entries = list(SearchEntry.objects.values_list("pk", "kind", "object_id", "document_id"))

    def gain(self, kind, object_id, document_id, topic, measure):
        if kind == "item":
            item_topic, title = self.items.get(object_id, ("", ""))
            if measure and item_topic == topic and title.startswith(measure):
                return 2
            return 1 if item_topic == topic else 0
        return 1 if self.doc_topic.get(document_id) == topic else 0

    def ideal(self, topic, measure):
        gains = sorted((self.gain(k, o, d, topic, measure) for _, k, o, d in self.entries), reverse=True)
        return [g for g in gains if g > 0]


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:K]))


def score(gains, ideal, measure):
    target = 2 if measure else 1
    relevant = sum(1 for g in ideal if g >= target)
    found = sum(1 for g in gains[:K] if g >= target)
    recall = found / min(K, relevant) if relevant else 0.0
    best = dcg(ideal)
    return recall, (dcg(gains) / best if best else 0.0)


CJK = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")


def chars(text):
    return CJK.findall(unicodedata.normalize("NFKC", text or "").lower())


class CharBM25:
    """Plain Okapi BM25 (k1 1.2, b 0.75) over single CJK characters and
    ASCII words of each entry's title and text: no segmentation, no
    dictionary, no synonyms."""

    def __init__(self, rows, k1=1.2, b=0.75):
        self.k1, self.b = k1, b
        self.ids, self.lengths = [], []
        self.postings = defaultdict(list)
        for n, (key, text) in enumerate(rows):
            tf = Counter(chars(text))
            self.ids.append(key)
            self.lengths.append(sum(tf.values()))
            for term, count in tf.items():
                self.postings[term].append((n, count))
        self.avg = sum(self.lengths) / max(1, len(self.lengths))
        total = len(self.ids)
        self.idf = {t: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def search(self, query, k=K):
        scores = defaultdict(float)
        for term in set(chars(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for n, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[n] / self.avg)
                scores[n] += idf * tf * (self.k1 + 1) / (tf + norm)
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:k]
        return [self.ids[n] for n, _ in top]


def evaluate(queries):
    """{"engine": {...}, "baseline": {...}, "queries": n} with mean recall@10,
    nDCG@10 and per-query latency in ms."""
    from policies import search
    from policies.models import SearchEntry
    judge = Judge()
    rows = SearchEntry.objects.values_list("pk", "kind", "object_id", "document_id", "title", "text")
    meta = {pk: (kind, oid, did) for pk, kind, oid, did, _, _ in rows}
    started = time.perf_counter()
    baseline = CharBM25((pk, f"{title}\n{text}") for pk, _, _, _, title, text in rows)
    build_s = time.perf_counter() - started
    out = {"engine": defaultdict(list), "baseline": defaultdict(list)}
    per_query = []
    for text, topic, measure in queries:
        ideal = judge.ideal(topic, measure)
        t = time.perf_counter()
        hits = search.search(text, per_page=K).hits
        out["engine"]["ms"].append(1000 * (time.perf_counter() - t))
        engine_gains = [judge.gain(h.entry.kind, h.entry.object_id, h.entry.document_id, topic, measure) for h in hits]
        t = time.perf_counter()
        ids = baseline.search(text)
        out["baseline"]["ms"].append(1000 * (time.perf_counter() - t))
        base_gains = [judge.gain(*meta[pk], topic, measure) for pk in ids]
        for name, gains in (("engine", engine_gains), ("baseline", base_gains)):
            recall, ndcg = score(gains, ideal, measure)
            out[name]["recall"].append(recall)
            out[name]["ndcg"].append(ndcg)
        per_query.append((text, out["engine"]["recall"][-1], out["engine"]["ndcg"][-1],
                          out["baseline"]["recall"][-1], out["baseline"]["ndcg"][-1]))

    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0

    def median(xs):
        return sorted(xs)[len(xs) // 2] if xs else 0.0
    summary = {name: {"recall@10": mean(v["recall"]), "ndcg@10": mean(v["ndcg"]), "p50_ms": median(v["ms"])}
               for name, v in out.items()}
    summary.update(queries=len(queries), entries=len(meta), baseline_build_s=build_s, per_query=per_query)
    return summary


def main(argv):
    from tests.relevance.queries import QUERIES, SUBSET
    setup()
    ensure_demo()
    queries = [QUERIES[i] for i in SUBSET] if "--subset" in argv else QUERIES
    result = evaluate(queries)
    if "--per-query" in argv:
        for text, er, en, br, bn in result["per_query"]:
            print(f"{text:<24} engine R {er:.2f} nDCG {en:.2f} | baseline R {br:.2f} nDCG {bn:.2f}")
    print(f"{result['queries']} queries over {result['entries']} search entries")
    print("| | recall@10 | nDCG@10 | median latency |")
    print("|---|---|---|---|")
    for name, label in (("engine", "policies.search (rjieba + dictionary + synonyms, FTS)"),
                        ("baseline", "BM25 over characters (Python, in memory)")):
        r = result[name]
        print(f"| {label} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['p50_ms']:.1f} ms |")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
