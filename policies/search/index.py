"""Turning the library into search entries (SearchEntry rows).

One entry per listed document, article, interpretation and benefit item.
Titles are indexed twice, so a match in a title outranks one in the body.
Only what the zone shows is indexed: published or expired documents, and
their published (or expired) items and interpretations; an expired
document's items are marked expired too.
"""

import importlib

from django.db import connection, transaction

from ..models import LISTED, BenefitItem, Interpretation, PolicyArticle, PolicyDocument, SearchEntry, Status
from .segment import index_tokens

Kind = SearchEntry.Kind
BATCH = 2000


def _tokens(title, *body):
    head = index_tokens(title)
    return " ".join(filter(None, [head, head, index_tokens(" ".join(filter(None, body)))]))


def _padded(values):
    """' a b ' so a code can be matched whole with LIKE '% a %'."""
    values = [str(v).strip() for v in values or [] if str(v).strip()]
    return f" {' '.join(values)} " if values else ""


def _base(obj, document, status):
    return {
        "document_id": document.pk,
        "region_code": obj.region_id,
        "city_code": obj.city_code or "",
        "department_id": obj.department_id,
        "status": status,
        "date": document.issued_on,
    }


def entries_for(document, articles, interpretations, items):
    """The entries of one document (unsaved), given its related rows."""
    if document.status not in LISTED:
        return []
    expired = document.status == Status.EXPIRED
    out = [
        SearchEntry(
            kind=Kind.DOCUMENT,
            object_id=document.pk,
            title=document.title[:200],
            text=document.summary,
            tokens=_tokens(document.title, document.number, document.issuers, document.summary),
            **_base(document, document, document.status),
        )
    ]
    for article in articles:
        out.append(
            SearchEntry(
                kind=Kind.ARTICLE,
                object_id=article.pk,
                title=f"{document.title} {article.heading}".strip()[:200],
                text=article.text,
                tokens=" ".join([index_tokens(f"{article.heading} {article.text}"), index_tokens(document.title)]),
                **_base(document, document, document.status),
            )
        )
    for interp in interpretations:
        if interp.status not in LISTED:
            continue
        status = Status.EXPIRED if expired else interp.status
        out.append(
            SearchEntry(
                kind=Kind.INTERPRETATION,
                object_id=interp.pk,
                title=interp.title[:200],
                text=interp.text,
                tokens=_tokens(interp.title, interp.text, document.title),
                **_base(interp, document, status),
            )
        )
    for item in items:
        if item.status not in LISTED:
            continue
        status = Status.EXPIRED if expired else item.status
        body = [item.target, item.conditions, item.amount, item.apply_period, item.materials, item.payout_method]
        out.append(
            SearchEntry(
                kind=Kind.ITEM,
                object_id=item.pk,
                title=item.title[:200],
                text="\n".join(
                    filter(None, [item.amount, item.target, item.conditions, item.apply_period, item.materials])
                ),
                tokens=_tokens(item.title, *body, item.get_kind_display(), item.get_delivery_display(), document.title),
                item_kind=item.kind,
                delivery=item.delivery,
                industries=_padded(item.industries)[:400],
                sizes=_padded(item.sizes)[:40],
                **_base(item, document, status),
            )
        )
    return out


def _related(documents):
    """Articles, interpretations and items of the documents, grouped by document id."""
    ids = [d.pk for d in documents]
    group = {i: ([], [], []) for i in ids}
    for a in PolicyArticle.objects.filter(document_id__in=ids).order_by("document_id", "ordinal"):
        group[a.document_id][0].append(a)
    for i in Interpretation.objects.filter(document_id__in=ids).order_by("id"):
        group[i.document_id][1].append(i)
    for i in BenefitItem.objects.filter(document_id__in=ids).order_by("id"):
        group[i.document_id][2].append(i)
    return group


@transaction.atomic
def refresh_document(document):
    SearchEntry.objects.filter(document_id=document.pk).delete()
    document = PolicyDocument.objects.filter(pk=document.pk).first()
    if document is None:
        return 0
    entries = entries_for(document, *_related([document])[document.pk])
    SearchEntry.objects.bulk_create(entries)
    return len(entries)


def _sqlite_triggers():
    migration = importlib.import_module("policies.migrations.0002_search_index")
    return migration.SQLITE[1:], migration.SQLITE_DROP[:3]


@transaction.atomic
def rebuild():
    """Re-index everything in one transaction. On SQLite the sync triggers are
    set aside meanwhile and the FTS5 index is rebuilt in one pass; on
    PostgreSQL the GIN index is dropped and built again after the load. Both
    are many times faster than maintaining the index row by row."""
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        create, drop = _sqlite_triggers()
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)
            cursor.execute("DELETE FROM policies_searchentry")
    else:
        # One GIN build after the load beats updating the index row by row.
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS policies_searchentry_tsv")
            cursor.execute("DELETE FROM policies_searchentry")
    total = 0
    ids = list(PolicyDocument.objects.filter(status__in=LISTED).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        documents = list(PolicyDocument.objects.filter(pk__in=ids[start : start + 500]).order_by("pk"))
        related = _related(documents)
        batch = [e for d in documents for e in entries_for(d, *related[d.pk])]
        SearchEntry.objects.bulk_create(batch, batch_size=BATCH)
        total += len(batch)
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO policies_searchentry_fts(policies_searchentry_fts) VALUES ('rebuild')")
            for sql in create:
                cursor.execute(sql)
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX policies_searchentry_tsv ON policies_searchentry USING gin (tsv)")
    return total
