"""Changes nobody signed in makes are audited under a named system actor,
and a reviewer's return comment is kept (issue 16)."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.errors import ServiceError
from core.models import AuditEntry
from policies import services
from policies.models import Interpretation, Status

pytestmark = pytest.mark.django_db


def test_expiry_by_the_scheduled_command_is_audited_by_a_system_actor(library):
    doc = library.document("published", expires_on="2024-06-30")
    item = doc.items.get()
    call_command("expire_policies", stdout=StringIO())
    entries = AuditEntry.objects.filter(
        object_id__in=[str(doc.pk), str(item.pk)], action="update", actor_label__startswith="系统："
    )
    changed = {(e.object_type, e.before["status"], e.after["status"]) for e in entries}
    assert ("policies.PolicyDocument", "published", "expired") in changed
    assert ("policies.BenefitItem", "published", "expired") in changed
    assert {e.actor_label for e in entries} == {"系统：政策到期失效（expire_policies）"}
    assert all(e.actor_id is None for e in entries)


def test_an_interpretation_return_keeps_its_comment(library, demo_user):
    doc = library.document("published")
    author, manager = demo_user("deptadmin"), demo_user("manager")
    interpretation = services.create_interpretation(
        author, doc, {"title": "一图读懂", "kind": "text", "text": "要点如下。"}
    )
    interpretation = services.submit_interpretation(author, interpretation)
    with pytest.raises(ServiceError) as exc:
        services.return_interpretation(manager, interpretation, comment=" ")
    assert "审核意见" in exc.value.errors["comment"][0]
    services.return_interpretation(manager, interpretation, comment="请补充适用对象")
    interpretation = Interpretation.objects.get(pk=interpretation.pk)
    assert interpretation.status == Status.DRAFT and interpretation.review_comment == "请补充适用对象"
    from django.test import Client

    client = Client()
    client.force_login(author)
    assert "审核意见：请补充适用对象" in client.get(f"/console/policies/documents/{doc.pk}/").content.decode()
    # Submitting again clears it.
    assert services.submit_interpretation(author, interpretation).review_comment == ""
