"""高效办成一件事 in the JSON API under /api/v1/bundles: bundles, applications
and the problem list, through the same services as the pages; errors in the
platform's format ({code, message, errors})."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from accounts import policy
from accounts.models import Organisation
from catalog.models import Matter
from core.api_errors import replies, required_version
from core.errors import ServiceError
from core.models import Department

from . import services, stats
from .models import Application, Bundle, Mode

router = Router(tags=["高效办成一件事"])


class BundleItemOut(Schema):
    position: int
    matter: str = Field(alias="matter.name")
    situation: str = Field(alias="situation.name")
    department: str = Field(alias="matter.department.name")
    promised_limit: int = Field(alias="matter.promised_limit")
    after: list[int]
    field_map: dict
    only_if: dict


class BundleOut(Schema):
    code: str
    name: str
    mode: str
    mode_label: str = Field(alias="get_mode_display")
    deferral: bool
    lead: str = Field(alias="lead.name")
    state: str
    state_label: str = Field(alias="get_state_display")
    version: int
    summary: str


class BundleQuestionOut(Schema):
    key: str
    text: str
    options: list[str]


class BundleDetailOut(BundleOut):
    items: list[BundleItemOut]
    fields: list[dict]
    questionnaire: list[BundleQuestionOut] = Field(
        description="一次告知：本一件事的问题及各事项的引导问题（同一问题只问一次）"
    )


class DeferralIn(Schema):
    material: str
    promise: str
    due_date: dt.date


class ApplicationIn(Schema):
    answers: dict[str, str] = Field(default_factory=dict, description="一次告知问题的编码 → 所选选项")
    facts: dict[str, str] = Field(default_factory=dict, description="一表申请字段的编码 → 填写内容")
    organisation_uscc: str | None = Field(None, description="代办企业的统一社会信用代码（面向企业的一件事必填）")
    deferrals: list[DeferralIn] = Field(default_factory=list, description="容缺后补的材料及书面承诺")


class ChildOut(Schema):
    position: int
    matter: str
    department: str
    case_number: str | None
    state: str
    due_date: dt.date | None
    reason: str
    next_step: str


class CorrectionOut(Schema):
    matter: str
    department: str
    material: str
    problem: str


class BundleResultOut(Schema):
    matter: str
    title: str
    number: str


class DeferralOut(Schema):
    id: int
    material: str
    due_date: dt.date
    state: str
    state_label: str
    note: str
    version: int


class WithdrawIn(Schema):
    version: int
    reason: str


class ApplicationOut(Schema):
    number: str
    bundle: str
    applicant: str
    submitted_at: dt.datetime
    state: str
    state_label: str
    children: list[ChildOut]
    corrections: list[CorrectionOut]
    results: list[BundleResultOut]
    deferrals: list[DeferralOut]


class ApplicationAnswerIn(Schema):
    note: str


class ProblemOut(Schema):
    id: int
    bundle: str = Field(alias="bundle.code")
    title: str
    description: str
    kind: str
    source: str
    owner: str = Field(alias="owner.name")
    measures: str
    deadline: dt.date
    state: str
    state_label: str = Field(alias="get_state_display")
    handled_on: dt.date | None
    version: int


class ProblemIn(Schema):
    bundle: str = Field(description="一件事编码，如 bankruptcy")
    title: str
    description: str = ""
    kind: str = "other"
    owner_id: int | None = None
    measures: str = ""
    deadline: dt.date | None = None


class ProblemPatch(Schema):
    version: int
    owner_id: int | None = None
    measures: str | None = None
    deadline: dt.date | None = None
    state: str | None = None
    note: str = ""


class HandleIn(Schema):
    version: int
    measures: str = ""


class BundleItemIn(Schema):
    matter: str = Field(description="事项实施编码")
    situation: str = Field(description="情形名称")
    after: list[int] = Field(default_factory=list, description="前置事项序号（排在前面的事项）")
    field_map: dict[str, str] = Field(default_factory=dict, description="事项的字段名称 → 一表申请字段编码")
    only_if: dict[str, str] = Field(default_factory=dict, description="适用条件：{question, option}")


class BundleIn(Schema):
    version: int | None = Field(None, description="读取时的版本号（修改时必填，或用 If-Match 头）")
    name: str
    mode: str = Field(description="linked 关联事项集成办 / cross_region 跨域办 / no_application 免申办")
    lead_id: int = Field(description="牵头部门编号")
    deferral: bool = False
    for_enterprise: bool = True
    summary: str = ""
    fields: list[dict] = Field(default_factory=list)
    questions: list[dict] = Field(default_factory=list)
    items: list[BundleItemIn]
    note: str = Field("", description="修改说明")


class ReviewIn(Schema):
    version: int
    approve: bool
    comment: str = ""


class ConfirmIn(Schema):
    version: int


class StatsOut(Schema):
    applications: int
    completed: int
    average_days: float | None
    average_limit: float | None
    on_time_rate: float | None
    slowest: list[dict]


def _application_out(application):
    view = services.status(application)
    return {
        "number": application.number,
        "bundle": application.bundle.name,
        "applicant": application.applicant_name,
        "submitted_at": application.submitted_at,
        "state": view["state"],
        "state_label": view["state_label"],
        "children": [
            {
                "position": r["position"],
                "matter": r["matter"],
                "department": r["department"],
                "case_number": r["case"].number if r["case"] else None,
                "state": r["state"],
                "due_date": r["due_date"],
                "reason": r["reason"],
                "next_step": r["next_step"],
            }
            for r in view["children"]
        ],
        "corrections": [
            {
                "matter": c["matter"],
                "department": c["department"],
                "material": c.get("material", ""),
                "problem": c["problem"],
            }
            for c in view["corrections"]
        ],
        "results": [
            {
                "matter": r["matter"],
                "title": r["certificate"].title if r["certificate"] else r["text"],
                "number": r["certificate"].number if r["certificate"] else "",
            }
            for r in view["results"]
        ],
        "deferrals": [
            {
                "id": d.pk,
                "material": d.material,
                "due_date": d.due_date,
                "state": d.state,
                "state_label": d.get_state_display(),
                "note": d.note,
                "version": d.version,
            }
            for d in view["deferrals"]
        ],
    }


def _application(request, number):
    application = get_object_or_404(Application.objects.select_related("bundle"), number=number)
    if request.user.kind == "public":
        if not policy.can(request.user, "bundle.apply", application):
            raise PermissionDenied("只能查看本人或本人代办企业的一件事申请")
    else:
        policy.require(request.user, "bundle.view")
    return application


@router.get("/bundles", response=replies(list[BundleOut], 401, 403), summary="一件事列表（公众只见已确认发布的）")
def bundles(request):
    qs = Bundle.objects.select_related("lead")
    if not policy.can(request.user, "bundle.view"):
        qs = qs.filter(state=Bundle.State.CONFIRMED)
    return list(qs)


@router.get(
    "/bundles/stats",
    response=replies(StatsOut, 401, 403, 422),
    summary="一件事统计：申请数、办结用时与承诺时限合计、按时率、等待最久的部门",
)
def bundle_stats(request, start: dt.date, end: dt.date, bundle: str | None = None):
    policy.require(request.user, "bundle.view")
    if end < start:
        raise ServiceError("结束日期不能早于开始日期", errors={"end": ["结束日期不能早于开始日期"]})
    return stats.bundle_stats(start, end, Bundle.objects.filter(code=bundle).first() if bundle else None)


@router.get("/bundles/problems", response=replies(list[ProblemOut], 401, 403, 422), summary="问题清单")
def problems(request, state: str | None = None, bundle: str | None = None):
    policy.require(request.user, "problem.edit")
    qs = services.visible_problems(request.user)
    if state:
        qs = qs.filter(state=state)
    if bundle:
        qs = qs.filter(bundle__code=bundle)
    return list(qs[:500])


@router.post(
    "/bundles/problems", response=replies(ProblemOut, 400, 401, 403, 409, 422, status=201), summary="登记问题或提交工单"
)
def report_problem(request, payload: ProblemIn):
    bundle = Bundle.objects.filter(code=payload.bundle).first()
    if bundle is None:
        raise ServiceError(f"没有编码为“{payload.bundle}”的一件事", errors={"bundle": ["一件事不存在"]})
    owner = Department.objects.filter(pk=payload.owner_id).first() if payload.owner_id else None
    if payload.owner_id and owner is None:
        raise ServiceError("责任部门不存在", errors={"owner_id": [f"没有编号为{payload.owner_id}的部门"]})
    problem = services.report_problem(
        request.user,
        bundle,
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        owner=owner,
        measures=payload.measures,
        deadline=payload.deadline,
    )
    return Status(201, problem)


@router.patch(
    "/bundles/problems/{pk}",
    response=replies(ProblemOut, 400, 401, 403, 404, 409, 422),
    summary="修改问题：责任部门、措施、时限、状态",
)
def update_problem(request, pk: int, payload: ProblemPatch):
    problem = get_object_or_404(services.visible_problems(request.user), pk=pk)
    owner = Department.objects.filter(pk=payload.owner_id).first() if payload.owner_id else None
    return services.update_problem(
        request.user,
        problem,
        version=payload.version,
        owner=owner,
        measures=payload.measures,
        deadline=payload.deadline,
        state=payload.state,
        note=payload.note,
    )


@router.post(
    "/bundles/problems/{pk}/handle", response=replies(ProblemOut, 400, 401, 403, 404, 409, 422), summary="问题处理完成"
)
def handle_problem(request, pk: int, payload: HandleIn):
    problem = get_object_or_404(services.visible_problems(request.user), pk=pk)
    return services.handle_problem(request.user, problem, version=payload.version, measures=payload.measures)


@router.get(
    "/bundles/applications",
    response=replies(list[ApplicationOut], 401, 403),
    summary="一件事申请（公众：本人及代办企业的）",
)
def applications(request):
    if request.user.kind == "public":
        person = getattr(request.user, "person", None)
        qs = (
            Application.objects.filter(applicant_organisation__agent__person=person)
            | Application.objects.filter(applicant_person=person)
            if person
            else Application.objects.none()
        )
    else:
        policy.require(request.user, "bundle.view")
        qs = Application.objects.all()
    return [_application_out(a) for a in qs.filter(demo=False).select_related("bundle")[:100]]


@router.get(
    "/bundles/applications/{number}",
    response=replies(ApplicationOut, 401, 403, 404, 422),
    summary="一件事申请的合并状态",
)
def application(request, number: str):
    return _application_out(_application(request, number))


@router.post(
    "/bundles/applications/{number}/corrections",
    response=replies(ApplicationOut, 400, 401, 403, 404, 409, 422),
    summary="一次提交补正（答复所有要求补正的子办件）",
)
def answer(request, number: str, payload: ApplicationAnswerIn):
    application = _application(request, number)
    services.answer_corrections(request.user, application, note=payload.note)
    return _application_out(application)


@router.post(
    "/bundles/applications/{number}/deferrals/{pk}/withdraw",
    response=replies(ApplicationOut, 400, 401, 403, 404, 409, 422),
    summary="容缺承诺逾期未补齐：撤销以此作出的受理",
)
def withdraw(request, number: str, pk: int, payload: WithdrawIn):
    application = _application(request, number)
    deferral = get_object_or_404(application.deferrals, pk=pk)
    services.withdraw_deferral(request.user, deferral, reason=payload.reason, version=payload.version)
    return _application_out(application)


@router.get(
    "/bundles/{code}",
    response=replies(BundleDetailOut, 401, 403, 404, 422),
    summary="一件事详情：事项、一表申请字段、一次告知问题",
)
def bundle(request, code: str):
    qs = Bundle.objects.select_related("lead")
    if not policy.can(request.user, "bundle.view"):
        qs = qs.filter(state=Bundle.State.CONFIRMED)
    found = get_object_or_404(qs, code=code)
    found.questionnaire = services.questionnaire(found)
    return found


def _items_in(items):
    """Matters by implementation code and situations by name, each refusal naming the item."""
    errors, out = [], []
    for n, item in enumerate(items, start=1):
        matter = Matter.objects.filter(implementation_code=item.matter).first()
        situation = matter.situations.filter(name=item.situation).first() if matter else None
        if matter is None:
            errors.append(f"第{n}个事项：没有实施编码为“{item.matter}”的事项")
        elif situation is None:
            errors.append(f"第{n}个事项：“{matter.name}”没有名为“{item.situation}”的情形")
        out.append({**item.dict(), "matter": matter, "situation": situation})
    if errors:
        raise ServiceError(errors[0] if len(errors) == 1 else "事项有误", errors={"items": errors})
    return out


@router.put(
    "/bundles/{code}",
    response={**replies(BundleOut, 400, 401, 403, 409, 422, 428), 201: BundleOut},
    summary="梳理：新建一件事（201）或保存为新版本（200），保存后待审核",
)
def save_bundle(request, code: str, payload: BundleIn):
    existing = Bundle.objects.filter(code=code).first()
    version = required_version(request, payload.version) if existing else None
    lead = Department.objects.filter(pk=payload.lead_id).first()
    if lead is None:
        raise ServiceError("牵头部门不存在", errors={"lead_id": [f"没有编号为{payload.lead_id}的部门"]})
    saved = services.save_bundle(
        request.user,
        bundle=existing,
        version=version,
        code=code,
        name=payload.name,
        mode=payload.mode,
        lead=lead,
        items=_items_in(payload.items),
        fields=payload.fields,
        questions=payload.questions,
        deferral=payload.deferral,
        summary=payload.summary,
        for_enterprise=payload.for_enterprise,
        note=payload.note,
    )
    return saved if existing else Status(201, saved)


@router.post(
    "/bundles/{code}/review",
    response=replies(BundleOut, 400, 401, 403, 404, 409, 422),
    summary="审核：通过或退回（退回须写意见）",
)
def review_bundle(request, code: str, payload: ReviewIn):
    found = get_object_or_404(Bundle, code=code)
    return services.review_bundle(
        request.user, found, approve=payload.approve, comment=payload.comment, version=payload.version
    )


@router.post(
    "/bundles/{code}/confirm",
    response=replies(BundleOut, 400, 401, 403, 404, 409, 422),
    summary="确认：牵头部门确认审核通过的版本，确认后向申请人提供",
)
def confirm_bundle(request, code: str, payload: ConfirmIn):
    return services.confirm_bundle(request.user, get_object_or_404(Bundle, code=code), version=payload.version)


@router.post(
    "/bundles/{code}/applications",
    response=replies(ApplicationOut, 400, 401, 403, 404, 409, 422, status=201),
    summary="提交一件事申请（JSON：材料须为电子证照或容缺；上传材料请用门户页面）。"
    "免申办的一件事由窗口以本接口主动办理（organisation_uscc 指明企业）",
)
def apply(request, code: str, payload: ApplicationIn):
    found = get_object_or_404(Bundle, code=code)
    organisation = None
    if payload.organisation_uscc:
        organisation = Organisation.objects.filter(uscc=payload.organisation_uscc.strip().upper()).first()
        if organisation is None:
            raise ServiceError("企业不存在", errors={"organisation_uscc": ["没有该统一社会信用代码的企业"]})
    if request.user.kind != "public" and found.mode == Mode.NO_APPLICATION:
        application = services.start_without_application(
            request.user, found, answers=payload.answers, facts=payload.facts, applicant_organisation=organisation
        )
        return Status(201, _application_out(application))
    person = getattr(request.user, "person", None)
    application = services.submit(
        request.user,
        found,
        answers=payload.answers,
        facts=payload.facts,
        deferrals=[d.dict() for d in payload.deferrals],
        applicant_organisation=organisation,
        applicant_person=None if found.for_enterprise or organisation else person,
    )
    return Status(201, _application_out(application))
