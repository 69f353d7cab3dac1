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
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np

from . import segment, shared, understand

K1, B = 1.2, 0.75
TITLE_WEIGHT = 2.0  # a title's characters count twice
W_BIGRAM, W_UNIGRAM, W_WORD, W_PROXIMITY = 1.0, 0.15, 1.2, 1.0
W_ASPECT = 0.5  # a word saying which aspect (补贴, 条件, 优惠) weighs less than one naming the topic
KIND_WEIGHT = {"item": 1.1, "document": 1.0, "article": 0.9, "interpretation": 0.85}
REGION_SAME, REGION_COUNTY, REGION_PROVINCE, REGION_OTHER = (
    1.35,
    1.5,
    1.0,
    0.45,
)  # other: a filtered city not the one named
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


def names_the_unknown(index, u):
    """True for a short query (SHORT content words or fewer) naming a thing
    — a noun, by jieba's tag — that the library mentions nowhere, neither as
    a word (or a synonym of it) nor by all its bigrams: a short query names
    its topic, and a topic the library never mentions has no answer here,
    however well its other words (培训, 补贴) match. Long questions are left
    to coverage: they carry situation words no policy uses."""
    if len(u.words) > SHORT:
        return False
    for _, alts in terms_of(u):
        word = alts[0]
        if len(word) < 2 or u.tags.get(word, "")[:1] not in ("n", "j"):
            continue
        if not index.group_df(alts) and not index.known(word):
            return True
    return False


def threshold(u):
    return THRESHOLD * min(1.0, SHORT / max(1, len(u.words)))


CHECK_SECONDS = 2.0  # how often the row count is compared (the highest id: every query)
CHECK_SECONDS_LARGE, LARGE = 60.0, 200_000
KINDS = ("document", "article", "interpretation", "item")


bigrams = shared.bigrams
chars = shared.chars


class Counted:
    """term → (candidate positions, weighted term frequencies), counted in
    the candidates' stored text when first asked for (a title counts twice).
    The candidates' texts are joined into one string, so a term costs one
    scan for all of them; a word list is padded with spaces (" 补贴 ") so
    only whole words count."""

    def __init__(self, titles, texts, pad=""):
        self.pad = pad
        self.n = len(titles)
        self.parts = [(*self._joined(titles), titles), (*self._joined(texts), texts)]
        self.cache = {}

    @staticmethod
    def _joined(values):
        offsets = np.cumsum([0] + [len(v) + 1 for v in values[:-1]]) if values else np.zeros(0, np.int64)
        return "\x1e".join(values), offsets

    def _count(self, joined, offsets, needle, rows):
        total = joined.count(needle)
        if not total:
            return None
        if total > len(rows):  # a common term: count row by row
            return np.array([r.count(needle) for r in rows], np.float32)
        positions, start, find = [], joined.find(needle), joined.find
        while start >= 0:
            positions.append(start)
            start = find(needle, start + len(needle) - len(self.pad))
        if not positions:
            return None
        rows = np.searchsorted(offsets, np.array(positions), side="right") - 1
        return np.bincount(rows, minlength=self.n).astype(np.float32)

    def get(self, term, default=None):
        if term not in self.cache:
            needle = f"{self.pad}{term}{self.pad}"
            tf = np.zeros(self.n, np.float32)
            for weight, (joined, offsets, rows) in zip((TITLE_WEIGHT, 1.0), self.parts):
                counts = self._count(joined, offsets, needle, rows)
                if counts is not None:
                    tf += weight * counts
            idx = np.nonzero(tf)[0]
            self.cache[term] = (idx, tf[idx]) if len(idx) else None
        found = self.cache[term]
        return default if found is None else found

    def __contains__(self, term):
        return self.get(term) is not None

    def __getitem__(self, term):
        return self.get(term)


