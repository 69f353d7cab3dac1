from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from core.api_errors import replies
from core.paging import PageQuery, page

from . import policy, services
from .models import Organisation

router = Router(tags=["账户"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"


class MeOut(Schema):
    username: str
    name: str
    kind: str
    role: str
    department: str | None
    region: str | None
    actions: list[str]


class OrganisationIn(Schema):
    uscc: str = Field(..., max_length=18)
    name: str = Field(..., min_length=1, max_length=120)
    region: str = Field(..., min_length=6, max_length=6)
    legal_representative: str = ""
    address: str = ""


class OrganisationQuery(PageQuery):
    q: str = ""
    limit: int = Field(50, ge=1, le=500, description="每页条数")


class OrganisationOut(Schema):
    id: int
    uscc: str
    name: str
    region: str = Field(alias="region_id")
    legal_representative: str
    address: str


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    resident_id: str
    phone: str = ""


class PersonOut(Schema):
    id: int
    name: str
    masked_id: str


@router.post(
    "/auth/token", response=replies(TokenOut, 400, 401, 422, 429), auth=None, summary="以用户名和密码换取 API 令牌"
)
def token(request, payload: TokenIn):
    # Through authenticate() so that failed attempts count toward the lockout.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(429, "登录失败次数过多，账户已暂时锁定，请稍后再试")
        raise HttpError(401, "用户名或密码错误")
    return {"token": services.issue_token(user)}


@router.get("/me", response=replies(MeOut, 401, 403), summary="当前用户及其权限")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "name": user.name,
        "kind": user.kind,
        "role": user.role,
        "department": user.department.name if user.department_id else None,
        "region": user.department.region_id if user.department_id else None,
        "actions": sorted(policy.actions_of(user)),
    }


@router.get("/organisations", response=replies(list[OrganisationOut], 401, 403, 422), summary="法人（按权限范围）")
def organisations(request, filters: Query[OrganisationQuery]):
    policy.require(request.user, "organisation.view")
    qs = policy.visible(request.user, Organisation.objects.order_by("id"))
    if filters.q:
        qs = qs.filter(name__contains=filters.q) | qs.filter(uscc=filters.q.upper())
    return page(qs, filters)


@router.get("/organisations/{org_id}", response=replies(OrganisationOut, 401, 403, 404, 422), summary="一个法人")
def organisation(request, org_id: int):
    org = get_object_or_404(Organisation, pk=org_id)
    policy.require(request.user, "organisation.view", org)
    return org


@router.post(
    "/organisations", response=replies(OrganisationOut, 400, 401, 403, 409, 422, status=201), summary="登记法人"
)
def create_organisation(request, payload: OrganisationIn):
    return Status(201, services.create_organisation(request.user, payload.dict()))


@router.post("/persons", response=replies(PersonOut, 400, 401, 403, 409, 422, status=201), summary="登记自然人")
def create_person(request, payload: PersonIn):
    return Status(201, services.create_person(request.user, **payload.dict()))
