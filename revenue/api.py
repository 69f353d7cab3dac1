"""自然资源非税收入 in the JSON API under /api/v1/revenue/: rights, fee sources and
their approval, the dashboards, and the endpoint where the tax bureau may push
its messages (HMAC-signed, applied once) — through the same services as the pages."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accounts import policy
from core.api_errors import replies
from core.regions import region_covers

from . import dashboard, exchange, services
from .models import FeeSource, MiningRight

router = Router(tags=["自然资源非税收入"])


class RightIn(Schema):
    kind: str = Field(description="exploration（探矿权）或 mining（采矿权）")
    licence_no: str
    name: str
    holder_name: str
    holder_uscc: str = Field(description="统一社会信用代码（GB 32100）")
    region_code: str = Field(description="县级行政区划代码（GB/T 2260）")
    area_km2: Decimal
    mineral: str
    granting_level: str = Field(description="province / city / county")
    contract_no: str
    contract_date: dt.date
    term_start: dt.date
    term_end: dt.date


class RightOut(Schema):
    id: int
    kind: str
    licence_no: str
    name: str
    holder_name: str
    holder_uscc: str
    region_code: str = Field(alias="region_id")
    area_km2: Decimal
    mineral: str
    granting_level: str
    contract_no: str
    contract_date: dt.date
    version: int


class InstalmentIO(Schema):
    due_date: dt.date
    amount: Decimal


class FeeSourceIn(Schema):
    right_id: int
    kind: str = Field(description="proceeds_amount / proceeds_rate / use_fee")
    amount: Decimal = Field(description="元，精确到分")
    trigger_date: dt.date = Field(description="合同签订或变更日期")
    due_date: dt.date | None = None
    instalments: list[InstalmentIO] = []
    basis: str = ""
    period: str = ""


class FeeSourceOut(Schema):
    id: int
    right_id: int
    kind: str
    amount: Decimal
    state: str
    state_label: str = Field(alias="get_state_display")
    region_code: str = Field(alias="region_id")
    chain: list[str]
    current_level: str | None
    trigger_date: dt.date
    version: int
    instalments: list[InstalmentIO]
    paid: Decimal

    @staticmethod
    def resolve_instalments(obj):
        return [{"due_date": i.due_date, "amount": i.amount} for i in obj.instalments.all()]

    @staticmethod
    def resolve_paid(obj):
        return sum((p.amount for p in obj.payments.all()), Decimal("0.00"))


class FeeDecisionIn(Schema):
    version: int
    comment: str = ""


def _visible(user, qs):
    services._require(user, "revenue.view")
    return policy.visible(user, qs, region_field="region__code")


@router.get("/revenue/rights", response=replies(list[RightOut], 401, 403, 422), summary="矿业权（本辖区）")
def rights(request, q: str = ""):
    qs = _visible(request.user, MiningRight.objects.all())
    return qs.filter(name__contains=q)[:500] if q else qs[:500]


@router.post("/revenue/rights", response=replies(RightOut, 400, 401, 403, 409, 422, status=201), summary="登记矿业权")
def register_right(request, payload: RightIn):
    return Status(201, services.register_right(request.user, **payload.dict()))


@router.get("/revenue/fee-sources", response=replies(list[FeeSourceOut], 401, 403, 422), summary="费源信息（本辖区）")
def fee_sources(request, state: str = "", region: str = ""):
    qs = _visible(request.user, FeeSource.objects.prefetch_related("instalments", "payments"))
    if state:
        qs = qs.filter(state=state)
    if region:
        qs = dashboard._in_scope(qs, region, "region__code")
    return qs[:500]


@router.post(
    "/revenue/fee-sources",
    response=replies(FeeSourceOut, 400, 401, 403, 404, 409, 422, status=201),
    summary="填报费源并提交审批",
)
def create_fee_source(request, payload: FeeSourceIn):
    right = get_object_or_404(_visible(request.user, MiningRight.objects.all()), pk=payload.right_id)
    return Status(
        201,
        services.create_fee_source(
            request.user,
            right,
            kind=payload.kind,
            amount=payload.amount,
            trigger_date=payload.trigger_date,
            due_date=payload.due_date,
            basis=payload.basis,
            period=payload.period,
            instalments=[(i.due_date, i.amount) for i in payload.instalments],
        ),
    )


@router.get("/revenue/fee-sources/{pk}", response=replies(FeeSourceOut, 401, 403, 404, 422), summary="费源详情")
def fee_source(request, pk: int):
    return get_object_or_404(_visible(request.user, FeeSource.objects.all()), pk=pk)


@router.post(
    "/revenue/fee-sources/{pk}/approve",
    response=replies(FeeSourceOut, 400, 401, 403, 404, 409, 422),
    summary="同意（本级审批）",
)
def approve(request, pk: int, payload: FeeDecisionIn):
    fs = get_object_or_404(_visible(request.user, FeeSource.objects.all()), pk=pk)
    return services.approve(request.user, fs, version=payload.version, comment=payload.comment)


@router.post(
    "/revenue/fee-sources/{pk}/return",
    response=replies(FeeSourceOut, 400, 401, 403, 404, 409, 422),
    summary="退回填报人",
)
def send_back(request, pk: int, payload: FeeDecisionIn):
    fs = get_object_or_404(_visible(request.user, FeeSource.objects.all()), pk=pk)
    return services.send_back(request.user, fs, version=payload.version, comment=payload.comment)


class RevenueFiguresOut(Schema):
    code: str
    name: str
    count: int
    owed: Decimal
    notified: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    due_soon: Decimal


class DashboardOut(Schema):
    region: str
    rows: list[RevenueFiguresOut]
    total: dict
    split: dict


@router.get(
    "/revenue/dashboard",
    response=replies(DashboardOut, 401, 403, 422),
    summary="应缴、已通知、已缴、逾期、30日内到期及已缴分成",
)
def dashboard_figures(request, region: str = ""):
    services._require(request.user, "revenue.view")
    home = request.user.department.region_id if request.user.department_id else "510000"
    code = region or home
    if request.user.role != "sysadmin" and not region_covers(home, code):
        raise PermissionDenied("无权查看该地区的非税收入：不在您所在部门的辖区内")
    data = dashboard.figures(code, timezone.localdate())
    return {"region": code, **data}


class MessageIn(Schema):
    id: str
    kind: str = Field(description="notice / payment / review_outcome")
    body: dict


class ReceivedOut(Schema):
    stored: int


@router.post(
    "/revenue/tax/messages",
    auth=None,
    response=replies(ReceivedOut, 400, 403, 409, 422),
    summary="税务部门推送缴款通知书、缴费和复核结果",
    description="请求体须以共享密钥计算 HMAC-SHA256，放在 X-Signature 头；同一消息标识只处理一次。",
)
def tax_messages(request, payload: list[MessageIn]):
    if not exchange.verify(request.body, request.headers.get("X-Signature", "")):
        raise PermissionDenied("签名无效：请以共享密钥对请求体计算 HMAC-SHA256")
    return {"stored": services.receive([m.dict() for m in payload])}
