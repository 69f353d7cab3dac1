"""系统演示 runs the real steps and leaves every table and statistic as found."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from bundles import demonstration, services, stats
from cases import stats as case_stats
from core.errors import ServiceError

from .helpers import apply, finish, user

pytestmark = pytest.mark.usefixtures("bundles_demo")


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


def _figures():
    today = timezone.localdate()
    period = case_stats.Period(today - dt.timedelta(days=today.weekday()), today)
    return (
        case_stats.figures(period),
        stats.bundle_stats(today, today),
        services.problems_handled(period.start, period.end),
    )


def test_the_demonstration_walks_through_and_leaves_everything_as_found(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    apply()  # some real activity today beforehand
    counts, figures, files = _counts(), _figures(), sorted(tmp_path.rglob("*"))
    script = demonstration.run(user("manager"))
    steps = [s["step"] for s in script]
    assert steps[0].startswith("企业在线填写一张表单") and "分送3个部门" in steps[0]
    assert any("要求补正" in s for s in steps) and any("一次提交补正" in s for s in steps)
    assert script[-1]["status"] == "已办结" and "结果一并送达（3份）" in steps[-1]
    assert _counts() == counts  # every table, row for row
    assert _figures() == figures  # every statistic
    assert sorted(tmp_path.rglob("*")) == files  # no file left in the real media folder


def test_only_the_centre_runs_the_demonstration():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        demonstration.run(user("agent"))


def test_bundle_statistics():
    today = timezone.localdate()
    application = apply()
    for child in application.children.select_related("case"):
        finish(child.case)
    figures = stats.bundle_stats(today, today)
    assert figures["applications"] == 1 and figures["completed"] == 1
    assert figures["average_days"] == 0 and figures["average_limit"] == 5 + 5 + 10
    assert figures["on_time_rate"] == 100.0
    assert {row["department"] for row in figures["slowest"]} == {"市场监管局", "发展改革委（数据局）", "税务局"}


def test_a_deferral_promise_overdue_shows_on_the_worklist():
    promise = {
        "material": "信用承诺书",
        "promise": "本企业承诺于期限内补交加盖公章的信用承诺书",
        "due_date": timezone.localdate() + dt.timedelta(days=3),
    }
    application = apply(skip=("信用承诺书",), deferrals=[promise])
    deferral = application.deferrals.get()
    receive = application.children.first().case.events.get(kind="receive")
    assert "容缺后补：信用承诺书" in receive.reason
    assert list(services.overdue_deferrals()) == []
    later = timezone.localdate() + dt.timedelta(days=4)
    assert list(services.overdue_deferrals(later)) == [deferral]
    with pytest.raises(ServiceError) as caught:
        apply(skip=("信用承诺书",), deferrals=[{**promise, "due_date": timezone.localdate() + dt.timedelta(days=90)}])
    assert "30日内" in caught.value.errors["deferrals"][0]
    from .helpers import pdf

    services.supply_deferred(user("agent"), deferral, upload=pdf())
    assert list(services.overdue_deferrals(later)) == []
