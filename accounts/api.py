from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

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


@router.post("/auth/token", response=TokenOut, auth=None, summary="以用户名和密码换取 API 令牌")
def token(request, payload: TokenIn):
    # Through authenticate() so that failed attempts count toward the lockout.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(429, "登录失败次数过多，账户已暂时锁定，请稍后再试")
        raise HttpError(401, "用户名或密码错误")
    return {"token": services.issue_token(user)}


@router.get("/me", response=MeOut, summary="当前用户及其权限")
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


@router.get("/organisations", response=list[OrganisationOut], summary="法人（按权限范围）")
def organisations(request, q: str = "", limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)):
    policy.require(request.user, "organisation.view")
    qs = policy.visible(request.user, Organisation.objects.order_by("id"))
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(uscc=q.upper())
    return qs[offset : offset + limit]


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="一个法人")
def organisation(request, org_id: int):
    org = get_object_or_404(Organisation, pk=org_id)
    policy.require(request.user, "organisation.view", org)
    return org


@router.post("/organisations", response={201: OrganisationOut}, summary="登记法人")
def create_organisation(request, payload: OrganisationIn):
    return Status(201, services.create_organisation(request.user, payload.dict()))


@router.post("/persons", response={201: PersonOut}, summary="登记自然人")
def create_person(request, payload: PersonIn):
    return Status(201, services.create_person(request.user, **payload.dict()))
