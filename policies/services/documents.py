"""Policy documents: drafting with their articles, the review steps (one
workflow, policies/review.py), expiry, attachments and overdue breakdowns."""

import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.errors import Conflict
from core.models import Level

from .. import review
from ..models import LISTED, BenefitItem, PolicyAttachment, PolicyDocument, Status
from .common import (
    DOCUMENT_FIELDS,
    _article_errors,
    _bump,
    _date,
    _locked,
    _refresh,
    _save_articles,
    _scope,
    _step,
    _text,
    check,
    document_errors,
    is_department_bound,
    normalise_number,
    refuse,
    split_articles,
)

# --- documents --------------------------------------------------------------


def _assign_document(document, data, errors):
    for name in DOCUMENT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("issued_on", "effective_on", "expires_on"):
            setattr(document, name, _date(value, PolicyDocument, name, errors))
        elif name == "number":
            document.number = normalise_number(value)
        else:
            setattr(document, name, _text(value))


def _finish_document(document):
    if document.region_id:
        code = document.region_id
        document.level = (
            Level.PROVINCE if code.endswith("0000") else Level.CITY if code.endswith("00") else Level.COUNTY
        )


@transaction.atomic
def create_document(actor, data, *, articles=None):
    """A new draft document. `articles`: [{heading, text}] or the full text
    under data["text"] split by “第X条”."""
    errors = {}
    document = PolicyDocument(status=Status.DRAFT)
    _assign_document(document, data, errors)
    articles = _checked(document, data, actor, articles, errors)
    document.save()
    _save_articles(document, articles or [])
    _refresh(document)
    return document


def _checked(document, data, actor, articles, errors):
    """The document's scope and derived fields set, every error of it and its
    articles found (ServiceError, nothing saved), the actor allowed: the articles."""
    _scope(document, data, actor, errors)
    _finish_document(document)
    if articles is None and "text" in data:
        articles = split_articles(data["text"])
    errors = {**document_errors(document), **errors}
    errors.update(_article_errors(articles or []))
    if errors:
        refuse(errors)
    check(actor, "policy.edit", document)
    return articles


@transaction.atomic
def update_document(actor, document, data, *, articles=None, version=None):
    document = _locked(document, version, {Status.DRAFT}, "修改（已提交或已发布的文件请先撤回）")
    check(actor, "policy.edit", document)
    errors = {}
    _assign_document(document, data, errors)
    if is_department_bound(actor):
        data = {k: v for k, v in data.items() if k != "department"}
    articles = _checked(document, data, actor, articles, errors)
    _bump(document)
    if articles is not None:
        _save_articles(document, articles)
    _refresh(document)
    return document


def submit_document(actor, document, *, version=None):
    """Draft → under review, with its draft items and interpretations."""
    return review.take(actor, document, "submit", version=version)


def approve_document(actor, document, *, version=None, at=None):
    """The centre publishes a document under review, with its items and
    interpretations under review. Its breakdown into items is due 7 working
    days after publication."""
    return review.take(actor, document, "approve", version=version, at=at)


def return_document(actor, document, *, comment, version=None):
    return review.take(actor, document, "return", version=version, comment=comment)


def withdraw_document(actor, document, *, reason="", version=None):
    """Take a document (and its items and interpretations) off the zone."""
    return review.take(actor, document, "withdraw", version=version, reason=reason)


def reopen_document(actor, document, *, version=None):
    """A withdrawn document back to draft, to be revised and submitted again."""
    return review.take(actor, document, "reopen", version=version)


@transaction.atomic
def expire_documents(today=None):
    """Mark published documents past their expiry date (and their items) as
    expired; they stay listed and findable, marked. Returns how many."""
    today = today or timezone.localdate()
    documents = list(PolicyDocument.objects.select_for_update().filter(status=Status.PUBLISHED, expires_on__lt=today))
    for document in documents:
        document.status = Status.EXPIRED
        _bump(document)
        for item in document.items.filter(status=Status.PUBLISHED):
            _step(item, Status.EXPIRED)
        _refresh(document)
    return len(documents)


# --- attachments ------------------------------------------------------------


@transaction.atomic
def add_attachment(actor, document, upload, *, name=""):
    """An attachment checked by its content (PDF, JPEG or PNG, size limit),
    stored under a random name."""
    from cases import uploads

    document = PolicyDocument.objects.select_related("department").get(pk=document.pk)
    check(actor, "policy.edit", document)
    name = _text(name) or (upload.name or "附件")
    reason = uploads.problem(upload, name)
    if reason:
        refuse({"file": [f"附件：{reason}"]})
    content_type, extension = uploads.sniff(upload)
    attachment = PolicyAttachment(document=document, name=name[:200], content_type=content_type, size=upload.size)
    attachment.file.save(secrets.token_hex(16) + extension, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def remove_attachment(actor, attachment):
    attachment = PolicyAttachment.objects.select_related("document__department").get(pk=attachment.pk)
    check(actor, "policy.edit", attachment.document)
    if attachment.document.status != Status.DRAFT:
        raise Conflict("只有草稿状态的政策文件可以删除附件")
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- overdue breakdowns -----------------------------------------------------


def overdue_documents(today=None):
    """Published documents whose 7 working days for breaking down into items
    have passed with no item published yet, oldest first."""
    today = today or timezone.localdate()
    broken_down = BenefitItem.objects.filter(document=OuterRef("pk"), status__in=LISTED)
    return (
        PolicyDocument.objects.filter(status=Status.PUBLISHED, breakdown_due__lt=today)
        .filter(~Exists(broken_down))
        .select_related("department", "region")
        .order_by("breakdown_due", "pk")
    )


def overdue_count(today=None):
    return overdue_documents(today).count()
