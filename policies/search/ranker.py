"""The ranking index: an in-process index over the search entries
(SearchEntry rows), on SQLite and PostgreSQL alike.

Scoring, for each entry:
- the backbone: BM25 over character bigrams (and, lighter, single
  characters) of the entry's title (weighted up) and text, so recall never
  depends on the dictionary;
- word matches: the query's content words, each with its synonym group as one
  term sharing one IDF (the union of the group's postings), on jieba words
  of the entry;
- phrase/proximity: two adjacent query words found next to each other;
- the kind (items first) and the region intent (the named region and the
  province up, other cities down).
Entries are then grouped: one result per document, its best entry standing
for it. A result whose query coverage (share of the query's IDF weight that
the document matches) is under the calibrated threshold is not an answer.

Consistency: rows are keyed by SearchEntry id, and a policy change re-creates
a document's rows (policies.search.index), so a row never changes in place.
Each query compares the table's highest id with the index's and adds new
rows as a delta segment; rows that disappeared are dropped when the page is
fetched (and the index is rebuilt when the row count drifts). The whole
index is rebuilt when the delta grows large, by `manage.py rebuild_search`
and after policies.search.rebuild().
"""

import math
import threading
import time
from array import array
from collections import defaultdict
from functools import lru_cache

import numpy as np

from . import segment, understand

K1, B = 1.2, 0.75
TITLE_WEIGHT = 2.0  # a title's characters count twice
W_BIGRAM, W_UNIGRAM, W_WORD, W_PROXIMITY = 1.0, 0.15, 1.2, 1.0
W_ASPECT = 0.5  # a word saying which aspect (补贴, 条件, 优惠) weighs less than one naming the topic
KIND_WEIGHT = {"item": 1.1, "document": 1.0, "article": 0.9, "interpretation": 0.85}
REGION_SAME, REGION_COUNTY, REGION_PROVINCE, REGION_OTHER = 1.35, 1.5, 1.0, 0.45
SECOND_SHARE = 0.1  # a document's second-best entry adds this share of its score
CANDIDATES = 400
PROXIMITY_DEPTH = 100  # the best entries checked for adjacent query words
# Below this share of the query's IDF weight matched by the best document, the
# answer is "none" (calibrated on the dev half of tests/relevance with
# tests/relevance/calibrate.py). A question of more than SHORT content words
# carries situation words no policy uses, so its bar is lowered in proportion.
THRESHOLD = 0.40
SHORT = 3
TAIL = 0.5  # an answered query lists the documents covering at least this share of the bar


def threshold(u):
    return THRESHOLD * min(1.0, SHORT / max(1, len(u.words)))


CHECK_SECONDS = 2.0  # how often the row count is compared (the highest id: every query)
KINDS = ("document", "article", "interpretation", "item")


def bigrams(text):
    out = []
    for run in segment.WORD.findall(text):
        if understand.CJK_RUN.fullmatch(run):
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def chars(text):
    return [c for run in understand.CJK_RUN.findall(text) for c in run]


class Postings:
    """term → (entry positions, weighted term frequencies), all terms in two
    flat arrays (a dict of small arrays costs several times the memory)."""

    def __init__(self):
        self.terms = {}
        self._term, self._entry, self._weight = array("I"), array("I"), array("f")

    def add(self, n, counts):
        terms = self.terms
        for term, weight in counts.items():
            t = terms.get(term)
            if t is None:
                t = terms[term] = len(terms)
            self._term.append(t)
            self._entry.append(n)
            self._weight.append(weight)

    def freeze(self):
        term = np.frombuffer(self._term, np.uint32)
        order = np.argsort(term, kind="stable")
        self.entries = np.frombuffer(self._entry, np.uint32)[order].astype(np.int32)
        self.weights = np.frombuffer(self._weight, np.float32)[order].copy()
        bounds = np.searchsorted(term[order], np.arange(len(self.terms) + 1))
        self.slices = {k: (int(bounds[t]), int(bounds[t + 1])) for k, t in self.terms.items()}
        del self._term, self._entry, self._weight, self.terms
        return self

    def __contains__(self, term):
        return term in self.slices

    def get(self, term, default=None):
        span = self.slices.get(term)
        if span is None:
            return default
        return self.entries[span[0] : span[1]], self.weights[span[0] : span[1]]

    def __getitem__(self, term):
        return self.get(term)

    def df(self, term):
        span = self.slices.get(term)
        return span[1] - span[0] if span else 0


