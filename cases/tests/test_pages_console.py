"""The console's case pages: who sees them, and a clerk taking a case from
intake to hand-over through the forms."""

import re

from django.urls import reverse

from accounts.demo import make_resident_id
from accounts.models import Person
from cases import services
from cases.models import Case, CaseEvent, Certificate, Channel, Evaluation
from core.models import Region
from core.personal import matching

Kind = CaseEvent.Kind


def received(demo_user, matter, window):
    return services.receive(
        demo_user("clerk"),
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )


def post_step(client, case, step, **data):
    case.refresh_from_db()
    data.setdefault("version", case.version)
    return client.post(reverse("cases_console:step", args=[case.number, step]), data)


def test_worklist_and_case_page_by_role(signed_in, demo_user, licence, hall_window):
    case = received(demo_user, licence, hall_window)
    worklist, page = reverse("cases_console:worklist"), reverse("cases_console:detail", args=[case.number])
    clerk = signed_in("clerk")
    response = clerk.get(worklist)
    assert response.status_code == 200 and case.number in response.content.decode()
    body = clerk.get(page).content.decode()
    assert "受理" in body and 'name="version"' in body and "不予受理" in body
    # The reviewer sees nothing yet: the case is at the window, not in the department.
    reviewer = signed_in("reviewer")
    assert case.number not in reviewer.get(worklist).content.decode()
    assert signed_in("manager").get(worklist).status_code == 200
    for username in ("citizen", "editor"):
        assert signed_in(username).get(worklist).status_code == 403
        assert signed_in(username).get(page).status_code == 403
    # A county reviewer of another place may not open a provincial case.
    assert signed_in("reviewer_jinjiang").get(page).status_code == 403


