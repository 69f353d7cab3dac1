"""The transition table (cases/transitions.py) is the one place a case's
rules live: its roles are the policy's, its replay is what the services do,
and the page offers exactly what it allows."""

import pytest

from accounts import policy
from accounts.models import Person, Role
from cases import services, transitions
from cases.models import Case, Channel
from core.models import Region

from .conftest import local, receive_at_window

STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPT_ADMIN, Role.CENTRE_MANAGER, Role.EDITOR, Role.SYSADMIN)


@pytest.mark.parametrize("step", [s for s in transitions.TABLE if s.name != "evaluate"], ids=lambda s: s.name)
def test_the_roles_the_table_names_are_the_roles_the_policy_grants(step):
    granted = {role for role in STAFF_ROLES if step.action in policy.ROLE_ACTIONS[role]}
    assert set(step.roles) == granted


def test_every_step_that_writes_an_event_replays(demo_user, county_licence, hall_window):
    from accounts.models import User
    from core.models import Department

    city = User.objects.create(
        username="reviewer_cd",
        name="成都审批员",
        kind="staff",
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id="510100"),
    )
    clerk, citizen = demo_user("clerk"), demo_user("citizen")
    case = services.receive(
        clerk,
        matter=county_licence,
        situation=county_licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510104"),
        window=hall_window,
        applicant_person=Person.objects.get(user=citizen),
        at=local(2024, 12, 30, 9),
    )
    services.request_correction(clerk, case, [{"material": "申请书", "problem": "未签字"}], at=local(2024, 12, 30, 10))
    services.answer_correction(clerk, case, "窗口补交", at=local(2024, 12, 31, 9))
    services.accept(clerk, case, at=local(2024, 12, 31, 10))
    services.transfer(clerk, case, to_department=case.holder, at=local(2024, 12, 31, 11))
    services.review(demo_user("reviewer_jinjiang"), case, opinion="初审通过", at=local(2025, 1, 2, 9))
    services.suspend(city, case, procedure="现场核查", reason="核查", at=local(2025, 1, 2, 10))
    services.resume(city, case, result="完成", at=local(2025, 1, 6, 9))
    services.review(city, case, opinion="复审通过", at=local(2025, 1, 6, 10))
    services.decide(demo_user("reviewer"), case, approved=True, opinion="准予", at=local(2025, 1, 7, 9))
    services.issue(clerk, case, copies=2, at=local(2025, 1, 7, 10))
    services.hand_over(clerk, case, method="window", at=local(2025, 1, 7, 11))
    services.evaluate(citizen, case, score=5, at=local(2025, 1, 7, 12))
    case.refresh_from_db()
    events = list(case.events.order_by("seq").values_list("seq", "kind", "at", "department_id", "data"))
    assert (
        transitions.replay(events)
        == (case.state, case.holder_id, case.at_window, case.moved_at)
        == (Case.State.DELIVERED, case.holder_id, True, local(2025, 1, 7, 12))
    )


def test_a_step_the_table_does_not_allow_is_refused_and_names_why(demo_user, licence, hall_window):
    from django.core.exceptions import PermissionDenied

    from core.errors import Conflict

    clerk = demo_user("clerk")
    case = receive_at_window(clerk, licence, hall_window)
    with pytest.raises(Conflict) as moved:
        services.issue(clerk, case)
    assert "已收件" in moved.value.message and "颁发证照" in moved.value.message
    with pytest.raises(Conflict) as moved:
        services.decide(demo_user("reviewer"), case, approved=True, opinion="准予")
    assert "不能作出决定" in moved.value.message
    with pytest.raises(PermissionDenied) as refused:
        services.accept(demo_user("reviewer"), case)
    assert "角色没有此权限" in str(refused.value)
    assert transitions.offered(demo_user("reviewer"), case) == []
    assert transitions.offered(clerk, case) == ["accept", "correct", "refuse"]


def test_a_case_sent_past_its_review_level_is_only_passed_on(demo_user, county_licence, hall_window):
    """Found by the state machine: a county matter sent straight to the
    province was offered 审查（报上级）there, which had no level above."""
    clerk = demo_user("clerk")
    case = services.receive(
        clerk,
        matter=county_licence,
        situation=county_licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510104"),
        window=hall_window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )
    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=county_licence.department)  # the province, too early
    case.refresh_from_db()
    offered = transitions.offered(demo_user("reviewer"), case)
    assert "review" not in offered and "decide" not in offered and "transfer" in offered
    ok, why = transitions.allows(demo_user("reviewer"), transitions.STEPS["review"], case)
    assert not ok and "不是该事项本环节的审查部门" in why and "县级" in why


def test_from_every_state_the_table_reaches_an_end():
    """Every (state, place) a case can get into from 收件 can still reach 送达 or 不予受理."""
    seen, todo = set(), [(Case.State.RECEIVED, True)]
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        for step in transitions.TABLE:
            if step.kind and step.name != "receive" and here[0] in (step.at_window if here[1] else step.in_office):
                todo.extend(transitions._moves(step, *here))
    assert len(seen) >= 12
    assert all(transitions.can_finish(*here) for here in seen), sorted(
        h for h in seen if not transitions.can_finish(*h)
    )
    assert not transitions.can_finish("nowhere", True)