def _counts(title, text, make):
    tf = defaultdict(float)
    for g in make(title):
        tf[g] += TITLE_WEIGHT
    for g in make(text):
        tf[g] += 1.0
    return tf


class Segment:
    """Postings of one batch of rows (the main build, or a delta)."""

    def __init__(self, rows, doc_titles):
        self.ids, self.kind, self.document, self.city, self.region, self.texts = [], [], [], [], [], []
        lengths = []
        bi, uni, words = Postings(), Postings(), Postings()
        self.titles = {}
        for pk, kind, document_id, title, text, city, region in rows:
            original_title = title
            title = understand.simplified(title)
            text = understand.simplified(text)
            if kind == "article":
                # An article's title repeats its document's; only its heading is its own.
                doc_title = doc_titles.get(document_id, "")
                if doc_title and title.startswith(doc_title):
                    title = title[len(doc_title) :]
            n = len(self.ids)
            self.ids.append(pk)
            self.kind.append(KINDS.index(kind))
            self.document.append(document_id)
            self.city.append(int(city or 0))
            self.region.append(int(region or 0))
            self.texts.append(title + "\n" + text)
            if kind == "document":
                self.titles[document_id] = original_title
            bi.add(n, _counts(title, text, bigrams))
            uni.add(n, _counts(title, text, chars))
            words.add(n, _counts(title, text, segment._words))
            lengths.append(len(title) * TITLE_WEIGHT + len(text))
        self.ids = np.array(self.ids, np.int64)
        self.kind = np.array(self.kind, np.int8)
        self.document = np.array(self.document, np.int64)
        self.city = np.array(self.city, np.int32)
        self.region = np.array(self.region, np.int32)
        self.lengths = np.array(lengths, np.float32)
        self.bigrams, self.unigrams, self.words = bi.freeze(), uni.freeze(), words.freeze()

    def __len__(self):
        return len(self.ids)


class Index:
    """The main segment and a delta, with statistics over both."""

    def __init__(self, segments, max_id, count):
        self.segments = segments
        self.max_id = max_id
        self.count = count
        self.checked = time.monotonic()
        self.gone = set()  # ids seen deleted
        self.total = sum(len(s) for s in segments)
        self.titles = {}  # document id: title, for the document a result hangs under
        for s in segments:
            self.titles.update(s.titles)
        self.avg = (sum(float(s.lengths.sum()) for s in segments) / self.total) if self.total else 1.0
        self._vocab = None
        self._group_df = {}

    def group_df(self, alts):
        """Entries having any word of the group (one IDF for the group)."""
        key = tuple(sorted(alts))
        if key not in self._group_df:
            ids = [s.words[a][0] + offset for s, offset in self._offsets() for a in alts if a in s.words]
            self._group_df[key] = len(np.unique(np.concatenate(ids))) if ids else 0
        return self._group_df[key]

    def _offsets(self):
        offset = 0
        for s in self.segments:
            yield s, offset
            offset += len(s)

    def df(self, table, term):
        return sum(getattr(s, table).df(term) for s in self.segments)

    def idf(self, df):
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def known(self, text):
        """True when every bigram of `text` occurs somewhere."""
        return all(self.df("bigrams", g) for g in bigrams(text))

    def sounds_like(self, keys, typed):
        """The most frequent title n-gram that sounds like `keys` and shares a
        character with `typed`, or ''."""
        if self._vocab is None:
            self._vocab = _title_vocabulary(self)
        best = ""
        for text, _count in sorted(self._vocab.get(keys, {}).items(), key=lambda kv: -kv[1]):
            if text != typed and set(text) & set(typed):
                best = text
                break
        return best


