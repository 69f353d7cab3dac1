"""The weekly bulletin in the JSON API under /api/v1: list, one bulletin's
text with its computed figures, build and refresh."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from accounts import policy
from core.api_errors import replies

from . import services
from .models import Bulletin

router = Router(tags=["工作周报"])


class BulletinOut(Schema):
    id: int
    year: int
    number: int
    week_start: dt.date
    week_end: dt.date
    dated: dt.date
    state: str
    version: int


class ParagraphOut(Schema):
    lead: str | None = None
    text: str
    figures: dict


class SectionOut(Schema):
    title: str
    paragraphs: list[ParagraphOut]
    subsections: list["SectionOut"] = []


class BulletinDetailOut(BulletinOut):
    issuing_unit: str
    report_to: str
    send_to: str
    copies: int
    sections: list[SectionOut]


class BuildIn(Schema):
    week_start: dt.date


class VersionIn(Schema):
    version: int


def _viewer(user):
    if not policy.can(user, "bulletin.issue"):
        policy.require(user, "bulletin.edit")


def _detail(bulletin):
    def section(s):
        return {
            "title": s["title"],
            "paragraphs": [
                {"lead": p["lead"], "text": p["text"], "figures": p["block"].figures} for p in s["paragraphs"]
            ],
            "subsections": [section(sub) for sub in s.get("subsections", [])],
        }

    data = {
        f: getattr(bulletin, f)
        for f in (
            "id",
            "year",
            "number",
            "week_start",
            "week_end",
            "dated",
            "state",
            "version",
            "issuing_unit",
            "report_to",
            "send_to",
            "copies",
        )
    }
    data["sections"] = [section(s) for s in services.document_sections(bulletin)]
    return data


@router.get("/bulletins", response=replies(list[BulletinOut], 401, 403), summary="工作周报列表")
def list_bulletins(request):
    _viewer(request.user)
    return Bulletin.objects.all()[:200]


@router.get(
    "/bulletins/{pk}", response=replies(BulletinDetailOut, 401, 403, 404, 422), summary="一期周报的正文及平台数据"
)
def bulletin_detail(request, pk: int):
    _viewer(request.user)
    return _detail(get_object_or_404(Bulletin, pk=pk))


@router.post(
    "/bulletins", response=replies(BulletinDetailOut, 400, 401, 403, 409, 422, status=201), summary="生成一周的周报草稿"
)
def build(request, payload: BuildIn):
    return Status(201, _detail(services.build_draft(request.user, week_start=payload.week_start)))


@router.post(
    "/bulletins/{pk}/refresh", response=replies(BulletinDetailOut, 400, 401, 403, 404, 409, 422), summary="刷新平台数据"
)
def refresh(request, pk: int, payload: VersionIn):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    return _detail(services.refresh(request.user, bulletin, version=payload.version))