class Candidates:
    """The rows the first phase found (policies.search.shared), with what
    scoring needs: ids, kinds, documents, cities, lengths, and postings of
    the query's terms counted in the stored text."""

    def __init__(self, docs):
        n = len(docs)
        self.ids = np.fromiter((d["id"][0] for d in docs), np.int64, n)
        self.kind = np.fromiter((d["kind"][0] for d in docs), np.int8, n)
        self.document = np.fromiter((d["document"][0] for d in docs), np.int64, n)
        self.city = np.fromiter((d["city"][0] for d in docs), np.int32, n)
        self.region = np.fromiter((d["region"][0] for d in docs), np.int32, n)
        bodies = [d["body"][0].decode().split(shared.SEP) for d in docs]
        titles, texts = [b[0] for b in bodies], [b[1] for b in bodies]
        self.texts = [a + "\n" + b for a, b in zip(titles, texts)]
        self.lengths = np.array([len(a) * TITLE_WEIGHT + len(b) for a, b in zip(titles, texts)], np.float32)
        self.bigrams = self.unigrams = Counted(titles, texts)
        self.words = Counted([f" {b[2]} " for b in bodies], [f" {b[3]} " for b in bodies], pad=" ")
        self.titles = {}

    def __len__(self):
        return len(self.ids)


GROUP_COUNT_LIMIT = 50_000
COMMON_SHARE, COMMON_MIN = 0.05, 20_000
FIRST_PHASE = 200  # rows the first phase hands to the second
FIRST_PHASE_FILTERED = 3000  # with filters the index does not hold (department, kind …), more


class Index:
    """The collection's statistics and the first phase, over the shared
    tantivy index (one Index per state of it: caches are per state)."""

    def __init__(self, store):
        self.store = store
        self.max_id = store.state["max_id"]
        self.checked = time.monotonic()
        self.gone = set()  # ids seen deleted
        self.total = store.total
        self.avg = store.avg
        self.titles = {}
        self._vocab = None
        self._group_df = {}
        self._df = {}

    def group_df(self, alts):
        """Entries having any word of the group (one IDF for the group)."""
        key = tuple(sorted(alts))
        if key not in self._group_df:
            dfs = [self.df("words", a) for a in key]
            if sum(dfs) < GROUP_COUNT_LIMIT:
                self._group_df[key] = self.store.count_any("words", list(key))
            else:  # counting the union of long posting lists costs more than its precision is worth
                self._group_df[key] = min(self.total, sum(dfs))
        return self._group_df[key]

    def df(self, table, term):
        key = (table, term)
        if key not in self._df:
            self._df[key] = self.store.df("words" if table == "words" else "grams", term)
        return self._df[key]

    def idf(self, df):
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def known(self, text):
        """True when every bigram of `text` occurs somewhere."""
        return all(self.df("bigrams", g) for g in bigrams(text))

    def sounds_like(self, keys, typed):
        """The most frequent title n-gram that sounds like `keys` and shares a
        character with `typed`, or ''."""
        if self._vocab is None:
            self._vocab = _vocabulary()
        best = ""
        for text, _count in sorted(self._vocab.get(keys, {}).items(), key=lambda kv: -kv[1]):
            if text != typed and set(text) & set(typed):
                best = text
                break
        return best

    def candidates(self, grams, words, city="", filtered=False):
        limit = FIRST_PHASE_FILTERED if filtered else FIRST_PHASE
        return Candidates(self.store.candidates(grams, words, city, limit))


@lru_cache(maxsize=1)
def _vocabulary():
    """{sound keys: {stretch: count}} over the distinct titles of documents
    and items (see _title_vocabulary); kept for the process (titles of new
    documents join at the next rebuild)."""
    from ..models import SearchEntry

    titles = Counter(
        SearchEntry.objects.filter(kind__in=["document", "item"]).values_list("title", flat=True).iterator()
    )
    return _title_vocabulary((understand.simplified(t), n) for t, n in titles.items())


def _title_vocabulary(titles):
    """{sound keys: {stretch: count}} over (title, count): stretches of 2–4
    characters inside one word, or whole words side by side (never half a
    word: 省交 is not taken from 四川省交通运输厅)."""
    vocab = defaultdict(lambda: defaultdict(int))
    for title, count in titles:
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
                vocab[keys[a:b]][run[a:b]] += count
    return vocab