def _title_vocabulary(index):
    """{sound keys: {stretch: count}} over the titles of documents and items:
    stretches of 2–4 characters inside one word, or whole words side by side
    (never half a word: 省交 is not taken from 四川省交通运输厅)."""
    vocab = defaultdict(lambda: defaultdict(int))
    for s in index.segments:
        for n, text in enumerate(s.texts):
            if KINDS[s.kind[n]] not in ("document", "item"):
                continue
            title = text.split("\n", 1)[0]
            for run in understand.CJK_RUN.findall(title):
                keys = understand.sounds(run)
                bounds, pos = [0], 0
                for w in segment._words(run):
                    pos += len(w)
                    bounds.append(pos)
                stretches = set()
                for a, b in zip(bounds, bounds[1:]):
                    for size in (2, 3, 4):
                        stretches.update((i, i + size) for i in range(a, b - size + 1))
                for i, a in enumerate(bounds):
                    for b in bounds[i + 1 :]:
                        if 2 <= b - a <= 4:
                            stretches.add((a, b))
                for a, b in stretches:
                    vocab[keys[a:b]][run[a:b]] += 1
    return vocab


_lock = threading.Lock()
_index = None


def _rows(qs):
    return list(
        qs.values_list("id", "kind", "document_id", "title", "text", "city_code", "region_code")
        .order_by("id")
        .iterator(chunk_size=5000)
    )


def _doc_titles():
    from ..models import SearchEntry

    return dict(SearchEntry.objects.filter(kind="document").values_list("document_id", "title"))


def build():
    from ..models import SearchEntry

    rows = _rows(SearchEntry.objects.all())
    main = Segment(rows, _doc_titles())
    index = Index([main], rows[-1][0] if rows else 0, len(rows))
    index._vocab = _title_vocabulary(index)  # now, not on the first query with a typo
    return index


def invalidate():
    """Drop the index (after a rebuild of the entries)."""
    global _index
    with _lock:
        _index = None


def _max_id():
    from django.db import connection

    from ..models import SearchEntry

    with connection.cursor() as cursor:  # the ORM's aggregate costs more than the query
        cursor.execute(f"SELECT MAX(id) FROM {SearchEntry._meta.db_table}")
        return cursor.fetchone()[0] or 0


def forget(ids):
    """Rows deleted in this process: never shown again by this index."""
    with _lock:
        if _index is not None:
            _index.gone.update(ids)


def current():
    """The index, brought up to date with the table."""
    global _index
    from ..models import SearchEntry

    with _lock:
        index = _index
        if index is None:
            _index = index = build()
            return index
        top = _max_id()
        now = time.monotonic()
        if top < index.max_id:
            _index = index = build()
            return index
        if top > index.max_id:
            rows = _rows(SearchEntry.objects.filter(id__gt=index.max_id))
            delta = sum(len(s) for s in index.segments[1:]) + len(rows)
            if delta > max(2000, 0.1 * len(index.segments[0])):
                _index = index = build()
                return index
            segments = index.segments + [Segment(rows, _doc_titles())]
            fresh = Index(segments, top, index.count + len(rows))
            fresh.gone = index.gone
            _index = index = fresh
        if now - index.checked > CHECK_SECONDS:
            index.checked = now
            count = SearchEntry.objects.count()
            if abs(count - (index.total - len(index.gone))) > max(50, 0.05 * index.total):
                _index = index = build()
        return index


# --- scoring ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _groups():
    """{word: the synonym group's words}, simplified."""
    return {
        understand.simplified(w): tuple(understand.simplified(x) for x in group)
        for w, group in segment.synonyms().items()
    }


def terms_of(u):
    """The query's word terms: (label, alternatives)."""
    groups = _groups()
    out, seen = [], set()
    for w in u.words:
        alts = groups.get(w, (w,))
        key = tuple(sorted(alts))
        if key in seen:
            continue
        seen.add(key)
        out.append((w, alts))
    return out


