"""Hall operations in the JSON API under /api/v1: activity reports and key
work, through the same services as the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from accounts import policy
from core.api_errors import replies

from . import services
from .models import ActivityReport, KeyWork, Window

router = Router(tags=["大厅运行"])


class ActivityOut(Schema):
    id: int
    date: dt.date
    title: str
    text: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    department: str = Field(alias="department.name")
    state: str
    state_label: str = Field(alias="get_state_display")
    comment: str
    version: int


class ActivityIn(Schema):
    date: dt.date
    title: str
    text: str
    kind: str
    window: str | None = Field(None, description="窗口号，如 A01")


class ActivityVersionIn(Schema):
    version: int


class ReturnIn(ActivityVersionIn):
    comment: str


class FigureOut(Schema):
    key: str
    label: str
    available: bool
    text: str
    message: str = ""
    values: dict


class KeyWorkOut(Schema):
    id: int
    name: str
    figures: list[FigureOut]


def _reports(user):
    qs = ActivityReport.objects.select_related("department")
    if policy.can(user, "activity.edit"):
        return qs
    policy.require(user, "activity.submit")
    return qs.filter(department=user.department)


@router.get(
    "/activity-reports", response=replies(list[ActivityOut], 401, 403, 422), summary="政务工作动态（本部门或全部）"
)
def list_reports(request, state: str = ""):
    qs = _reports(request.user)
    return qs.filter(state=state) if state else qs[:500]


@router.post(
    "/activity-reports",
    response=replies(ActivityOut, 400, 401, 403, 404, 409, 422, status=201),
    summary="报送政务工作动态",
)
def submit(request, payload: ActivityIn):
    window = get_object_or_404(Window, number=payload.window) if payload.window else None
    return Status(
        201,
        services.submit_activity(
            request.user, date=payload.date, title=payload.title, text=payload.text, kind=payload.kind, window=window
        ),
    )


@router.post(
    "/activity-reports/{pk}/accept", response=replies(ActivityOut, 400, 401, 403, 404, 409, 422), summary="采用"
)
def accept(request, pk: int, payload: ActivityVersionIn):
    report = get_object_or_404(_reports(request.user), pk=pk)
    return services.accept_activity(request.user, report, version=payload.version)


@router.post(
    "/activity-reports/{pk}/return", response=replies(ActivityOut, 400, 401, 403, 404, 409, 422), summary="退回"
)
def return_report(request, pk: int, payload: ReturnIn):
    report = get_object_or_404(_reports(request.user), pk=pk)
    return services.return_activity(request.user, report, version=payload.version, comment=payload.comment)


@router.get("/key-work", response=replies(list[KeyWorkOut], 401, 403), summary="重点工作及平台实时数据")
def key_work(request):
    policy.require(request.user, "keywork.edit")
    return [
        {"id": k.pk, "name": k.name, "figures": services.live_figures(k)} for k in KeyWork.objects.filter(active=True)
    ]