_lock = threading.Lock()
_index = None
_store = None


def _rows(qs):
    return qs.values_list("id", "kind", "document_id", "title", "text", "city_code", "region_code").order_by("id")


def _doc_titles(documents=None):
    from ..models import SearchEntry

    qs = SearchEntry.objects.filter(kind="document")
    if documents is not None:
        qs = qs.filter(document_id__in=list(documents))
    return dict(qs.values_list("document_id", "title"))


def _the_store():
    global _store
    if _store is None:
        _store = shared.Store(shared.location())
    return _store


def _rebuild(store):
    """The whole table into the shared index, in batches."""
    from ..models import SearchEntry

    titles = _doc_titles()
    top = _max_id()
    first, batch = True, []
    for row in _rows(SearchEntry.objects.filter(id__lte=top)).iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) >= 50_000:
            store.write(batch, titles, clear=first)
            first, batch = False, []
    store.write(batch, titles, clear=first, max_id=top)
    _vocabulary.cache_clear()
    return Index(store)


def build():
    """A fresh shared index from the table (`manage.py rebuild_search`)."""
    global _index
    with _lock:
        _index = _rebuild(_the_store())
        return _index


def invalidate():
    """Drop the index (after a rebuild of the entries): the next query
    builds it again from the table."""
    global _index, _store
    with _lock:
        _index = None
        if _store is not None and _store.path is not None:
            _store.state["max_id"] = -1
            _store._save()
        _store = None
        _vocabulary.cache_clear()


def _max_id():
    from django.db import connection

    from ..models import SearchEntry

    with connection.cursor() as cursor:  # the ORM's aggregate costs more than the query
        cursor.execute(f"SELECT MAX(id) FROM {SearchEntry._meta.db_table}")
        return cursor.fetchone()[0] or 0


def _row_count(expected):
    """The table's row count; on PostgreSQL, for a large table, the planner's
    estimate (pg_class.reltuples, kept by autovacuum): an exact count there
    scans the table (1 s at 2.2 M rows), and this only looks for a drift."""
    from django.db import connection

    from ..models import SearchEntry

    if connection.vendor == "postgresql" and expected > LARGE:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [SearchEntry._meta.db_table]
            )
            row = cursor.fetchone()
        if row and row[0] and row[0] > 0:
            return row[0]
    return SearchEntry.objects.count()


def forget(ids):
    """Rows deleted in this process: never shown again by this index."""
    with _lock:
        if _index is not None:
            _index.gone.update(ids)


def drop_documents(documents):
    """A document's rows left the table (withdrawn): out of the shared index."""
    global _index
    with _lock:
        if _store is not None and _store.delete_documents(documents):
            gone = _index.gone if _index is not None else set()
            _index = Index(_store)
            _index.gone = gone