def _bm25(index, seg, table, term, weight, scores, bits=None, bit=0):
    df = index.df(table, term)
    idf = index.idf(df)
    if not df:
        return idf  # counts against coverage: a query about what no entry mentions
    posting = getattr(seg, table).get(term)
    if posting is not None:
        idx, tf = posting
        norm = K1 * (1 - B + B * seg.lengths[idx] / index.avg)
        scores[idx] += weight * idf * tf * (K1 + 1) / (tf + norm)
        if bits is not None:
            bits[idx] |= np.uint64(1 << bit)
    return idf


class Weights:
    """The IDF of each query term, to tell how much of the query a set of
    matched terms covers."""

    def __init__(self):
        self.words, self.grams = [], []

    def coverage(self, word_bits, gram_bits):
        def share(bits, idfs):
            total = sum(idfs)
            return sum(w for j, w in enumerate(idfs) if bits >> j & 1) / total if total else 0.0

        return max(share(word_bits, self.words), share(gram_bits, self.grams))


def score(index, u, allowed=None, city=""):
    """([(score, word bits, gram bits, segment, position)] for the best
    entries, Weights); bit j is set when the entry matches term j."""
    terms = terms_of(u)[:64]
    grams = list(dict.fromkeys(g for run in u.runs for g in bigrams(run)))[:64]
    singles = list(dict.fromkeys(c for run in u.runs for c in chars(run)))
    weights = Weights()
    found = []
    # Coverage leaves aspect words out, unless the query has nothing else.
    aspect_only = all(set(alts) & understand.aspects() for _, alts in terms)
    for number, seg in enumerate(index.segments):
        n = len(seg)
        if not n:
            continue
        scores = np.zeros(n, np.float32)
        word_bits = np.zeros(n, np.uint64)
        gram_bits = np.zeros(n, np.uint64)
        gram_idfs = [_bm25(index, seg, "bigrams", g, W_BIGRAM, scores, gram_bits, j) for j, g in enumerate(grams)]
        # A query of single characters (税, 矿) is covered by its characters.
        single_bits = np.zeros(n, np.uint64) if not grams else None
        single_idfs = [
            _bm25(index, seg, "unigrams", c, W_UNIGRAM, scores, single_bits, j) for j, c in enumerate(singles[:64])
        ]
        if single_bits is not None:
            gram_bits, gram_idfs = single_bits, single_idfs
        word_idfs = []
        for j, (_, alts) in enumerate(terms):
            postings = [seg.words[a] for a in alts if a in seg.words]
            df = index.group_df(alts)
            idf = index.idf(df)
            word_idfs.append(idf * _unseen_weight(u, alts[0]) if not df else idf)
            if aspect_only is False and set(alts) & understand.aspects():
                word_idfs[-1] = 0.0  # says what about, not what: no weight in coverage
            if not postings:
                continue
            idx = np.concatenate([p[0] for p in postings])
            tf = np.concatenate([p[1] for p in postings])
            best = np.zeros(n, np.float32)
            np.maximum.at(best, idx, tf)
            hit = np.nonzero(best)[0]
            norm = K1 * (1 - B + B * seg.lengths[hit] / index.avg)
            weight = W_WORD * (W_ASPECT if set(alts) & understand.aspects() else 1.0)
            scores[hit] += weight * idf * best[hit] * (K1 + 1) / (best[hit] + norm)
            word_bits[hit] |= np.uint64(1 << j)
        if number == 0:
            weights.words = word_idfs
            # A bigram inside an aspect word weighs nothing in coverage either.
            covered = [w for w in u.words if w in understand.aspects()] if not aspect_only else []
            weights.grams = [0.0 if any(g in w for w in covered) else x for g, x in zip(grams or singles, gram_idfs)]
        scores *= np.array([KIND_WEIGHT[k] for k in KINDS], np.float32)[seg.kind]
        if u.region:
            region = int(u.region)
            city = region // 100 * 100
            factor = np.where(
                seg.city == 0, REGION_PROVINCE, np.where(seg.city == city, REGION_SAME, REGION_OTHER)
            ).astype(np.float32)
            if region != city:
                factor = np.where(seg.region == region, REGION_COUNTY, factor).astype(np.float32)
            scores *= factor
        if allowed is not None:
            scores[~np.isin(seg.ids, allowed)] = 0
        if city:
            # A city's view: its own records and the province's (as policies.search.engine.filters_q).
            scores[(seg.city != int(city)) & (seg.city != 0)] = 0
        if index.gone:
            scores[np.isin(seg.ids, list(index.gone))] = 0
        top = np.nonzero(scores)[0]
        if len(top) > CANDIDATES:
            top = top[np.argpartition(-scores[top], CANDIDATES)[:CANDIDATES]]
        found.extend((float(scores[i]), int(word_bits[i]), int(gram_bits[i]), seg, int(i)) for i in top)
    found.sort(key=lambda f: -f[0])
    found = found[:CANDIDATES]
    # Phrase/proximity: adjacent content words found side by side.
    pairs = [(a + b) for run_words in _adjacent(u) for a, b in zip(run_words, run_words[1:])]
    if pairs:
        bonus = W_PROXIMITY * max(1.0, math.log(1 + len(index.segments[0])))
        head = [
            (s + bonus * sum(1 for p in pairs if p in seg.texts[i]) / len(pairs), wb, gb, seg, i)
            for s, wb, gb, seg, i in found[:PROXIMITY_DEPTH]
        ]
        found = head + found[PROXIMITY_DEPTH:]
        found.sort(key=lambda f: -f[0])
    return found, weights


