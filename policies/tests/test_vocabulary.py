"""The search vocabulary reviewed in the console: a department proposes a
synonym group with its source, the centre approves it, and the search
understands the new word at once; bad input is refused in Chinese and every
change is audited."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from policies import search
from policies.models import VocabularyEntry

pytestmark = pytest.mark.django_db


def titles(results):
    return [h.entry.title for h in results.hits]


def test_a_proposed_synonym_reaches_search_once_the_centre_approves_it(library, signed_in):
    library.document("published")  # 关于用地保障支持专精特新企业的若干措施
    assert not search.search("拿地").hits

    dept = signed_in("deptadmin")
    page = dept.get(reverse("policies_console:vocabulary")).content.decode()
    assert "检索词表" in page and "小微企业 小型微型企业" in page  # the shipped list, with its sources
    response = dept.post(
        reverse("policies_console:vocabulary"),
        {
            "action": "propose",
            "kind": "synonym",
            "words": "用地保障 拿地",
            "source": "自然资源部门答问用语（公开出处）",
        },
    )
    assert response.status_code == 302
    entry = VocabularyEntry.objects.get()
    assert entry.state == "proposed"
    assert not search.search("拿地").hits  # not before review
    assert "待中心复核" in dept.get(reverse("policies_console:vocabulary")).content.decode()

    centre = signed_in("manager")
    page = centre.get(reverse("policies_console:vocabulary")).content.decode()
    assert "用地保障 拿地" in page and "采用" in page
    centre.post(reverse("policies_console:vocabulary"), {"action": "approve", "entry": entry.pk, "note": ""})
    entry.refresh_from_db()
    assert entry.state == "approved" and entry.reviewed_by.username == "manager"
    assert "关于用地保障支持专精特新企业的若干措施" in titles(search.search("拿地"))
    audited = AuditEntry.objects.filter(object_type="policies.VocabularyEntry", object_id=str(entry.pk))
    assert {"create", "update"} <= set(audited.values_list("action", flat=True))


def test_bad_proposals_are_refused_in_chinese_and_nothing_is_saved(signed_in):
    dept = signed_in("deptadmin")
    url = reverse("policies_console:vocabulary")
    page = dept.post(url, {"action": "propose", "kind": "synonym", "words": "稳岗返还", "source": "人社部门"}).content
    assert "同义词组至少要有两个词" in page.decode()
    page = dept.post(url, {"action": "propose", "kind": "synonym", "words": "用地保障 拿地", "source": ""}).content
    assert "来源：必须写明出处" in page.decode()
    page = dept.post(url, {"action": "propose", "kind": "stopword", "words": "<b>", "source": "现代汉语词典"}).content
    assert "不合规则" in page.decode()
    assert not VocabularyEntry.objects.exists()


def test_only_the_centre_reviews_and_a_rejection_needs_a_reason(signed_in, demo_user):
    from policies import vocabulary

    entry = vocabulary.propose(demo_user("deptadmin"), "synonym", "高企 高新企业", "科技部门通行简称")
    dept = signed_in("deptadmin")
    response = dept.post(reverse("policies_console:vocabulary"), {"action": "approve", "entry": entry.pk})
    assert response.status_code == 403
    centre = signed_in("manager")
    page = centre.post(reverse("policies_console:vocabulary"), {"action": "reject", "entry": entry.pk, "note": ""})
    assert "不采用时必须写明理由" in page.content.decode()
    centre.post(
        reverse("policies_console:vocabulary"), {"action": "reject", "entry": entry.pk, "note": "与原有词组重复"}
    )
    entry.refresh_from_db()
    assert entry.state == "rejected" and entry.note == "与原有词组重复"


def test_the_centre_does_not_review_its_own_proposal(signed_in, demo_user):
    """A centre editor's own proposal waits for another of the centre's people:
    no 采用 button for its proposer, and a forged approval is refused in Chinese."""
    from policies import vocabulary

    entry = vocabulary.propose(
        demo_user("manager"), "synonym", "一次性扩岗补助 扩岗补贴", "人社部门政策用语（公开出处）"
    )
    centre = signed_in("manager")
    url = reverse("policies_console:vocabulary")
    page = centre.get(url).content.decode()
    assert "待中心另一位人员复核" in page and 'value="approve"' not in page
    page = centre.post(url, {"action": "approve", "entry": entry.pk, "note": ""}).content.decode()
    assert "不能复核自己提出的条目" in page
    entry.refresh_from_db()
    assert entry.state == "proposed"
    signed_in("admin").post(url, {"action": "approve", "entry": entry.pk, "note": ""})
    entry.refresh_from_db()
    assert entry.state == "approved" and entry.reviewed_by.username == "admin"
