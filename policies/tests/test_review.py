"""The one review workflow (policies/review.py) for documents, items and
interpretations: a return's comment is kept on the record and in the audit
log, a document's step carries its items and interpretations along, and the
table refuses a step its state does not allow."""

import pytest

from core import audit
from core.errors import Conflict
from policies import review, services
from policies.models import Status

pytestmark = pytest.mark.django_db


def test_the_table_is_draft_review_published_or_returned():
    assert review.STEPS["submit"].sources == {Status.DRAFT} and review.STEPS["submit"].target == Status.REVIEW
    assert review.STEPS["return"].sources == {Status.REVIEW} and review.STEPS["return"].target == Status.DRAFT
    assert review.STEPS["approve"].target == Status.PUBLISHED


def test_a_returned_item_and_interpretation_keep_the_comment(demo_user, library):
    author, manager = demo_user("deptadmin"), demo_user("manager")
    doc = library.document("published")
    interpretation = services.create_interpretation(
        author, doc, {"title": "一图读懂", "kind": "text", "text": "政策要点：研发投入补助。"}
    )
    services.submit_interpretation(author, interpretation)
    with audit.acting_as(manager):
        returned = services.return_interpretation(manager, interpretation, comment="请补充申报时间")
    assert (returned.status, returned.review_comment) == (Status.DRAFT, "请补充申报时间")
    entry = audit.history(returned).first()
    assert entry.reason == "请补充申报时间"  # "why was this returned" is one query


def test_a_returned_document_carries_the_comment_to_its_items(demo_user, library):
    manager = demo_user("manager")
    doc = library.document("review")
    with audit.acting_as(manager):
        services.return_document(manager, doc, comment="请补充申报材料")
    item = doc.items.get()
    assert (item.status, item.review_comment) == (Status.DRAFT, "请补充申报材料")
    assert audit.history(item).first().reason == "请补充申报材料"


def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(demo_user, library):
    doc = library.document("draft")
    version = doc.version
    with pytest.raises(Conflict, match="当前状态为“草稿”，不能审核发布"):
        services.approve_document(demo_user("manager"), doc)
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT and doc.version == version