# What a word the index never saw says about the query: a noun names a topic
# the library may not have; a verb or an adjective (跑, 卖出去, 便宜) mostly
# tells the situation, and a single character even less.
UNSEEN_NOUN, UNSEEN_OTHER, UNSEEN_CHAR = 1.0, 0.3, 0.2


def _unseen_weight(u, word):
    if len(word) == 1:
        return UNSEEN_CHAR
    tag = u.tags.get(word, "n")
    return UNSEEN_OTHER if tag[:1] in ("v", "a", "l", "i", "z") else UNSEEN_NOUN


def _adjacent(u):
    """Content words grouped by the run they stand in."""
    out, words = [], list(u.words)
    for run in u.runs:
        mine = []
        while words and run.startswith("".join(mine) + words[0]):
            mine.append(words.pop(0))
        out.append(mine)
    return out


ITEM = KINDS.index("item")
DOCUMENT = KINDS.index("document")
ITEM_PREFERENCE = 0.6  # an item within this share of the best article's score is shown instead


def grouped(found, weights):
    """One result per document: [(document score, coverage, entry id, document id)], best
    first. The entry standing for a document is its best item or article
    (shown under the document; an item close behind is preferred), or the
    document itself when nothing else of it matched. A document's coverage is
    over the terms any of its entries match."""
    docs = {}
    for s, wb, gb, seg, i in found:
        document, kind = int(seg.document[i]), int(seg.kind[i])
        d = docs.get(document)
        if d is None:
            # [score, word bits, gram bits, entry id, second score, entry kind, entry score]
            docs[document] = [s, wb, gb, int(seg.ids[i]), 0.0, kind, s, document]
            continue
        d[1] |= wb
        d[2] |= gb
        if not d[4]:
            d[4] = s
        if d[5] == DOCUMENT and kind != DOCUMENT:
            d[3], d[5], d[6] = int(seg.ids[i]), kind, s
        elif d[5] not in (DOCUMENT, ITEM) and kind == ITEM and s >= ITEM_PREFERENCE * d[6]:
            d[3], d[5] = int(seg.ids[i]), kind
    out = [(d[0] + SECOND_SHARE * d[4], weights.coverage(d[1], d[2]), d[3], d[7]) for d in docs.values()]
    out.sort(key=lambda r: -r[0])
    return out
