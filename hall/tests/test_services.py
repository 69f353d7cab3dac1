"""Hall operations: activity reports, leaders on duty, key work."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import Conflict, ServiceError
from core.models import Department
from hall import services
from hall.models import ActivityPhoto, ActivityReport, DutyShift, KeyWork, KeyWorkNote, Window

DAY = dt.date(2024, 11, 6)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _submit(user, **overrides):
    fields = {"date": DAY, "title": "上门服务", "text": "到园区辅导企业申报。", "kind": "home_service"}
    fields.update(overrides)
    return services.submit_activity(user, **fields)


def test_a_clerk_sends_an_item_and_the_editor_accepts_it(demo_user):
    clerk, editor = demo_user("clerk"), demo_user("editor")
    report = _submit(clerk, window=Window.objects.get(number="A01"))
    assert report.state == ActivityReport.State.SUBMITTED and report.department == clerk.department
    report = services.edit_activity(
        editor,
        report,
        version=report.version,
        date=DAY,
        title="窗口上门服务",
        text="窗口到园区辅导企业网上申报。",
        kind="home_service",
    )
    report = services.accept_activity(editor, report, version=report.version)
    assert report.state == ActivityReport.State.ACCEPTED and report.decided_by == editor
    assert list(services.accepted_activities(dt.date(2024, 11, 4), dt.date(2024, 11, 8))) == [report]
    assert not services.accepted_activities(dt.date(2024, 11, 11), dt.date(2024, 11, 15)).exists()


def test_missing_fields_are_named_in_chinese_and_nothing_is_saved(demo_user):
    with pytest.raises(ServiceError) as caught:
        _submit(demo_user("clerk"), title=" ", text="", kind="party", date=None)
    errors = caught.value.errors
    assert errors["title"] == ["标题为必填项"] and errors["text"] == ["内容为必填项"]
    assert "请选择类别" in errors["kind"][0] and "日期为必填项" in errors["date"][0]
    assert not ActivityReport.objects.exists()


def test_photos_are_checked_by_content(demo_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = demo_user("clerk")
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ServiceError) as caught:
        _submit(clerk, photos=[fake])
    assert "不是 JPEG 或 PNG 图片" in caught.value.errors["photos"][0]
    assert not ActivityReport.objects.exists()
    report = _submit(clerk, photos=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    photo = ActivityPhoto.objects.get(report=report)
    assert photo.content_type == "image/png" and photo.file.read() == PNG


def test_returning_needs_a_comment_and_the_sender_can_resubmit(demo_user):
    clerk, editor = demo_user("clerk"), demo_user("editor")
    report = _submit(clerk)
    with pytest.raises(ServiceError) as caught:
        services.return_activity(editor, report, version=report.version, comment="")
    assert caught.value.errors == {"comment": ["退回意见为必填项"]}
    report = services.return_activity(editor, report, version=report.version, comment="请补充服务成效")
    assert report.state == ActivityReport.State.RETURNED
    with pytest.raises(ServiceError):
        services.resubmit_activity(editor, report, version=report.version, date=DAY, title="x", text="y", kind="other")
    report = services.resubmit_activity(
        clerk,
        report,
        version=report.version,
        date=DAY,
        title="上门服务",
        text="辅导3家企业，当场提交申请。",
        kind="home_service",
    )
    assert report.state == ActivityReport.State.SUBMITTED


def test_two_editors_at_once_one_gets_a_conflict(demo_user):
    report = _submit(demo_user("clerk"))
    editor, manager = demo_user("editor"), demo_user("manager")
    services.accept_activity(editor, report, version=report.version)
    with pytest.raises(Conflict) as caught:
        services.return_activity(manager, report, version=report.version, comment="重复")
    assert "已被他人修改" in caught.value.message
    assert ActivityReport.objects.get(pk=report.pk).state == ActivityReport.State.ACCEPTED


def test_who_may_do_what(demo_user):
    report = _submit(demo_user("reviewer"))  # departments send in too
    with pytest.raises(PermissionDenied):
        services.accept_activity(demo_user("clerk"), report, version=report.version)
    with pytest.raises(PermissionDenied):
        services.schedule_duty(
            demo_user("clerk"),
            leader_name="甲",
            leader_title="厅长",
            department=Department.objects.get(function="justice", region_id="510000"),
            date=DAY,
        )


def test_duty_shift_sign_in_and_notes(demo_user):
    editor, clerk = demo_user("editor"), demo_user("clerk")
    justice = Department.objects.get(function="justice", region_id="510000")
    with pytest.raises(ServiceError) as caught:
        services.schedule_duty(
            editor, leader_name="", leader_title="二级巡视员", department=justice, date=dt.date(2024, 11, 9)
        )
    assert caught.value.errors["leader_name"] == ["姓名为必填项"]
    assert "是周末" in caught.value.errors["date"][0]
    today = timezone.localdate()
    while today.weekday() >= 5:
        today -= dt.timedelta(days=1)
    shift = services.schedule_duty(
        editor,
        leader_name="陈雅琴",
        leader_title="二级巡视员",
        department=justice,
        date=today,
        window=Window.objects.get(number="A02"),
    )
    with pytest.raises(ServiceError) as caught:
        services.record_duty_notes(clerk, shift, version=shift.version, notes="解答咨询")
    assert caught.value.errors["notes"] == ["请先签到，再记录值守情况"]
    shift = services.sign_in_duty(clerk, shift, version=shift.version)
    with pytest.raises(Conflict):
        services.sign_in_duty(clerk, shift, version=shift.version)
    shift = services.record_duty_notes(clerk, shift, version=shift.version, notes="现场解答公证咨询")
    assert DutyShift.objects.get(pk=shift.pk).notes == "现场解答公证咨询"


def test_sign_in_only_on_the_day(demo_user):
    shift = services.schedule_duty(
        demo_user("editor"),
        leader_name="刘志远",
        leader_title="党委委员",
        department=Department.objects.get(function="public_security", region_id="510000"),
        date=DAY,
    )
    with pytest.raises(ServiceError) as caught:
        services.sign_in_duty(demo_user("clerk"), shift, version=shift.version)
    assert caught.value.errors["date"] == ["只能在值守当天签到"]


def test_key_work_notes_and_live_figures(demo_user):
    editor = demo_user("editor")
    with pytest.raises(ServiceError) as caught:
        services.save_key_work(editor, name="惠企政策直达快享", sources=["typed_numbers"])
    assert "未知的数据来源" in caught.value.errors["sources"][0]
    item = services.save_key_work(
        editor, name="惠企政策直达快享", sources=["policy_zone", "manual_progress", "problems_handled"]
    )
    note = services.save_key_work_note(editor, item, week_start=DAY, text="专区上线试运行。")
    assert note.week_start == dt.date(2024, 11, 4)  # any day → its Monday
    again = services.save_key_work_note(
        editor, item, week_start=dt.date(2024, 11, 4), text="专区试运行平稳。", version=note.version
    )
    assert again.pk == note.pk and KeyWorkNote.objects.count() == 1
    with pytest.raises(Conflict):
        services.save_key_work_note(editor, item, week_start=DAY, text="旧页面", version=note.version)
    figures = {f["key"]: f for f in services.live_figures(item)}
    from catalog.manuals import progress

    assert figures["manual_progress"]["available"] and figures["manual_progress"]["text"] == progress()[2]
    assert (
        figures["problems_handled"]["available"] and figures["problems_handled"]["value"] == 0
    )  # bundles publishes it
    zone = figures["policy_zone"]
    if zone["available"]:  # the policy zone's own counters
        from policies.stats import zone_counters

        assert zone["values"] == zone_counters()
        assert f"政策文件{zone['values']['documents']}个" in zone["text"]


def test_key_work_names_are_unique(demo_user):
    editor = demo_user("editor")
    services.save_key_work(editor, name="数字政府项目建设")
    with pytest.raises(ServiceError) as caught:
        services.save_key_work(editor, name="数字政府项目建设")
    assert caught.value.errors["name"] == ["已有名为“数字政府项目建设”的重点工作"]
    assert KeyWork.objects.count() == 1
