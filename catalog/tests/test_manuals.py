"""Acceptance manuals: draft → review (approve or return) → confirm, versions and conflicts."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from catalog import manuals
from catalog.models import Manual, ManualStep, Situation
from core.errors import Conflict, ServiceError
from core.models import Department


def content(situation, text="核对材料"):
    return {
        "steps": "1. 核验身份\n2. 收取材料",
        "checks": {m.pk: text for m in situation.materials.all()},
        "refusal_reasons": "不属于本部门职权",
        "correction_reasons": "材料不齐全",
        "legal_basis": "《行政许可法》",
    }


@pytest.fixture
def fresh(db):
    """A natural-resources situation without a manual."""
    situation = Situation.objects.filter(matter__department__function="natural_resources").order_by("pk").first()
    Manual.objects.filter(situation=situation).delete()
    return situation


def test_full_workflow_with_return_and_every_version_kept(fresh, user):
    deptadmin, reviewer, manager = user("deptadmin"), user("reviewer"), user("manager")
    manual = manuals.save_draft(reviewer, fresh, content(fresh), base_version=0)
    assert (manual.state, manual.version) == (Manual.State.DRAFTED, 1)
    manual = manuals.review(manager, manual, approve=False, comment="请补充补正情形", base_version=1)
    assert manual.state == Manual.State.RETURNED
    with pytest.raises(Conflict):
        manuals.confirm(deptadmin, manual, base_version=1)  # not reviewed yet
    data = content(fresh, "逐项核对原件")
    data["note"] = "按审核意见修改"
    manual = manuals.save_draft(deptadmin, fresh, data, base_version=1)
    assert (manual.state, manual.version) == (Manual.State.DRAFTED, 2)
    manual = manuals.review(manager, manual, approve=True, comment="同意", base_version=2)
    assert manual.state == Manual.State.REVIEWED
    manual = manuals.confirm(deptadmin, manual, comment="确认", base_version=2)
    assert manual.state == Manual.State.CONFIRMED
    assert list(manual.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert manual.versions.get(number=1).checks[0]["check"] == "核对材料"
    assert manual.current.checks[0]["check"] == "逐项核对原件"
    steps = list(manual.steps.order_by("at", "pk").values_list("action", "actor", "comment"))
    assert steps == [
        ("draft", reviewer.pk, ""),
        ("return", manager.pk, "请补充补正情形"),
        ("draft", deptadmin.pk, "按审核意见修改"),
        ("approve", manager.pk, "同意"),
        ("confirm", deptadmin.pk, "确认"),
    ]
    assert all(s.at for s in manual.steps.all())


def test_returning_needs_a_comment(fresh, user):
    manual = manuals.save_draft(user("deptadmin"), fresh, content(fresh), base_version=0)
    with pytest.raises(ServiceError) as info:
        manuals.review(user("manager"), manual, approve=False, comment="  ", base_version=1)
    assert "审核意见" in info.value.errors["comment"][0]
    assert Manual.objects.get(pk=manual.pk).state == Manual.State.DRAFTED


def test_incomplete_draft_is_refused_and_nothing_saved(fresh, user):
    data = content(fresh)
    first = fresh.materials.first()
    data["checks"][first.pk] = ""
    data["steps"] = ""
    with pytest.raises(ServiceError) as info:
        manuals.save_draft(user("deptadmin"), fresh, data, base_version=0)
    assert f"check_{first.pk}" in info.value.errors and "steps" in info.value.errors
    assert not Manual.objects.filter(situation=fresh).exists()


def test_second_of_two_concurrent_saves_is_told_and_nothing_is_lost(fresh, user):
    deptadmin, reviewer = user("deptadmin"), user("reviewer")
    manuals.save_draft(deptadmin, fresh, content(fresh), base_version=0)
    # Both open version 1; the reviewer saves first.
    manuals.save_draft(reviewer, fresh, content(fresh, "审批人员的修改"), base_version=1)
    with pytest.raises(Conflict) as info:
        manuals.save_draft(deptadmin, fresh, content(fresh, "部门管理员的修改"), base_version=1)
    assert "第2版" in info.value.message and "赵志刚" in info.value.message
    manual = Manual.objects.get(situation=fresh)
    assert manual.version == 2
    assert manual.current.checks[0]["check"] == "审批人员的修改"
    # After comparing, the second person saves on top of version 2.
    manuals.save_draft(deptadmin, fresh, content(fresh, "合并后的修改"), base_version=2)
    assert Manual.objects.get(situation=fresh).version == 3
    assert manual.versions.count() == 3


def test_review_of_a_stale_version_is_refused(fresh, user):
    manual = manuals.save_draft(user("deptadmin"), fresh, content(fresh), base_version=0)
    manuals.save_draft(user("deptadmin"), fresh, content(fresh, "又改了"), base_version=1)
    with pytest.raises(Conflict):
        manuals.review(user("manager"), manual, approve=True, base_version=1)
    assert Manual.objects.get(pk=manual.pk).state == Manual.State.DRAFTED


def test_reviewer_cannot_review_and_other_departments_cannot_draft(fresh, user):
    manual = manuals.save_draft(user("deptadmin"), fresh, content(fresh), base_version=0)
    with pytest.raises(PermissionDenied):
        manuals.review(user("reviewer"), manual, approve=True, base_version=1)
    with pytest.raises(PermissionDenied):
        manuals.review(user("deptadmin"), manual, approve=True, base_version=1)
    transport_admin = User.objects.create(
        username="transport_admin",
        name="交通管理员",
        kind=User.Kind.STAFF,
        role=Role.DEPT_ADMIN,
        department=Department.objects.get(function="transport", region_id="510000"),
    )
    with pytest.raises(PermissionDenied):
        manuals.save_draft(transport_admin, fresh, content(fresh), base_version=1)
    with pytest.raises(PermissionDenied):
        manuals.save_draft(user("clerk"), fresh, content(fresh), base_version=1)
    manual = manuals.review(user("manager"), manual, approve=True, base_version=1)
    with pytest.raises(PermissionDenied):
        manuals.confirm(transport_admin, manual, base_version=1)
    with pytest.raises(PermissionDenied):
        manuals.confirm(user("manager"), manual, base_version=1)
    assert ManualStep.objects.filter(manual=manual).count() == 2


def test_progress_counts_follow_the_workflow(fresh, user):
    def row():
        table, totals, _ = manuals.progress()
        return next(p for p in table if p.department.function == "natural_resources"), totals

    before, totals_before = row()
    manual = manuals.save_draft(user("deptadmin"), fresh, content(fresh), base_version=0)
    after, totals = row()
    assert after.drafted == before.drafted + 1 and after.confirmed == before.confirmed
    manuals.review(user("manager"), manual, approve=True, base_version=1)
    manuals.confirm(user("deptadmin"), manual, base_version=1)
    after, totals = row()
    assert after.reviewed == before.reviewed + 1 and after.confirmed == before.confirmed + 1
    assert after.situations == before.situations
    _, _, sentence = manuals.progress()
    assert sentence.startswith(f"已完成{totals.confirmed}个事项情形项")
