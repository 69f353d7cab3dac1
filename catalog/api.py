"""The matter catalogue for other systems (事项目录接口): matters with their
situations, materials, guiding questions and the confirmed versions of the
acceptance manuals. Read only; the catalogue changes through the console and
its import (catalog.services, catalog.exchange). What the public 办事指南
shows, any signed-in caller (session or token) may read."""

import datetime as dt

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from core.api_errors import replies
from core.paging import PageQuery, page

from .models import GuideOption, GuideQuestion, Manual, ManualStep, Material, Matter, Situation

router = Router(tags=["事项目录"])


class MatterOut(Schema):
    id: int
    catalogue_code: str = Field(description="基本编码（GB/T 39554）")
    implementation_code: str = Field(description="实施编码")
    name: str
    matter_type: str = Field(description="事项类型代码，如 01 行政许可")
    matter_type_label: str = Field(alias="get_matter_type_display")
    department: str = Field(alias="department.name")
    department_id: int
    levels: list[str]
    review_levels: list[str] = Field(description="审查决定层级，按顺序")
    legal_limit: int = Field(description="法定时限（工作日）")
    promised_limit: int = Field(description="承诺时限（工作日），0 为即办件")
    has_fee: bool
    fee_description: str
    result_name: str
    certificate_type_code: str
    online: bool
    visits: int
    legal_basis: str


class MaterialOut(Schema):
    id: int
    name: str
    required: bool
    form: str
    form_label: str = Field(alias="get_form_display")
    copies: int
    file_format: str
    from_e_certificate: bool = Field(description="可调取电子证照免提交")
    e_certificate_name: str
    tolerable: bool = Field(description="容缺受理时可后补")
    notes: str
    only_if: int | None = Field(None, alias="only_if_id", description="仅在选择此引导选项时需要")


class ManualOut(Schema):
    version: int = Field(description="已确认的版本号")
    confirmed_at: dt.datetime
    steps: list[str]
    checks: list[dict]
    refusal_reasons: list[str]
    correction_reasons: list[str]
    legal_basis: str


class SituationOut(Schema):
    id: int
    item_code: str = Field(description="业务办理项编码")
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    criteria: str
    materials: list[MaterialOut]
    manual: ManualOut | None = Field(None, description="受理工作手册最近确认的版本；未确认的为 null")

    @staticmethod
    def resolve_manual(obj):
        return _confirmed(obj)


class OptionOut(Schema):
    id: int
    text: str
    situations: list[int] = Field(description="选择此项后仍适用的情形；为空表示不缩小情形")

    @staticmethod
    def resolve_situations(obj):
        return [s.pk for s in obj.situations.all()]


class QuestionOut(Schema):
    id: int
    text: str
    options: list[OptionOut]


class MatterDetailOut(MatterOut):
    situations: list[SituationOut]
    questions: list[QuestionOut]


class MatterFilter(PageQuery):
    q: str = Field("", description="事项名称、结果名称或实施编码")
    department: int | None = None
    online: bool | None = None


class MatterList(Schema):
    count: int
    items: list[MatterOut]


def _confirmed(situation):
    """The manual's last confirmed version, or None."""
    try:
        manual = situation.manual
    except Manual.DoesNotExist:
        return None
    step = manual.steps.filter(action=ManualStep.Action.CONFIRM).order_by("-at", "-id").first()
    if step is None:
        return None
    version = manual.versions.filter(number=step.version).first()
    if version is None:
        return None
    return {
        "version": version.number,
        "confirmed_at": step.at,
        "steps": version.step_lines(),
        "checks": version.checks,
        "refusal_reasons": version.refusal_lines(),
        "correction_reasons": version.correction_lines(),
        "legal_basis": version.legal_basis,
    }


@router.get("/matters", response=replies(MatterList, 401, 403, 422), summary="事项列表")
def list_matters(request, filters: Query[MatterFilter]):
    qs = Matter.objects.filter(active=True).select_related("department")
    if filters.q:
        qs = qs.filter(
            Q(name__contains=filters.q) | Q(result_name__contains=filters.q) | Q(implementation_code=filters.q.upper())
        )
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.online is not None:
        qs = qs.filter(online=filters.online)
    qs = qs.order_by("department_id", "catalogue_code", "id")
    return {"count": qs.count(), "items": page(qs, filters)}


@router.get(
    "/matters/{matter_id}",
    response=replies(MatterDetailOut, 401, 403, 404, 422),
    summary="事项详情：情形、材料、引导问题、受理工作手册",
)
def matter_detail(request, matter_id: int):
    matter = get_object_or_404(
        Matter.objects.select_related("department").prefetch_related(
            Prefetch(
                "situations",
                Situation.objects.select_related("manual").prefetch_related(
                    Prefetch("materials", Material.objects.order_by("position", "id"))
                ),
            ),
            Prefetch(
                "questions",
                GuideQuestion.objects.prefetch_related(
                    Prefetch("options", GuideOption.objects.prefetch_related("situations"))
                ),
            ),
        ),
        pk=matter_id,
        active=True,
    )
    return matter
