"""Full-text search over the policy library, behind one interface:
segmentation with a domain dictionary and synonyms (segment), the entries
kept for documents, articles, interpretations and items (index), and an
embedded SQLite FTS5 index by default with a PostgreSQL path in production
(engine), chosen by the database vendor.

    search(q, filters, page=1)  -> Results (a page of Hits, highlighted)
    suggest(prefix)             -> a few completions for the search box
    refresh_document(document)  -> re-index one document and what hangs on it
    rebuild()                   -> re-index the whole library
"""

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import LISTED, BenefitItem, SearchEntry, Status
from . import engine, index, ranker, segment, understand

PER_PAGE = 20
SNIPPET_CHARS = 120
CODE = re.compile(r"^[0-9]{6}$")
INDUSTRY = re.compile(r"^[A-Za-z][0-9]{0,4}$")
SIZES = ("large", "medium", "small", "micro")
SIZE_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def refresh_document(document):
    """Re-index a document with its articles, interpretations and items
    (called by policies.services after every change of state or content).
    The ranking index sees the new rows by their ids; the old ones are
    struck off here at once."""
    old = list(SearchEntry.objects.filter(document_id=document.pk).values_list("id", flat=True))
    count = index.refresh_document(document)
    ranker.forget(old)
    if not count:
        ranker.drop_documents([document.pk])  # withdrawn: no new rows will replace its old ones
    return count


def rebuild():
    """Re-index the whole library (after a bulk import or the demo load)."""
    total = index.rebuild()
    ranker.invalidate()
    return total


@dataclass
class SearchFilters:
    city: str = ""
    department: int | None = None
    types: list = field(default_factory=list)
    item_kind: str = ""
    delivery: str = ""
    industry: str = ""
    size: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    ignored: list = field(default_factory=list)  # names of filters given but not understood

    @classmethod
    def from_params(cls, params):
        """Filters from a query string; a value that does not fit is left out
        (and named in `ignored`), never an error."""
        f = cls()

        def take(name, ok, convert=str):
            value = (params.get(name) or "").strip()
            if not value:
                return None
            if ok(value):
                return convert(value)
            f.ignored.append(name)
            return None

        f.city = take("city", CODE.match) or ""
        f.department = take("department", lambda v: v.isdigit() and len(v) < 12, int)
        f.types = [
            t
            for t in (params.getlist("type") if hasattr(params, "getlist") else [params.get("type")])
            if t in SearchEntry.Kind.values
        ]
        f.item_kind = take("item_kind", lambda v: v in BenefitItem.Kind.values) or ""
        f.delivery = take("delivery", lambda v: v in BenefitItem.Delivery.values) or ""
        f.industry = take("industry", INDUSTRY.match, str.upper) or ""
        f.size = take("size", lambda v: v in SIZES) or ""
        f.status = take("status", lambda v: v in LISTED) or ""
        f.date_from = take("date_from", _is_date, dt.date.fromisoformat)
        f.date_to = take("date_to", _is_date, dt.date.fromisoformat)
        return f

    def any(self):
        return any(
            [
                self.city,
                self.department,
                self.types,
                self.item_kind,
                self.delivery,
                self.industry,
                self.size,
                self.status,
                self.date_from,
                self.date_to,
            ]
        )


def _is_date(value):
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


@dataclass
class Hit:
    entry: SearchEntry
    title: str  # safe HTML, matches in <mark>
    snippet: str  # safe HTML
    url: str
    score: float | None = None
    parent: tuple | None = None  # (title, url) of the document an item or article belongs to

    @property
    def kind(self):
        return self.entry.kind

    @property
    def kind_label(self):
        return self.entry.get_kind_display()

    @property
    def item_kind_label(self):
        return BenefitItem.Kind(self.entry.item_kind).label if self.entry.item_kind in BenefitItem.Kind.values else ""

    @property
    def delivery_label(self):
        return (
            BenefitItem.Delivery(self.entry.delivery).label
            if self.entry.delivery in BenefitItem.Delivery.values
            else ""
        )

    @property
    def expired(self):
        return self.entry.status == Status.EXPIRED