def current():
    """The index, brought up to date with the table: rows with ids above
    the index's are added (their documents' older rows replaced); an index
    ahead of the table (refilled, a test flush) or far off its row count is
    built again."""
    global _index
    from .. import vocabulary
    from ..models import SearchEntry

    with _lock:
        store = _the_store()
        if _index is None:
            vocabulary.refresh_if_stale()
            if store.path is not None:
                store.reload()  # another process may have written since
        top = _max_id()
        if store.state["max_id"] < 0 or top < store.state["max_id"] or (_index is None and store.total == 0 and top):
            _index = _rebuild(store)
            return _index
        index = _index
        fresh = index is None
        if top > store.state["max_id"]:
            rows = list(_rows(SearchEntry.objects.filter(id__gt=store.state["max_id"], id__lte=top)))
            documents = {r[2] for r in rows}
            store.write(rows, _doc_titles(documents), replace_documents=documents, max_id=top)
            index = None
        if index is None:
            gone = _index.gone if _index is not None else set()
            _index = index = Index(store)
            index.gone = gone
        now = time.monotonic()
        # The row count of a large table costs a scan: compared less often.
        every = CHECK_SECONDS if index.total < LARGE else CHECK_SECONDS_LARGE
        if now - index.checked > every or fresh:
            index.checked = now
            if not fresh:
                vocabulary.refresh_if_stale()
            count = _row_count(index.total)
            if abs(count - (index.total - len(index.gone))) > max(50, 0.05 * index.total):
                _index = index = _rebuild(store)
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
        self.city = 0  # the city named in the query (its code), or 0

    def coverage(self, word_bits, gram_bits, local=False):
        """`local`: the document is the named city's own. The place a query
        names is part of what it asks (it was taken out of the words): the
        city's own policy answers that part, as one more word of the query's
        average weight; a province-wide one neither answers nor misses it."""

        def share(bits, idfs):
            total = sum(idfs)
            if not total:
                return 0.0
            got = sum(w for j, w in enumerate(idfs) if bits >> j & 1)
            if local:
                place = total / len(idfs)
                return (got + place) / (total + place)
            return got / total

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
    # The first phase: the rows with the best BM25 over the query's bigrams
    # (its characters when it has none) and words, from the shared index.
    first_grams = [(g, W_BIGRAM) for g in grams] or [(c, W_UNIGRAM) for c in singles[:64]]
    first_words = [
        (a, W_WORD * (W_ASPECT if set(alts) & understand.aspects() else 1.0)) for _, alts in terms for a in alts
    ]
    # A synonym the segmenter never cut out of any text (a group approved
    # after the last rebuild, a compound the text words differently) is
    # found by its bigrams and, in the second phase, as a phrase.
    unsegmented = [a for _, alts in terms for a in alts if len(a) > 1 and not index.df("words", a)]
    first_grams += [(g, W_BIGRAM * 0.5) for a in unsegmented for g in bigrams(a) if g not in grams]
    # A term in a large share of a large library (企业, 补贴 at 100x the demo)
    # barely orders the first phase and costs the most: it is scored in the
    # second phase only, unless the query has nothing rarer.
    common = max(COMMON_SHARE * index.total, COMMON_MIN)
    rare_grams = [t for t in first_grams if index.df("bigrams", t[0]) < common]
    rare_words = [t for t in first_words if index.df("words", t[0]) < common]
    if rare_grams or rare_words:
        first_grams, first_words = rare_grams, rare_words
    else:
        first_grams = sorted(first_grams, key=lambda t: index.df("bigrams", t[0]))[:2]
        first_words = []
    filtered = allowed is not None or bool(index.gone)
    # A named city keeps to its own records and the province's, as its filter
    # does (policies.search.engine.filters_q): in the first phase too, so other
    # cities' look-alikes do not take the candidates' places.
    named = str(int(u.region) // 100 * 100) if u.region else ""
    city = city or named
    segments = [index.candidates(first_grams, first_words, city, filtered)]
    for number, seg in enumerate(segments):
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
            postings = [seg.words[a] for a in alts if a in seg.words] or [
                seg.bigrams[a] for a in alts if a in unsegmented and a in seg.bigrams
            ]
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
            weights.city = int(named)
            factor = np.where(
                seg.city == 0, REGION_PROVINCE, np.where(seg.city == int(named), REGION_SAME, REGION_OTHER)
            ).astype(np.float32)
            if region != int(named):
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
        bonus = W_PROXIMITY * max(1.0, math.log(1 + index.total))
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
            docs[document] = [s, wb, gb, int(seg.ids[i]), 0.0, kind, s, document, int(seg.city[i])]
            continue
        d[1] |= wb
        d[2] |= gb
        if not d[4]:
            d[4] = s
        if d[5] == DOCUMENT and kind != DOCUMENT:
            d[3], d[5], d[6] = int(seg.ids[i]), kind, s
        elif d[5] not in (DOCUMENT, ITEM) and kind == ITEM and s >= ITEM_PREFERENCE * d[6]:
            d[3], d[5] = int(seg.ids[i]), kind
    out = [
        (d[0] + SECOND_SHARE * d[4], weights.coverage(d[1], d[2], weights.city and d[8] == weights.city), d[3], d[7])
        for d in docs.values()
    ]
    out.sort(key=lambda r: -r[0])
    return out
