"""The answer card for a question in plain Chinese (政策咨询).

The best-matching benefit item (or, failing that, article) is found with the
search index; the card gives its amount, conditions and how to apply (from
the item's claim guide) and cites the document (title, 文号) and article it
came from. The card is plain data (JSON), so a ticket keeps it as asked.

With a large model switched on (policies.llm), the model is given the
retrieved items and articles, numbered, and must cite them as [1], [2]…;
its text is shown only when it cites at least one of them, together with
those citations.
"""

import re

from django.urls import reverse

from . import llm, search
from .models import LISTED, BenefitItem, PolicyArticle, PolicyDocument, SearchEntry

Kind = SearchEntry.Kind
CITATION = re.compile(r"\[(\d{1,2})\]")
MAX_SOURCES = 5


def _document(doc):
    return {
        "id": doc.pk,
        "title": doc.title,
        "number": doc.number,
        "status": doc.status,
        "status_label": doc.get_status_display(),
        "url": reverse("policies:document", args=[doc.pk]),
    }


def _article(article):
    if article is None:
        return None
    return {
        "id": article.pk,
        "heading": article.heading,
        "text": article.text,
        "url": reverse("policies:document", args=[article.document_id]) + f"#article-{article.pk}",
    }


def _item_card(item):
    return {
        "kind": "item",
        "item_id": item.pk,
        "title": item.title,
        "url": reverse("policies:item", args=[item.pk]),
        "item_kind": item.get_kind_display(),
        "delivery": item.get_delivery_display(),
        "target": item.target,
        "conditions": item.conditions,
        "amount": item.amount,
        "how": {
            "apply_period": item.apply_period,
            "materials": item.materials,
            "payout_method": item.payout_method,
            "payout_days": item.payout_days,
            "phone": item.phone,
        },
        "department": item.department.name,
        "department_id": item.department_id,
        "region": item.region_id,
        "document": _document(item.document),
        "article": _article(item.article),
    }


def _article_card(article):
    doc = article.document
    return {
        "kind": "article",
        "item_id": None,
        "title": f"{doc.title} {article.heading}".strip(),
        "url": reverse("policies:document", args=[doc.pk]) + f"#article-{article.pk}",
        "amount": "",
        "conditions": "",
        "target": "",
        "how": {},
        "text": article.text,
        "department": doc.department.name,
        "department_id": doc.department_id,
        "region": doc.region_id,
        "document": _document(doc),
        "article": _article(article),
    }


def _best(entries):
    """The item to answer with: the top item, or the item broken out of the
    top article; else the top article itself. An item close behind an
    article with no item of its own is preferred (it has the claim guide)."""
    items = [e for e in entries[:3] if e.kind == Kind.ITEM]
    if items and entries[0].kind == Kind.ARTICLE and not entries[0].items_exist:
        entries = items + [e for e in entries if e not in items]
    for entry in entries:
        if entry.kind == Kind.ITEM:
            item = (
                BenefitItem.objects.select_related("document", "article", "department")
                .filter(pk=entry.object_id)
                .first()
            )
            if item:
                return _item_card(item)
        if entry.kind == Kind.ARTICLE:
            article = (
                PolicyArticle.objects.select_related("document", "document__department")
                .filter(pk=entry.object_id)
                .first()
            )
            if article is None:
                continue
            item = article.items.filter(status__in=LISTED).select_related("document", "article", "department").first()
            return _item_card(item) if item else _article_card(article)
    return None


def summary(card):
    """One paragraph saying what the card says (for the consultation record)."""
    if not card.get("found"):
        return "未找到相关政策，建议转人工咨询。"
    best = card["best"]
    parts = [best["title"]]
    if best.get("amount"):
        parts.append(f"支持标准：{best['amount']}")
    if best.get("conditions"):
        parts.append(f"申报条件：{best['conditions']}")
    doc = best["document"]
    where = f"《{doc['title']}》" + (f"（{doc['number']}）" if doc["number"] else "")
    if best.get("article"):
        where += best["article"]["heading"]
    parts.append(f"出处：{where}")
    return "；".join(parts)


def _sources(entries):
    out = []
    for n, entry in enumerate(entries[:MAX_SOURCES], start=1):
        doc = PolicyDocument.objects.filter(pk=entry.document_id).only("title", "number").first()
        out.append(
            {
                "n": n,
                "kind": entry.kind,
                "title": entry.title,
                "text": entry.text[:600],
                "document": doc.title if doc else "",
                "number": doc.number if doc else "",
                "url": search.url_for(entry),
            }
        )
    return out


def model_answer(question, sources):
    """The model's answer and the sources it cites, or None (off, failed, or
    no valid citation)."""
    if not llm.enabled() or not sources:
        return None
    listing = "\n".join(
        f"[{s['n']}] {s['title']}（{s['document']}{' ' + s['number'] if s['number'] else ''}）：{s['text']}"
        for s in sources
    )
    messages = [
        {
            "role": "system",
            "content": "你是四川省惠企政策咨询助手。只能依据给出的政策资料回答，"
            "每一句结论后用[编号]注明出处；资料中没有的内容，回答“资料中未载明”。",
        },
        {"role": "user", "content": f"政策资料：\n{listing}\n\n问题：{question}"},
    ]
    text = llm.chat(messages)
    if not text:
        return None
    cited = sorted({int(n) for n in CITATION.findall(text) if 1 <= int(n) <= len(sources)})
    if not cited:
        return None  # an answer that cites nothing is not shown
    return {"text": text[:4000], "citations": [sources[n - 1] for n in cited]}


def build_card(question, city="", use_model=True):
    """The answer card for `question` (a dict, JSON-serialisable)."""
    filters = search.SearchFilters(city=city) if city else None
    entries, terms = search.top_entries(question, kinds=[Kind.ITEM, Kind.ARTICLE], limit=MAX_SOURCES, filters=filters)
    for e in entries[:1]:
        e.items_exist = e.kind == Kind.ARTICLE and BenefitItem.objects.filter(article_id=e.object_id).exists()
    best = _best(entries)
    card = {
        "question": question,
        "found": best is not None,
        "best": best,
        "related": [
            {"title": e.title, "kind": e.get_kind_display(), "url": search.url_for(e)} for e in entries[1:MAX_SOURCES]
        ],
    }
    card["summary"] = summary(card)
    if best and use_model:
        card["model"] = model_answer(question, _sources(entries))
    return card