def test_anonymous_is_sent_to_login(client, demo_user, licence, hall_window):
    response = client.get(reverse("cases_console:worklist"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_clerk_takes_a_case_from_intake_to_hand_over(signed_in, demo_user, licence, hall_window):
    clerk = signed_in("clerk")
    intake = reverse("cases_console:intake")
    found = clerk.get(intake, {"q": "采矿权"}).content.decode()
    assert licence.name in found and f"?matter={licence.pk}" in found
    page = clerk.get(intake, {"matter": licence.pk}).content.decode()
    assert "申请书" in page  # the materials checklist of the only situation
    resident_id = make_resident_id("510104", "19900101", "123")
    response = clerk.post(
        intake,
        {
            "matter": licence.pk,
            "situation": licence.situations.first().pk,
            "region": "510000",
            "applicant_kind": "person",
            "resident_id": resident_id,
            "person_name": "马丽",
            "contact_phone": "13800000001",
            "window": hall_window.pk,
            "note": "材料齐全",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(matching("applicant_code", resident_id))
    assert Person.objects.filter(matching("resident_id", resident_id), name="马丽").exists()  # registered on the way
    assert case.window == hall_window and case.state == Case.State.RECEIVED
    assert response["Location"] == reverse("cases_console:detail", args=[case.number])

    response = post_step(clerk, case, "accept")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.ACCEPTED and case.due_date
    notice = clerk.get(reverse("cases_console:notice", args=[case.number, "accept"])).content.decode()
    assert "受理通知书" in notice and case.number in notice and f"{case.due_date:%Y年%-m月%-d日}" in notice

    page = clerk.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert licence.department.name in page  # offered as the transfer destination
    assert post_step(clerk, case, "transfer", to=licence.department.pk, reason="转审批").status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.REVIEWING and not case.at_window

    reviewer = signed_in("reviewer")
    assert case.number in reviewer.get(reverse("cases_console:worklist")).content.decode()
    assert post_step(reviewer, case, "decide", approved="1", opinion="符合条件，准予").status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED and case.at_window

    clerk = signed_in("clerk")
    assert post_step(clerk, case, "issue", copies=2, valid_years=5).status_code == 302
    assert Certificate.objects.filter(case=case).count() == 2
    assert post_step(clerk, case, "hand_over", method="post", address="").status_code == 200  # address needed
    assert post_step(clerk, case, "hand_over", method="window", address="").status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.DELIVERED
    page = clerk.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    for label in ("收件", "受理", "流转", "办结", "颁发证照", "送达", "王晓燕", "赵志刚", "A01"):
        assert label in page
    assert "<h2>可办理的环节</h2>" not in page


def test_refusal_and_correction_notices(signed_in, demo_user, licence, hall_window):
    clerk = signed_in("clerk")
    case = received(demo_user, licence, hall_window)
    response = post_step(clerk, case, "correct", items="申请书：缺少法定代表人签字\n营业执照：已过期")
    assert response.status_code == 302
    notice = clerk.get(reverse("cases_console:notice", args=[case.number, "correction"])).content.decode()
    assert "一次性告知书" in notice and "缺少法定代表人签字" in notice and "营业执照" in notice
    # Refusal needs reasons and basis; the form says so and nothing changes.
    response = post_step(clerk, case, "refuse", reasons="", legal_basis="")
    assert response.status_code == 200 and "不予受理理由" in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.CORRECTION
    assert (
        post_step(
            clerk, case, "refuse", reasons="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条"
        ).status_code
        == 302
    )
    notice = clerk.get(reverse("cases_console:notice", args=[case.number, "refuse"])).content.decode()
    assert "不予受理通知书" in notice and "不属于本机关职权范围" in notice and "第三十二条" in notice
    assert clerk.get(reverse("cases_console:notice", args=[case.number, "nothing"])).status_code == 404


def test_a_stale_form_gets_the_conflict_message_and_changes_nothing(signed_in, demo_user, licence, hall_window):
    clerk = signed_in("clerk")
    case = received(demo_user, licence, hall_window)
    seen = case.version
    services.request_correction(demo_user("clerk"), case, [{"material": "申请书", "problem": "未签字"}])
    events = case.events.count()
    response = clerk.post(reverse("cases_console:step", args=[case.number, "accept"]), {"version": seen})
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被处理" in body and "一次性告知补正" in body
    case.refresh_from_db()
    assert case.state == Case.State.CORRECTION and case.events.count() == events
    # A post without any version is refused too, never taken as "latest".
    response = clerk.post(
        reverse("cases_console:step", args=[case.number, "refuse"]), {"reasons": "x", "legal_basis": "y"}
    )
    assert response.status_code == 200 and "页面已过期" in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.CORRECTION


def test_steps_are_refused_to_those_who_may_not_take_them(signed_in, demo_user, licence, hall_window):
    case = received(demo_user, licence, hall_window)
    reviewer = signed_in("reviewer")
    assert post_step(reviewer, case, "accept").status_code == 403  # not the reviewer's case yet
    page = signed_in("manager").get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert "<h2>可办理的环节</h2>" not in page
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED


def test_county_review_then_decision_upstairs(signed_in, demo_user, county_licence, hall_window):
    from accounts.models import Role, User
    from core.models import Department

    User.objects.create(
        username="reviewer_cd",
        name="成都审批员",
        kind="staff",
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id="510100"),
    )
    clerk = signed_in("clerk")
    case = services.receive(
        demo_user("clerk"),
        matter=county_licence,
        situation=county_licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510104"),
        window=hall_window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )
    post_step(clerk, case, "accept")
    assert post_step(clerk, case, "transfer", to=case.holder_id).status_code == 302
    county = signed_in("reviewer_jinjiang")
    page = county.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert "审查（报上级）" in page and "作出决定" not in page
    assert post_step(county, case, "review", opinion="初审通过").status_code == 302
    case.refresh_from_db()
    assert case.holder.region_id == "510100"
    assert (
        post_step(signed_in("reviewer_cd"), case, "suspend", procedure="专家评审", reason="需论证").status_code == 302
    )
    assert post_step(signed_in("reviewer_cd"), case, "resume", result="通过").status_code == 302
    assert post_step(signed_in("reviewer_cd"), case, "review", opinion="复审通过").status_code == 302
    assert post_step(signed_in("reviewer"), case, "decide", approved="0", opinion="不符合条件").status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.DENIED and case.at_window


def test_consultation_form(signed_in, demo_user, licence, hall_window):
    clerk = signed_in("clerk")
    url = reverse("cases_console:consult")
    response = clerk.post(url, {"asker": "", "question": "", "answer": "", "channel": "window"})
    assert response.status_code == 200 and "咨询人" in response.content.decode()
    assert not CaseEvent.objects.filter(kind=Kind.CONSULT).exists()
    response = clerk.post(
        url,
        {
            "asker": "张先生",
            "phone": "13900000000",
            "matter": licence.pk,
            "question": "需要哪些材料？",
            "answer": "已告知材料清单",
            "channel": "window",
            "window": hall_window.pk,
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(kind=Kind.CONSULT)
    assert event.window == hall_window and event.matter == licence and event.data["asker"] == "张先生"
    assert "需要哪些材料" in clerk.get(url).content.decode()
    assert signed_in("reviewer").get(url).status_code == 403


def test_certificate_page_has_a_qr_code_to_the_verification_page(signed_in, demo_user, licence, hall_window):
    case = received(demo_user, licence, hall_window)
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=licence.department)
    services.decide(reviewer, case, approved=True, opinion="准予")
    cert = services.issue(clerk, case)[0]
    body = signed_in("clerk").get(reverse("cases_console:certificate", args=[cert.number])).content.decode()
    assert "<svg" in body and cert.e_certificate_id in body
    assert f"http://testserver/cases/verify/{cert.verification_code}/" in body and cert.verification_code in body
    assert signed_in("citizen").get(reverse("cases_console:certificate", args=[cert.number])).status_code == 403


def test_poor_rating_follow_up_is_closed_by_the_manager(signed_in, demo_user, licence, hall_window):
    case = received(demo_user, licence, hall_window)
    clerk = demo_user("clerk")
    services.refuse(clerk, case, reasons="不属于本机关职权", legal_basis="《行政许可法》第三十二条")
    services.evaluate(demo_user("citizen"), case, score=1, comment="跑了两趟")
    page = signed_in("clerk").get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert "差评整改回访" not in page and "跑了两趟" in page
    manager = signed_in("manager")
    assert "差评整改回访" in manager.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    response = manager.post(reverse("cases_console:step", args=[case.number, "follow_up"]), {"result": "已回访致歉"})
    assert response.status_code == 302
    assert Evaluation.objects.get(case=case).follow_up_closed_at is not None


def test_worklist_marks_deadlines_in_colour_and_words(signed_in, demo_user, licence, hall_window):
    from cases.tests.conftest import local

    clerk = demo_user("clerk")
    overdue = received(demo_user, licence, hall_window)
    services.accept(clerk, overdue, at=local(2024, 11, 4))
    soon = received(demo_user, licence, hall_window)
    services.accept(clerk, soon)
    Case.objects.filter(pk=soon.pk).update(due_date=_next_working_day())
    body = signed_in("clerk").get(reverse("cases_console:worklist"), {"view": "all"}).content.decode()
    assert "已超期" in body and "warn-red" in body
    assert "即将到期" in body and "warn-yellow" in body
    # The whole list is sorted by due date: the overdue case comes first …
    assert body.index(overdue.number) < body.index(soon.number)
    # … while 待我处理 (the default) puts the newest arrival first.
    body = signed_in("clerk").get(reverse("cases_console:worklist")).content.decode()
    assert body.index(soon.number) < body.index(overdue.number)
    filtered = signed_in("clerk").get(reverse("cases_console:worklist"), {"state": "received"}).content.decode()
    assert overdue.number not in filtered
    assert re.search(r"<option value=\"received\" selected", filtered)


def _next_working_day():
    from django.utils import timezone

    from core.workdays import add_working_days

    return add_working_days(timezone.localdate(), 1)