@dataclass
class Results:
    query: str
    truncated: bool
    terms: list
    mode: str  # "all" (every term), "any" (some terms), "browse" (filters only), "none"
    page: object = None
    hits: list = field(default_factory=list)
    understood: object = None  # policies.search.understand.Understood
    no_answer: bool = False  # nothing above the threshold: "没有找到直接相关的政策"
    topics: list = field(default_factory=list)  # nearest topics when there is no answer

    @property
    def corrected(self):
        return self.understood.corrected if self.understood else ""

    @property
    def region(self):
        """(code, name as typed) of a city or county named in the query."""
        return (
            (self.understood.region, self.understood.region_name)
            if self.understood and self.understood.region
            else None
        )

    @property
    def region_city(self):
        return self.understood.region[:4] + "00" if self.region else ""

    @property
    def region_city_name(self):
        from core.models import Region

        return Region.objects.filter(code=self.region_city).values_list("name", flat=True).first() or ""

    @property
    def count(self):
        return self.page.paginator.count if self.page else 0


@lru_cache(maxsize=4)
def _url_pattern(name):
    """reverse() once per URL name ("…/0/" with the id left as a slot)."""
    return reverse(name, args=[0]).replace("/0/", "/{}/")


def url_for(entry):
    if entry.kind == SearchEntry.Kind.ITEM:
        return _url_pattern("policies:item").format(entry.object_id)
    base = _url_pattern("policies:document").format(entry.document_id)
    if entry.kind == SearchEntry.Kind.ARTICLE:
        return f"{base}#article-{entry.object_id}"
    if entry.kind == SearchEntry.Kind.INTERPRETATION:
        return f"{base}#interpretation-{entry.object_id}"
    return base


def highlight(text, words, limit=None):
    """`text` HTML-escaped, with every occurrence of `words` in <mark>; cut to
    a window of `limit` characters around the first match when given."""
    text = text or ""
    lowered = segment.normalise(text) if len(segment.normalise(text)) == len(text) else text.lower()
    marked = bytearray(len(text))
    for word in words:
        if not word:
            continue
        start = lowered.find(word)
        while start >= 0:
            marked[start : start + len(word)] = b"\1" * len(word)
            start = lowered.find(word, start + 1)
    begin, end = 0, len(text)
    if limit and len(text) > limit:
        first = marked.find(b"\1")
        begin = max(0, first - limit // 4) if first >= 0 else 0
        end = min(len(text), begin + limit)
    out, i = [], begin
    while i < end:
        j = i
        while j < end and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)


def highlight_words(terms):
    return segment.plain_words(terms)


def _marks(u):
    """The words to mark in a result: the query's content words, their synonyms
    and, for words the text writes differently, their bigrams."""
    words = set()
    for _, alts in ranker.terms_of(u):
        words.update(alts)
    for run in u.runs:
        words.update(ranker.bigrams(run))
    return sorted((w for w in words if w), key=len, reverse=True)


def _ranked(q, filters):
    """(Understood, [(score, coverage, entry id)] one per document)."""
    index = ranker.current()
    u = understand.understand(q, index)
    if not u.words:
        return u, []
    allowed, city = None, ""
    if filters.any():
        if dataclasses.replace(filters, city="", ignored=[]).any():
            allowed = np.fromiter(engine.entries(filters).values_list("id", flat=True), np.int64)
        else:
            city = filters.city  # the common case, filtered in the index without a query
    return u, ranker.grouped(*ranker.score(index, u, allowed, city=city))


class Stale(Exception):
    """A row under a known id belongs to another document: the table was
    emptied and refilled behind the index's back (a test database flush)."""


def _fetch(ids, documents=None):
    """The entries of `ids`, in that order; rows gone meanwhile are skipped
    (and remembered by the index). With `documents` ({id: document id}), a
    row that is not what the index took it for raises Stale."""
    rows = SearchEntry.objects.in_bulk(ids)
    missing = [i for i in ids if i not in rows]
    if missing:
        ranker.forget(missing)
    if documents and any(rows[i].document_id != documents[i] for i in ids if i in rows):
        raise Stale
    return [rows[i] for i in ids if i in rows]


def search(q, filters=None, page=1, per_page=PER_PAGE):
    """A page of ranked, highlighted results for the query `q` and filters:
    one per document, its best-matching entry standing for it."""
    try:
        return _search(q, filters, page, per_page)
    except Stale:
        ranker.invalidate()
        return _search(q, filters, page, per_page)


