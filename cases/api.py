"""Case endpoints of the JSON API: the scoped list, one case with its events
and the steps the caller may take now, and the steps themselves, through the
same services (and so the same transition table) as the pages."""

import datetime as dt
from typing import Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from accounts import policy
from core.api_errors import replies
from core.models import Department
from core.paging import PageQuery, page
from core.personal import matching

from . import personal, services, transitions
from .models import Case, CaseEvent

router = Router(tags=["办件"])


class CaseOut(Schema):
    number: str
    matter: str = Field(alias="matter.name")
    situation: str = Field(alias="situation.name")
    channel: str
    applicant_name: str
    state: str
    state_label: str = Field(alias="get_state_display")
    holder: str = Field(alias="holder.name")
    at_window: bool
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    due_date: dt.date | None
    concluded_at: dt.datetime | None
    version: int


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    at: dt.datetime
    actor: str = Field(alias="actor_label")
    department: str | None = Field(None, alias="department.name")
    reason: str
    data: dict

    @staticmethod
    def resolve_data(event):
        # An address or phone number in the data is shown masked (cases.personal).
        return personal.masked_event_data(event.data)


class CertificateOut(Schema):
    number: str
    e_certificate_id: str
    title: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    revoked: bool


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    certificates: list[CertificateOut]
    steps: list[str] = Field(description="调用者现在可办理的环节（按办件流转表 cases/transitions.py）")

    @staticmethod
    def resolve_steps(obj, context):
        return transitions.offered(context["request"].user, obj)


class CaseFilter(PageQuery):
    state: Case.State | None = None
    applicant_code: str = Field("", max_length=40, description="申请人身份证号或统一社会信用代码（按检索散列匹配）")


class Versioned(Schema):
    version: int = Field(..., description="页面或上次读取时办件的版本号；他人已处理时返回 409")


class RefuseIn(Versioned):
    reasons: str
    legal_basis: str


class CorrectionItem(Schema):
    material: str = ""
    problem: str


class CorrectionIn(Versioned):
    items: list[CorrectionItem]


class TransferIn(Versioned):
    to_department: int | None = Field(None, description="部门ID；退回窗口时不填")
    to_window: bool = False
    reason: str = ""


class OpinionIn(Versioned):
    opinion: str


class DecideIn(Versioned):
    approved: bool
    opinion: str


class IssueIn(Versioned):
    copies: int = Field(1, ge=1, le=1000)
    valid_years: int | None = Field(None, ge=1, le=50)


class TolerantIn(Versioned):
    pending: list[str] = Field(..., description="容缺后补的材料名称（须为本情形可容缺的材料）")
    promise_days: int = Field(5, description="承诺补齐期限（工作日）")
    note: str = ""


class HandOverIn(Versioned):
    method: Literal["window", "post"]
    address: str = ""


