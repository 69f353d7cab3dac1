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
import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import LISTED, BenefitItem, SearchEntry, Status
from . import engine, index, segment

PER_PAGE = 20
SNIPPET_CHARS = 120
CODE = re.compile(r"^[0-9]{6}$")
INDUSTRY = re.compile(r"^[A-Za-z][0-9]{0,4}$")
SIZES = ("large", "medium", "small", "micro")
SIZE_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def refresh_document(document):
    """Re-index a document with its articles, interpretations and items
    (called by policies.services after every change of state or content)."""
    return index.refresh_document(document)


def rebuild():
    """Re-index the whole library (after a bulk import or the demo load)."""
    return index.rebuild()


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
        f.types = [t for t in (params.getlist("type") if hasattr(params, "getlist") else [params.get("type")])
                   if t in SearchEntry.Kind.values]
        f.item_kind = take("item_kind", lambda v: v in BenefitItem.Kind.values) or ""
        f.delivery = take("delivery", lambda v: v in BenefitItem.Delivery.values) or ""
        f.industry = take("industry", INDUSTRY.match, str.upper) or ""
        f.size = take("size", lambda v: v in SIZES) or ""
        f.status = take("status", lambda v: v in LISTED) or ""
        f.date_from = take("date_from", _is_date, dt.date.fromisoformat)
        f.date_to = take("date_to", _is_date, dt.date.fromisoformat)
        return f

    def any(self):
        return any([self.city, self.department, self.types, self.item_kind, self.delivery, self.industry,
                    self.size, self.status, self.date_from, self.date_to])


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
        return BenefitItem.Delivery(self.entry.delivery).label if self.entry.delivery in BenefitItem.Delivery.values else ""

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

    @property
    def count(self):
        return self.page.paginator.count if self.page else 0


def url_for(entry):
    if entry.kind == SearchEntry.Kind.ITEM:
        return reverse("policies:item", args=[entry.object_id])
    base = reverse("policies:document", args=[entry.document_id])
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
            marked[start:start + len(word)] = b"\1" * len(word)
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


def search(q, filters=None, page=1, per_page=PER_PAGE):
    """A page of ranked, highlighted hits for the query `q` and filters."""
    filters = filters or SearchFilters()
    raw = (q or "").strip()
    truncated = len(raw) > segment.MAX_QUERY_CHARS
    terms = segment.query_terms(raw)
    qs = engine.entries(filters)
    if terms:
        qs, mode = engine.ranked(qs, terms)
    elif filters.any():
        qs, mode = qs.order_by("-date", "id"), "browse"
    else:
        return Results(raw, truncated, terms, "none")
    pager = Paginator(qs, per_page)
    page_obj = pager.get_page(page)
    words = highlight_words(terms)
    hits = [Hit(entry=e, title=highlight(e.title, words), snippet=highlight(e.text, words, SNIPPET_CHARS),
                url=url_for(e), score=getattr(e, "score", None)) for e in page_obj.object_list]
    return Results(raw, truncated, terms, mode, page_obj, hits)


def top_entries(q, kinds=None, limit=5, filters=None):
    """The best `limit` entries for a question (no paging, no highlighting)."""
    terms = segment.query_terms(q, question=True)
    if not terms:
        return [], terms
    qs = engine.entries(filters or SearchFilters()).exclude(status=Status.EXPIRED)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    qs, _ = engine.ranked(qs, terms)
    return list(qs[:limit]), terms


def suggest(prefix, limit=8):
    """Completions for the search box: domain words, then titles, that start
    with what was typed (then titles that contain it)."""
    typed = segment.squash(prefix)[:30]
    if not typed:
        return []
    out = [w for w in segment.dictionary() if w.startswith(typed) and w != typed][:3]
    listed = SearchEntry.objects.filter(kind__in=[SearchEntry.Kind.DOCUMENT, SearchEntry.Kind.ITEM],
                                        status=Status.PUBLISHED)
    for qs in (listed.filter(title__startswith=typed), listed.filter(Q(title__contains=typed))):
        for title in qs.order_by("title").values_list("title", flat=True).distinct()[:limit]:
            if title not in out:
                out.append(title)
            if len(out) >= limit:
                return out
    return out
