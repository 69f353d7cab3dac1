import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.demo import make_resident_id
from accounts.models import Person
from cases import services
from cases.identifiers import check_e_certificate_id
from cases.models import Case, CaseEvent, Certificate, Channel
from core.errors import Conflict, ServiceError
from core.models import Department, Region

from .conftest import local, receive_at_window

Kind = CaseEvent.Kind


@pytest.fixture
def citizen(demo_user):
    return demo_user("citizen")


def _receive(clerk, matter, window, at, region="510000", person=None):
    return receive_at_window(clerk, matter, window, region=region, person=person, contact_phone="13800000000", at=at)


def test_a_case_from_receipt_to_rating(demo_user, licence, hall_window, citizen):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4, 9))
    assert case.state == Case.State.RECEIVED and case.number.startswith("51000020241104")

    services.request_correction(
        clerk, case, [{"material": "申请书", "problem": "缺少法定代表人签字"}], at=local(2024, 11, 4, 10)
    )
    services.answer_correction(citizen, case, "已补签", at=local(2024, 11, 5, 9))
    services.accept(clerk, case, at=local(2024, 11, 5, 10))
    case.refresh_from_db()
    assert case.due_date.isoformat() == "2024-11-12"  # 5 working days after Tue 5 Nov

    services.transfer(clerk, case, to_department=licence.department, reason="转自然资源厅审批")
    case.refresh_from_db()
    assert case.state == Case.State.REVIEWING and not case.at_window

    services.decide(reviewer, case, approved=True, opinion="符合条件，准予登记", at=local(2024, 11, 7))
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED and case.at_window  # back to the window to hand out

    certificates = services.issue(clerk, case, copies=2, valid_years=5, at=local(2024, 11, 8))
    assert len(certificates) == 2
    assert all(check_e_certificate_id(c.e_certificate_id) for c in certificates)
    assert certificates[0].e_certificate_id.startswith("1.2.156.3005.2.")
    services.hand_over(clerk, case, method="window")

    evaluation = services.evaluate(citizen, case, score=2, comment="等候时间长")
    assert evaluation.follow_up_due.isoformat() > "2024-11-08"
    services.close_follow_up(demo_user("manager"), evaluation, result="已回访并优化叫号")

    kinds = [e.kind for e in case.events.order_by("seq")]
    assert kinds == [
        Kind.RECEIVE,
        Kind.CORRECTION_REQUESTED,
        Kind.CORRECTION_ANSWERED,
        Kind.ACCEPT,
        Kind.TRANSFER,
        Kind.CONCLUDE,
        Kind.TRANSFER,
        Kind.ISSUE,
        Kind.ISSUE,
        Kind.HANDOVER,
        Kind.EVALUATE,
    ]
    assert [e.seq for e in case.events.order_by("seq")] == list(range(1, 12))


def test_two_clerks_accepting_the_same_case_one_wins(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4))
    seen_version = case.version
    services.accept(clerk, case, version=seen_version)
    with pytest.raises(Conflict) as refused:
        services.accept(clerk, case, version=seen_version)
    assert "已被处理" in refused.value.message
    assert case.events.filter(kind=Kind.ACCEPT).count() == 1


def test_accepting_an_already_accepted_case_is_refused_by_state(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4))
    services.accept(clerk, case)
    with pytest.raises(Conflict) as refused:
        services.accept(clerk, case)
    assert "已受理" in refused.value.message


def test_county_city_province_review(demo_user, county_licence, hall_window):
    from accounts.models import Role, User

    clerk = demo_user("clerk")
    county, province = demo_user("reviewer_jinjiang"), demo_user("reviewer")
    city = User.objects.create(
        username="reviewer_cd",
        name="成都审批员",
        kind="staff",
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id="510100"),
    )
    case = _receive(clerk, county_licence, hall_window, local(2024, 11, 4), region="510104")
    assert case.holder.region_id == "510104"
    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=case.holder, reason="转县级自然资源局初审")
    with pytest.raises(ServiceError):
        services.decide(county, case, approved=True, opinion="同意")  # the county only reviews
    services.review(county, case, opinion="初审通过")
    case.refresh_from_db()
    assert case.holder.region_id == "510100"
    with pytest.raises((PermissionDenied, ServiceError)):
        services.review(county, case, opinion="再审")  # no longer the county's
    services.review(city, case, opinion="复审通过")
    case.refresh_from_db()
    assert case.holder.region_id == "510000"
    services.decide(province, case, approved=True, opinion="准予")
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    # window→county, county→city, city→province, and back to the window
    assert case.events.filter(kind=Kind.TRANSFER).count() == 4


def test_suspension_does_not_count_against_the_limit(demo_user, licence, hall_window):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4))
    services.accept(clerk, case, at=local(2024, 11, 4, 11))
    case.refresh_from_db()
    assert case.due_date.isoformat() == "2024-11-11"
    services.transfer(clerk, case, to_department=licence.department)
    services.suspend(reviewer, case, procedure="专家评审", reason="需组织专家论证", at=local(2024, 11, 5))
    services.resume(reviewer, case, result="专家评审通过", at=local(2024, 11, 8))
    case.refresh_from_db()
    assert case.due_date.isoformat() == "2024-11-14"  # three working days later


def test_refusal_needs_reasons_and_basis(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4))
    with pytest.raises(ServiceError) as refused:
        services.refuse(clerk, case, reasons="", legal_basis="")
    assert set(refused.value.errors) == {"reasons", "legal_basis"}
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED
    services.refuse(clerk, case, reasons="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")
    case.refresh_from_db()
    assert case.state == Case.State.REFUSED


def test_a_failure_midway_through_issuing_leaves_nothing(demo_user, licence, hall_window, monkeypatch):
    clerk, reviewer = demo_user("clerk"), demo_user("reviewer")
    case = _receive(clerk, licence, hall_window, local(2024, 11, 4))
    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=licence.department)
    services.decide(reviewer, case, approved=True, opinion="准予")
    events_before = case.events.count()
    from cases import identifiers

    real, calls = identifiers.e_certificate_id, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("电子证照系统无响应")
        return real(*args, **kwargs)

    monkeypatch.setattr(identifiers, "e_certificate_id", failing)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.issue(clerk, case, copies=3)
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    assert Certificate.objects.filter(case=case).count() == 0
    assert case.events.count() == events_before


def test_consultations_are_counted_events(demo_user, licence, hall_window):
    clerk = demo_user("clerk")
    event = services.record_consultation(
        clerk,
        asker="张先生",
        question="采矿权登记需要哪些材料？",
        answer="已告知材料清单",
        matter=licence,
        window=hall_window,
    )
    assert event.kind == Kind.CONSULT and event.case is None and event.department == licence.department
    with pytest.raises(ServiceError) as refused:
        services.record_consultation(clerk, asker="", question="", answer="")
    assert set(refused.value.errors) == {"asker", "question", "answer"}


def test_online_application_by_the_citizen(demo_user, licence, citizen):
    person = Person.objects.get(user=citizen)
    case = services.receive(
        citizen,
        matter=licence,
        situation=licence.situations.first(),
        channel=Channel.ONLINE,
        region=Region.objects.get(code="510000"),
        applicant_person=person,
    )
    assert case.channel == Channel.ONLINE and case.window is None
    other = Person.objects.create(name="王五", resident_id=make_resident_id("510105", "19900101", "011"))
    with pytest.raises((PermissionDenied, ServiceError)):
        services.receive(
            citizen,
            matter=licence,
            situation=licence.situations.first(),
            channel=Channel.ONLINE,
            region=Region.objects.get(code="510000"),
            applicant_person=other,
        )
