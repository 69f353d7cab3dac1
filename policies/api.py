"""Policy library endpoints of the JSON API: anyone may read the listed
documents and items; staff create, edit and move them through review with
the same services (and the same Chinese errors and version checks) as the
console."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from accounts import policy
from core import api_errors
from core.api_errors import replies
from core.paging import PageQuery, page

from . import services
from .models import LISTED, BenefitItem, PolicyDocument

router = Router(tags=["惠企政策库"])


class ArticleOut(Schema):
    ordinal: int
    heading: str
    text: str


class DocumentOut(Schema):
    id: int
    title: str
    number: str
    issuers: str
    level: str
    region: str = Field(alias="region_id")
    city_code: str
    department: str = Field(alias="department.name")
    issued_on: dt.date
    effective_on: dt.date | None
    expires_on: dt.date | None
    status: str
    status_label: str = Field(alias="get_status_display")
    topic: str
    summary: str
    published_at: dt.datetime | None
    breakdown_due: dt.date | None
    version: int


class DocumentDetailOut(DocumentOut):
    articles: list[ArticleOut]


class ItemOut(Schema):
    id: int
    code: str
    document_id: int
    article_id: int | None
    title: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    delivery: str
    delivery_label: str = Field(alias="get_delivery_display")
    department: str = Field(alias="department.name")
    region: str = Field(alias="region_id")
    city_code: str
    target: str
    conditions: str
    amount: str
    amount_cap: Decimal | None
    apply_from: dt.date | None
    apply_until: dt.date | None
    apply_period: str
    materials: str
    payout_method: str
    payout_days: int | None
    phone: str
    industries: list[str]
    sizes: list[str]
    topic: str
    status: str
    version: int


class Page(Schema):
    count: int
    offset: int
    limit: int


class DocumentList(Page):
    results: list[DocumentOut]


class ItemList(Page):
    results: list[ItemOut]


class ListFilter(PageQuery):
    city: str | None = Field(None, description="市州代码：该市州专区（本地与全省）的记录")
    q: str | None = Field(None, max_length=100, description="标题包含")
    topic: str | None = None


class DocumentIn(Schema):
    title: str | None = None
    number: str | None = None
    issuers: str | None = None
    department: int | None = Field(None, description="维护部门ID；部门工作人员为本部门")
    region: str | None = None
    issued_on: str | None = None
    effective_on: str | None = None
    expires_on: str | None = None
    topic: str | None = None
    summary: str | None = None
    text: str | None = Field(None, description="正文：每条以“第X条”开头另起一行")
    version: int | None = Field(
        None, description="修改时必填（或 If-Match 头）：上次读取的版本号；缺少时返回 428，他人已修改时返回 409"
    )


class ItemIn(Schema):
    title: str | None = None
    kind: str | None = None
    delivery: str | None = None
    article: int | None = None
    department: int | None = None
    region: str | None = None
    target: str | None = None
    conditions: str | None = None
    amount: str | None = None
    amount_cap: Decimal | None = None
    apply_from: str | None = None
    apply_until: str | None = None
    apply_period: str | None = None
    materials: str | None = None
    payout_method: str | None = None
    payout_days: int | None = None
    phone: str | None = None
    industries: list[str] | None = None
    sizes: list[str] | None = None
    version: int | None = None


class StepIn(Schema):
    step: str = Field(
        ..., description="submit 提交审核 / approve 审核发布 / return 退回 / withdraw 撤回 / reopen 重新编辑"
    )
    version: int | None = None
    comment: str = ""


def _filtered(qs, f):
    if f.city:
        qs = qs.filter(Q(city_code=f.city) | Q(city_code=""))
    if f.q:
        qs = qs.filter(title__contains=f.q)
    if f.topic:
        qs = qs.filter(topic=f.topic)
    return {
        "count": qs.count(),
        "offset": f.offset,
        "limit": f.limit,
        "results": page(qs, f),
    }


def _data(payload):
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "version"}


@router.get(
    "/policies/documents", response=replies(DocumentList, 422), auth=None, summary="已发布（含已失效）的政策文件"
)
def list_documents(request, filters: Query[ListFilter]):
    qs = PolicyDocument.objects.filter(status__in=LISTED).select_related("department").order_by("-issued_on", "-id")
    return _filtered(qs, filters)


@router.get(
    "/policies/documents/{pk}", response=replies(DocumentDetailOut, 404, 422), auth=None, summary="政策文件及其条款"
)
def get_document(request, pk: int):
    doc = get_object_or_404(PolicyDocument.objects.select_related("department"), pk=pk)
    if doc.status not in LISTED:
        policy.require(request.user, "policy.view", doc)
    return doc


@router.get("/policies/items", response=replies(ItemList, 422), auth=None, summary="已发布（含已失效）的惠企事项")
def list_items(request, filters: Query[ListFilter]):
    qs = BenefitItem.objects.filter(status__in=LISTED).select_related("department").order_by("-published_at", "-id")
    return _filtered(qs, filters)


@router.get("/policies/items/{pk}", response=replies(ItemOut, 404, 422), auth=None, summary="惠企事项及申兑指南")
def get_item(request, pk: int):
    item = get_object_or_404(BenefitItem.objects.select_related("department"), pk=pk)
    if item.status not in LISTED:
        policy.require(request.user, "policy.view", item)
    return item


@router.post(
    "/policies/documents",
    response=replies(DocumentDetailOut, 400, 401, 403, 409, 422, status=201),
    summary="新增政策文件（草稿）",
)
def create_document(request, payload: DocumentIn):
    doc = services.create_document(request.user, _data(payload))
    return Status(201, get_document(request, doc.pk))


@router.patch(
    "/policies/documents/{pk}",
    response=replies(DocumentDetailOut, 400, 401, 403, 404, 409, 422, 428),
    summary="修改政策文件（草稿）",
)
def update_document(request, pk: int, payload: DocumentIn):
    doc = get_object_or_404(PolicyDocument, pk=pk)
    services.update_document(
        request.user, doc, _data(payload), version=api_errors.required_version(request, payload.version)
    )
    return get_document(request, pk)


DOCUMENT_STEPS = {
    "submit": services.submit_document,
    "approve": services.approve_document,
    "withdraw": services.withdraw_document,
    "reopen": services.reopen_document,
}
ITEM_STEPS = {
    "submit": services.submit_item,
    "approve": services.approve_item,
    "withdraw": services.withdraw_item,
    "reopen": services.reopen_item,
}


def _step(request, obj, steps, returner, payload):
    from core.errors import ServiceError

    if payload.step == "return":
        return returner(request.user, obj, comment=payload.comment, version=payload.version)
    if payload.step not in steps:
        raise ServiceError("未知的操作", errors={"step": ["操作：应为 submit、approve、return、withdraw 或 reopen"]})
    return steps[payload.step](request.user, obj, version=payload.version)


@router.post(
    "/policies/documents/{pk}/step",
    response=replies(DocumentDetailOut, 400, 401, 403, 404, 409, 422),
    summary="提交、审核发布、退回、撤回政策文件",
)
def document_step(request, pk: int, payload: StepIn):
    doc = get_object_or_404(PolicyDocument, pk=pk)
    _step(request, doc, DOCUMENT_STEPS, services.return_document, payload)
    return get_document(request, pk)


@router.post(
    "/policies/documents/{pk}/items",
    response=replies(ItemOut, 400, 401, 403, 404, 409, 422, status=201),
    summary="拆解惠企事项（草稿）",
)
def create_item(request, pk: int, payload: ItemIn):
    doc = get_object_or_404(PolicyDocument, pk=pk)
    return Status(201, services.create_item(request.user, doc, _data(payload)))


@router.patch(
    "/policies/items/{pk}", response=replies(ItemOut, 400, 401, 403, 404, 409, 422, 428), summary="修改惠企事项（草稿）"
)
def update_item(request, pk: int, payload: ItemIn):
    item = get_object_or_404(BenefitItem, pk=pk)
    return services.update_item(
        request.user, item, _data(payload), version=api_errors.required_version(request, payload.version)
    )


@router.post(
    "/policies/items/{pk}/step",
    response=replies(ItemOut, 400, 401, 403, 404, 409, 422),
    summary="提交、审核发布、退回、撤回惠企事项",
)
def item_step(request, pk: int, payload: StepIn):
    item = get_object_or_404(BenefitItem, pk=pk)
    return _step(request, item, ITEM_STEPS, services.return_item, payload)
