"""The query side: one interface, two backends chosen by the database vendor.

- SQLite (embedded, the default): the FTS5 table policies_searchentry_fts,
  ranked by bm25().
- PostgreSQL: the generated tsvector column `tsv` (GIN index), ranked by
  ts_rank() with length normalisation.

A query is a list of terms (policies.search.segment.query_terms); every term
must match (AND), each through any of its alternatives (synonyms, or all the
bigrams of a long word). When no entry has every term, the entries with any
of them are ranked instead, so a question in plain words still finds the
closest records. Tokens are word characters only, so they are quoted safely
for either syntax and user-typed operators (AND, NEAR, *, ") are plain words.
"""

from django.db import connection
from django.db.models import Q

from ..models import SearchEntry

FTS = "policies_searchentry_fts"
# Claimable items are what most searches are after; articles and
# interpretations repeat their document's words, so they weigh a little less.
KIND_WEIGHT = "CASE policies_searchentry.kind WHEN 'item' THEN 1.5 WHEN 'document' THEN 1.0 ELSE 0.8 END"


def _fts5(terms, op):
    def alt(tokens):
        inner = " AND ".join(f'"{t}"' for t in tokens)
        return f"({inner})" if len(tokens) > 1 else inner

    return f" {op} ".join("(" + " OR ".join(alt(a) for a in alts) + ")" for alts in terms)


def _tsquery(terms, op):
    def alt(tokens):
        inner = " & ".join(f"'{t}'" for t in tokens)
        return f"({inner})" if len(tokens) > 1 else inner

    return f" {'&' if op == 'AND' else '|'} ".join("(" + " | ".join(alt(a) for a in alts) + ")" for alts in terms)


def vendor():
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def matching(qs, terms, op="AND"):
    """`qs` narrowed to entries matching the terms, annotated with `score`
    (higher is better) and ordered by it."""
    if vendor() == "postgresql":
        query = _tsquery(terms, op)
        return qs.extra(
            select={"score": f"ts_rank(policies_searchentry.tsv, to_tsquery('simple', %s), 1) * {KIND_WEIGHT}"},
            select_params=[query],
            where=["policies_searchentry.tsv @@ to_tsquery('simple', %s)"],
            params=[query],
        ).order_by("-score", "-date", "id")
    query = _fts5(terms, op)
    return qs.extra(
        tables=[FTS],
        select={"score": f"-bm25({FTS}) * {KIND_WEIGHT}"},
        where=[f"{FTS}.rowid = policies_searchentry.id", f"{FTS} MATCH %s"],
        params=[query],
    ).order_by("-score", "-date", "id")


def ranked(qs, terms):
    """(queryset, mode): all terms if any entry has them all, else any term."""
    strict = matching(qs, terms, "AND")
    if len(terms) == 1 or strict.exists():
        return strict, "all"
    return matching(qs, terms, "OR"), "any"


def filters_q(filters):
    """The Q for a SearchFilters (see policies.search.SearchFilters)."""
    q = Q()
    f = filters
    if f.city:
        # A city's entry shows its own records together with the province-wide ones.
        q &= Q(city_code=f.city) | Q(city_code="")
    if f.department:
        q &= Q(department_id=f.department)
    if f.types:
        q &= Q(kind__in=f.types)
    if f.item_kind:
        q &= Q(item_kind=f.item_kind)
    if f.delivery:
        q &= Q(delivery=f.delivery)
    if f.industry:
        code = f.industry
        # An item for "C" covers "C39"; asking for "C" finds items for "C39" too. Empty means any industry.
        match = Q(industries="") | Q(industries__contains=f" {code}")
        for n in range(1, len(code)):
            match |= Q(industries__contains=f" {code[:n]} ")
        q &= match
    if f.size:
        q &= Q(sizes="") | Q(sizes__contains=f" {f.size} ")
    if f.status:
        q &= Q(status=f.status)
    if f.date_from:
        q &= Q(date__gte=f.date_from)
    if f.date_to:
        q &= Q(date__lte=f.date_to)
    return q


def entries(filters):
    return SearchEntry.objects.filter(filters_q(filters))
