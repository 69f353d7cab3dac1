"""The hall pages as a clerk and an editor use them."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from hall.models import ActivityReport, DutyShift, KeyWork, KeyWorkNote


def test_a_clerk_sends_an_item_from_the_page(signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in("clerk")
    page = client.get("/console/hall/activities/")
    assert page.status_code == 200 and "报送一条动态" in page.content.decode()
    response = client.post(
        "/console/hall/activities/",
        {
            "date": "2024-11-06",
            "title": "窗口开展消防宣传",
            "kind": "publicity",
            "text": "在大厅开展宣传。",
            "photos": [SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    report = ActivityReport.objects.get()
    assert report.photos.count() == 1 and report.state == ActivityReport.State.SUBMITTED
    from core.models import AuditEntry

    entry = AuditEntry.objects.filter(object_id=str(report.pk), object_type__icontains="activityreport").get()
    assert entry.actor_label.startswith("王晓燕") or "clerk" in entry.actor_label


def test_the_form_names_the_wrong_fields(signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = (
        signed_in("clerk")
        .post(
            "/console/hall/activities/",
            {
                "date": "2024-11-06",
                "title": "",
                "kind": "",
                "text": "",
                "photos": [SimpleUploadedFile("a.jpg", b"GIF89a....", content_type="image/jpeg")],
            },
        )
        .content.decode()
    )
    assert "标题为必填项" in page and "内容为必填项" in page and "不是 JPEG 或 PNG 图片" in page
    assert not ActivityReport.objects.exists()


def test_the_editor_accepts_or_returns(signed_in, demo_user):
    from hall import services

    report = services.submit_activity(
        demo_user("clerk"), date=dt.date(2024, 11, 6), title="上门服务", text="到园区辅导。", kind="home_service"
    )
    client = signed_in("editor")
    response = client.post(
        f"/console/hall/activities/{report.pk}/",
        {
            "action": "accept",
            "version": report.version,
            "date": "2024-11-06",
            "title": "窗口上门服务",
            "kind": "home_service",
            "text": "窗口到园区辅导企业申报。",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.title) == (ActivityReport.State.ACCEPTED, "窗口上门服务")
    # a stale page: the other editor is told, nothing changes
    page = client.post(
        f"/console/hall/activities/{report.pk}/",
        {"action": "save", "version": 0, "date": "2024-11-06", "title": "旧", "kind": "home_service", "text": "旧"},
    ).content.decode()
    assert "已被他人修改" in page
    report.refresh_from_db()
    assert report.title == "窗口上门服务"


def test_a_clerk_sees_only_their_departments_items(signed_in, demo_user):
    from hall import services

    mine = services.submit_activity(
        demo_user("clerk"), date=dt.date(2024, 11, 6), title="本部门", text="x", kind="other"
    )
    other = services.submit_activity(
        demo_user("reviewer"), date=dt.date(2024, 11, 6), title="自然资源厅", text="y", kind="other"
    )
    client = signed_in("clerk")
    assert client.get(f"/console/hall/activities/{mine.pk}/").status_code == 200
    assert client.get(f"/console/hall/activities/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/console/hall/activities/{mine.pk}/",
            {
                "action": "accept",
                "version": mine.version,
                "date": "2024-11-06",
                "title": "x",
                "kind": "other",
                "text": "x",
            },
        ).status_code
        == 403
    )


def test_duty_and_key_work_pages(signed_in):
    client = signed_in("editor")
    from core.models import Department

    justice = Department.objects.get(function="justice", region_id="510000")
    response = client.post(
        "/console/hall/duty/?week=2024-11-04",
        {"leader_name": "陈雅琴", "leader_title": "二级巡视员", "department": justice.pk, "date": "2024-11-07"},
    )
    assert response.status_code == 302
    assert "陈雅琴" in client.get("/console/hall/duty/?week=2024-11-07").content.decode()
    assert DutyShift.objects.count() == 1
    page = client.post(
        "/console/hall/duty/?week=2024-11-04",
        {"leader_name": "", "leader_title": "", "department": justice.pk, "date": "2024-11-09"},
    ).content.decode()
    assert "姓名为必填项" in page and "是周末" in page
    client.post(
        "/console/hall/key-work/?week=2024-11-04",
        {"action": "add", "name": "惠企政策直达快享", "order": 1, "sources": ["policy_zone", "problems_handled"]},
    )
    item = KeyWork.objects.get()
    client.post(
        "/console/hall/key-work/?week=2024-11-05", {"action": "note", "key_work": item.pk, "text": "专区上线试运行。"}
    )
    assert KeyWorkNote.objects.get().week_start == dt.date(2024, 11, 4)
    page = client.get("/console/hall/key-work/?week=2024-11-04").content.decode()
    assert "专区上线试运行。" in page and "本周处理问题0个。" in page  # read through the figure registry
    assert signed_in("clerk").get("/console/hall/key-work/").status_code == 403