class EvaluateIn(Schema):
    score: int = Field(..., ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str = ""


class AnswerIn(Versioned):
    note: str = ""


class ListOut(Schema):
    count: int
    items: list[CaseOut]


def _scoped(user):
    return policy.visible(
        user,
        Case.objects.select_related("matter", "situation", "holder"),
        region_field="region__code",
        function_field="holder__function",
    )


def _case(request, number):
    policy.require(request.user, "case.view")
    case = get_object_or_404(
        Case.objects.select_related("matter", "situation", "holder", "window", "window__hall"), number=number
    )
    policy.require(request.user, "case.view", case)
    return case


def _detail(case):
    """The case as it is now, its events (with their departments) and certificates fetched in one go each."""
    events = CaseEvent.objects.select_related("department").order_by("seq")
    return (
        Case.objects.select_related("matter", "situation", "holder")
        .prefetch_related(Prefetch("events", queryset=events), "certificates")
        .get(pk=case.pk)
    )


@router.get("/cases", response=replies(ListOut, 401, 403, 422), summary="办件列表（按权限范围）")
def list_cases(request, filters: Query[CaseFilter]):
    policy.require(request.user, "case.view")
    qs = _scoped(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.applicant_code.strip():
        qs = qs.filter(matching("applicant_code", filters.applicant_code))  # encrypted: by its keyed hash
    qs = qs.order_by("due_date", "received_at", "id")
    return {"count": qs.count(), "items": page(qs, filters)}


@router.get("/cases/{number}", response=replies(CaseDetailOut, 401, 403, 404, 422), summary="办件详情及办理过程")
def case_detail(request, number: str):
    return _detail(_case(request, number))


@router.post("/cases/{number}/accept", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="受理")
def accept(request, number: str, payload: Versioned):
    case = _case(request, number)
    services.accept(request.user, case, version=payload.version)
    return _detail(case)


@router.post(
    "/cases/{number}/accept-tolerant", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="容缺受理"
)
def accept_tolerant(request, number: str, payload: TolerantIn):
    case = _case(request, number)
    services.accept_tolerant(
        request.user,
        case,
        pending=payload.pending,
        promise_days=payload.promise_days,
        note=payload.note,
        version=payload.version,
    )
    return _detail(case)


@router.post(
    "/cases/{number}/refuse", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="不予受理"
)
def refuse(request, number: str, payload: RefuseIn):
    case = _case(request, number)
    services.refuse(
        request.user, case, reasons=payload.reasons, legal_basis=payload.legal_basis, version=payload.version
    )
    return _detail(case)


@router.post(
    "/cases/{number}/correction",
    response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422),
    summary="一次性告知补正",
)
def request_correction(request, number: str, payload: CorrectionIn):
    case = _case(request, number)
    services.request_correction(request.user, case, [i.dict() for i in payload.items], version=payload.version)
    return _detail(case)


@router.post(
    "/cases/{number}/correction/answer",
    response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422),
    summary="提交补正（申请人，或窗口登记）",
)
def answer_correction(request, number: str, payload: AnswerIn):
    case = _case(request, number)
    services.answer_correction(request.user, case, payload.note, version=payload.version)
    return _detail(case)


@router.post("/cases/{number}/transfer", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="流转")
def transfer(request, number: str, payload: TransferIn):
    case = _case(request, number)
    department = get_object_or_404(Department, pk=payload.to_department) if payload.to_department else None
    services.transfer(
        request.user,
        case,
        to_department=department,
        to_window=payload.to_window,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(case)


@router.post(
    "/cases/{number}/review", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="审查（报上级）"
)
def review(request, number: str, payload: OpinionIn):
    case = _case(request, number)
    services.review(request.user, case, opinion=payload.opinion, version=payload.version)
    return _detail(case)


@router.post(
    "/cases/{number}/decide", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="作出决定"
)
def decide(request, number: str, payload: DecideIn):
    case = _case(request, number)
    services.decide(request.user, case, approved=payload.approved, opinion=payload.opinion, version=payload.version)
    return _detail(case)


@router.post("/cases/{number}/issue", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="颁发证照")
def issue(request, number: str, payload: IssueIn):
    case = _case(request, number)
    services.issue(request.user, case, copies=payload.copies, valid_years=payload.valid_years, version=payload.version)
    return _detail(case)


@router.post("/cases/{number}/hand-over", response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422), summary="送达")
def hand_over(request, number: str, payload: HandOverIn):
    case = _case(request, number)
    services.hand_over(request.user, case, method=payload.method, address=payload.address, version=payload.version)
    return _detail(case)


@router.post(
    "/cases/{number}/evaluation",
    response=replies(CaseDetailOut, 400, 401, 403, 404, 409, 422),
    summary="好差评（申请人）",
)
def evaluate(request, number: str, payload: EvaluateIn):
    case = _case(request, number)
    services.evaluate(request.user, case, score=payload.score, comment=payload.comment)
    return _detail(case)