def _search(q, filters, page, per_page):
    filters = filters or SearchFilters()
    raw = (q or "").strip()
    truncated = len(raw) > segment.MAX_QUERY_CHARS
    if not segment.squash(raw):
        if filters.any():
            qs = engine.entries(filters).order_by("-date", "id")
            pager = Paginator(qs, per_page)
            page_obj = pager.get_page(page)
            hits = [
                Hit(entry=e, title=highlight(e.title, []), snippet=highlight(e.text, [], SNIPPET_CHARS), url=url_for(e))
                for e in page_obj.object_list
            ]
            return Results(raw, truncated, [], "browse", page_obj, hits)
        return Results(raw, truncated, [], "none")
    u, ranked = _ranked(raw, filters)
    results = Results(raw, truncated, u.words, "all", understood=u)
    # Answered when one of the first ten documents covers enough of the query;
    # then, past the first ten, the weak tail (under half the bar) is left out.
    bar = ranker.threshold(u)
    answers = []
    if any(r[1] >= bar for r in ranked[:10]) and not ranker.names_the_unknown(ranker.current(), u):
        answers = ranked[:10] + [r for r in ranked[10:] if r[1] >= bar * ranker.TAIL]
    if not answers:
        results.no_answer = True
        results.topics = _topics([r[2] for r in ranked[:10]])
        results.page = Paginator([], per_page).get_page(1)
        return results
    pager = Paginator(answers, per_page)
    page_obj = pager.get_page(page)
    entries = _fetch([r[2] for r in page_obj.object_list], {r[2]: r[3] for r in page_obj.object_list})
    words = _marks(u)
    parents = _documents([e.document_id for e in entries if e.kind != SearchEntry.Kind.DOCUMENT])
    scores = {r[2]: r[0] for r in page_obj.object_list}
    results.page = page_obj
    results.hits = [
        Hit(
            entry=e,
            title=highlight(e.title, words),
            snippet=highlight(e.text, words, SNIPPET_CHARS),
            url=url_for(e),
            score=scores.get(e.pk),
            parent=parents.get(e.document_id),
        )
        for e in entries
    ]
    return results


def _documents(ids):
    """{document id: (title, url)} for the documents results hang under (by
    primary key: the search table has no index on document_id)."""
    from ..models import PolicyDocument

    pattern = _url_pattern("policies:document")
    titles = dict(PolicyDocument.objects.filter(pk__in=set(ids)).values_list("pk", "title"))
    return {i: (t, pattern.format(i)) for i, t in titles.items()}


def _topics(ids, limit=4):
    """The nearest topics (documents' 政策主题) of the closest misses, for a
    query with no answer."""
    from ..models import PolicyDocument

    entries = SearchEntry.objects.in_bulk(ids)
    docs = [entries[i].document_id for i in ids if i in entries]
    topics = dict(PolicyDocument.objects.filter(pk__in=docs).values_list("pk", "topic"))
    out = []
    for d in docs:
        t = topics.get(d)
        if t and t not in out:
            out.append(t)
    return out[:limit]


def top_entries(q, kinds=None, limit=5, filters=None):
    """The best `limit` entries for a question (no paging, no highlighting, no
    grouping), leaving out expired ones; ([], terms) when nothing answers."""
    filters = filters or SearchFilters()
    u, _ = None, None
    index = ranker.current()
    u = understand.understand(q, index)
    if not u.words:
        return [], []
    qs = engine.entries(filters).exclude(status=Status.EXPIRED)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    allowed = np.fromiter(qs.values_list("id", flat=True), np.int64)
    found, weights = ranker.score(index, u, allowed)
    # A question's sources need only the tail's bar: the answer card says how sure it is.
    bar = ranker.threshold(u) * ranker.TAIL
    found = [f for f in found if weights.coverage(f[1], f[2]) >= bar]
    ids = [int(seg.ids[i]) for _, _, _, seg, i in found[:limit]]
    return _fetch(ids), [[(w,)] for w in u.words]


def suggest(prefix, limit=8):
    """Completions for the search box: domain words, then titles, that start
    with what was typed (then titles that contain it)."""
    typed = segment.squash(prefix)[:30]
    if not typed:
        return []
    out = [w for w in segment.dictionary() if w.startswith(typed) and w != typed][:3]
    listed = SearchEntry.objects.filter(
        kind__in=[SearchEntry.Kind.DOCUMENT, SearchEntry.Kind.ITEM], status=Status.PUBLISHED
    )
    for qs in (listed.filter(title__startswith=typed), listed.filter(Q(title__contains=typed))):
        for title in qs.order_by("title").values_list("title", flat=True).distinct()[:limit]:
            if title not in out:
                out.append(title)
            if len(out) >= limit:
                return out
    return out
