"""The first phase of ranking: a tantivy index (embedded, Rust) over the
search entries, shared by every process when it lives on disk.

It holds, per SearchEntry row, the character unigrams and bigrams (title
twice) and the jieba words of the simplified text, and stores what the
second phase needs to score the row (simplified title and text, the words).
A query asks it for the few hundred rows with the best BM25 over the query's
bigrams and words (policies.search.ranker then scores those exactly as it
always has, with the collection's statistics from here), so a query's cost
no longer grows with the library: at 100x the demo library the in-process
postings would take about 10 GB per worker and seconds per broad query.

Where: settings.SEARCH_INDEX_DIR (env TONGBAN_SEARCH_INDEX); empty keeps the
index in memory (tests, small libraries). On disk, state.json beside it says
up to which entry id it is built, so a process that opens it only adds what
is newer (see ranker.current()); one process writes at a time (tantivy's
lock), the others read the last commit.
"""

import json
import math
import os
import re
import time
from pathlib import Path

import tantivy
from django.conf import settings

from . import segment, understand

SEP = "\x1f"
WRITER_HEAP = 64_000_000
ASCII = re.compile(r"[0-9a-z_]+")


def _schema():
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=True, indexed=True, fast=True)
    b.add_integer_field("document", stored=True, indexed=True)
    b.add_integer_field("kind", stored=True)
    b.add_integer_field("city", stored=True, indexed=True)
    b.add_integer_field("region", stored=True)
    b.add_bytes_field("body", stored=True, indexed=False)
    b.add_text_field("grams", tokenizer_name="ws", index_option="freq")
    b.add_text_field("words", tokenizer_name="ws", index_option="freq")
    return b.build()


def _analyzer():
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


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


def prepare(pk, kind, document_id, title, text, city, region, doc_title=""):
    """(fields for tantivy, length) of one row: titles and texts simplified;
    an article's title loses its document's (only its heading is its own)."""
    title = understand.simplified(title)
    text = understand.simplified(text)
    if kind == "article" and doc_title:
        doc_title = understand.simplified(doc_title)
        if title.startswith(doc_title):
            title = title[len(doc_title) :]
    title_grams = bigrams(title) + chars(title)
    title_words = segment._words(title)
    text_words = segment._words(text)
    fields = {
        "id": pk,
        "document": document_id,
        "kind": KINDS.index(kind),
        "city": int(city or 0),
        "region": int(region or 0),
        "body": SEP.join([title, text, " ".join(title_words), " ".join(text_words)]).encode(),
        "grams": " ".join(title_grams + title_grams + bigrams(text) + chars(text)),
        "words": " ".join(title_words + title_words + text_words),
    }
    return fields, len(title) * 2 + len(text)


KINDS = ("document", "article", "interpretation", "item")


class Store:
    """The tantivy index and its state: the highest entry id in it, the
    number of rows and the sum of their lengths (for BM25's average)."""

    def __init__(self, path=None):
        self.path = Path(path) if path else None
        schema = _schema()
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(schema, path=str(self.path), reuse=True)
        else:
            self.index = tantivy.Index(schema)
        self.index.register_tokenizer("ws", _analyzer())
        self.schema = schema
        self.state = {"max_id": 0, "count": 0, "length": 0.0}
        if self.path and (self.path / "state.json").exists():
            self.state = json.loads((self.path / "state.json").read_text())
        self.searcher = self.index.searcher()

    # --- writing ---

    def _writer(self, wait=5.0):
        deadline = time.monotonic() + wait
        while True:
            try:
                return self.index.writer(WRITER_HEAP, 1)
            except ValueError:  # another process holds the lock
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.1)

    def write(self, rows, doc_titles, replace_documents=(), clear=False, max_id=None):
        """Add `rows` (ranker._rows) after deleting the rows of
        `replace_documents` (or everything, with `clear`); False when
        another process is writing."""
        writer = self._writer()
        if writer is None:
            return False
        if clear:
            writer.delete_all_documents()
            self.state = {"max_id": 0, "count": 0, "length": 0.0}
        for d in replace_documents:
            writer.delete_documents_by_term("document", int(d))
        added, length = 0, 0.0
        cache = {}
        for pk, kind, document_id, title, text, city, region in rows:
            key = (kind, title, text, doc_titles.get(document_id, "") if kind == "article" else "")
            prepared = cache.get(key)
            if prepared is None:
                if len(cache) > 50_000:
                    cache.clear()
                prepared = cache[key] = prepare(0, kind, 0, title, text, 0, 0, key[3])
            fields, n = prepared
            fields = {**fields, "id": pk, "document": document_id, "city": int(city or 0), "region": int(region or 0)}
            writer.add_document(tantivy.Document(**{k: [v] for k, v in fields.items()}))
            added += 1
            length += n
        writer.commit()
        writer.wait_merging_threads()
        self.state["max_id"] = max(self.state["max_id"], max_id or 0, *(r[0] for r in rows[-1:]))
        self.state["count"] += added
        self.state["length"] += length
        self._save()
        self.reload()
        return True

    def delete_documents(self, documents):
        writer = self._writer()
        if writer is None:
            return False
        for d in documents:
            writer.delete_documents_by_term("document", int(d))
        writer.commit()
        writer.wait_merging_threads()
        self.reload()
        return True

    def _save(self):
        if self.path:
            tmp = self.path / "state.json.tmp"
            tmp.write_text(json.dumps(self.state))
            os.replace(tmp, self.path / "state.json")

    def reload(self):
        """Take up the last commit (this process's or another's)."""
        self.index.reload()
        self.searcher = self.index.searcher()
        if self.path and (self.path / "state.json").exists():
            self.state = json.loads((self.path / "state.json").read_text())

    # --- reading ---

    @property
    def total(self):
        return self.searcher.num_docs

    @property
    def avg(self):
        return self.state["length"] / self.state["count"] if self.state["count"] else 1.0

    def df(self, field, term):
        return self.searcher.doc_freq(field, term)

    def count_any(self, field, terms):
        """Rows having any of `terms` (a synonym group's one document frequency)."""
        if len(terms) == 1:
            return self.df(field, terms[0])
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, t, "basic")) for t in terms]
        )
        return self.searcher.search(query, limit=1, count=True).count

    def candidates(self, grams, words, city="", limit=300):
        """The stored rows of the `limit` best BM25 matches of the bigrams
        and words (each a list of (term, boost)), restricted to a city and
        the province when `city` is given."""
        clauses = [
            (tantivy.Occur.Should, _boosted(tantivy.Query.term_query(self.schema, "grams", g, "freq"), b))
            for g, b in grams
        ] + [
            (tantivy.Occur.Should, _boosted(tantivy.Query.term_query(self.schema, "words", w, "freq"), b))
            for w, b in words
        ]
        if not clauses:
            return []
        query = tantivy.Query.boolean_query(clauses)
        if city:
            where = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "city", int(city))),
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "city", 0)),
                ]
            )
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, where)])
        hits = self.searcher.search(query, limit=limit, count=False).hits
        doc = self.searcher.doc
        return [doc(address) for _, address in hits]


def _boosted(query, boost):
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def idf(total, df):
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def location():
    return getattr(settings, "SEARCH_INDEX_DIR", "") or os.environ.get("TONGBAN_SEARCH_INDEX", "")
