"""The problem list feeds the bulletin's key work through the figure registry."""

import datetime as dt

import pytest
from django.utils import timezone

from bulletin import services as bulletin
from bulletin.models import Bulletin
from bundles import services
from bundles.models import Bundle, Problem
from core.errors import Conflict, ServiceError
from hall import services as hall
from hall.models import KeyWork

from .helpers import user

pytestmark = pytest.mark.usefixtures("bundles_demo")
WEEK = dt.date(2026, 11, 23)  # Monday; the week's Friday is 11-27


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


def _draft_figure(editor, week):
    draft = bulletin.build_draft(editor, week_start=week)
    block = draft.blocks.get(source__startswith="key_work:")
    return bulletin.render_text(block), draft


def _problem(title):
    bundle = Bundle.objects.get(code="bankruptcy")
    return services.report_problem(
        user("manager"),
        bundle,
        title=title,
        kind="system",
        owner=bundle.lead,
        deadline=WEEK + dt.timedelta(days=10),
        at=at(WEEK),
    )


def test_a_problem_handled_inside_the_week_changes_the_next_draft_saturday_and_next_week_do_not():
    editor, manager = user("editor"), user("manager")
    item = hall.save_key_work(editor, name="高效办成一件事", sources=[KeyWork.Source.PROBLEMS_HANDLED])
    hall.save_key_work_note(editor, item, week_start=WEEK, text="梳理“企业破产一件事”问题清单。")
    text, draft = _draft_figure(editor, WEEK)
    assert text == "梳理“企业破产一件事”问题清单。本周处理问题0个。"
    inside, saturday, next_week = _problem("清税证明未推送"), _problem("公积金表单缺字段"), _problem("社保核查超时")
    services.handle_problem(
        manager, inside, version=inside.version, measures="开放清税结果接口", at=at(WEEK + dt.timedelta(days=4), 17)
    )  # Friday 17:00
    services.handle_problem(
        manager, saturday, version=saturday.version, measures="增加字段", at=at(WEEK + dt.timedelta(days=5))
    )  # Saturday
    services.handle_problem(
        manager, next_week, version=next_week.version, measures="批量核查", at=at(WEEK + dt.timedelta(days=7))
    )  # next Monday
    Bulletin.objects.filter(pk=draft.pk).delete()
    text, draft = _draft_figure(editor, WEEK)
    assert text == "梳理“企业破产一件事”问题清单。本周处理问题1个。"
    assert draft.blocks.get(source__startswith="key_work:").figures["problems_handled"]["value"] == 1
    page = hall.live_figures(item, WEEK, WEEK + dt.timedelta(days=4))[0]
    assert page["phrase"] == "本周处理问题1个。"  # 重点工作推进 reads the same


def test_a_handled_problem_at_beijing_midnight_counts_on_the_beijing_day():
    problem = _problem("跨零点处理")
    # 2026-11-27 23:30 UTC is Saturday 07:30 in Beijing
    services.handle_problem(
        user("manager"),
        problem,
        version=problem.version,
        measures="已处理",
        at=dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC),
    )
    assert Problem.objects.get(pk=problem.pk).handled_on == dt.date(2026, 11, 28)
    assert services.problems_handled(WEEK, WEEK + dt.timedelta(days=4)) == 0


def test_history_of_changes_and_optimistic_lock():
    manager, reviewer = user("manager"), user("reviewer_tax")
    problem = _problem("发票系统不接收一件事推送")
    tax = reviewer.department
    problem = services.update_problem(
        manager,
        problem,
        version=problem.version,
        owner=tax,
        measures="税务部门改造接口",
        state="handling",
        note="转税务局处理",
    )
    with pytest.raises(Conflict):
        services.update_problem(manager, problem, version=problem.version - 1, measures="旧页面")
    bare = _problem("没有措施的问题")
    with pytest.raises(ServiceError) as caught:
        services.handle_problem(manager, bare, version=bare.version, measures="")
    assert caught.value.errors["measures"] == ["解决措施为必填项"]
    assert Problem.objects.get(pk=bare.pk).state == "open"
    services.handle_problem(reviewer, problem, version=problem.version, measures="接口已上线")
    changes = list(problem.changes.all())
    assert [c.action for c in changes] == ["report", "update", "handle"]
    assert changes[1].before["state"] == "open" and changes[1].after["owner_id"] == tax.pk
    assert "卫建军" in changes[2].actor_label


def test_tickets_from_windows_and_applicants_land_in_the_list():
    bundle = Bundle.objects.get(code="credit-repair")
    from_window = services.report_problem(user("clerk"), bundle, title="窗口无法打印一件事受理回执")
    from_applicant = services.report_problem(user("agent"), bundle, title="申请页面上传材料后无反应")
    assert (from_window.source, from_applicant.source) == ("window", "applicant")
    assert from_window.owner == bundle.lead and from_window.deadline > timezone.localdate()
    with pytest.raises(ServiceError) as caught:
        services.report_problem(user("agent"), bundle, title="")
    assert caught.value.errors["title"] == ["问题为必填项"]


def test_the_demo_week_reads_53_problems_handled():
    assert services.problems_handled(dt.date(2024, 11, 4), dt.date(2024, 11, 8)) == 53
