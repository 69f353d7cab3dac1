"""Account changes. Each function validates everything first and saves in one
transaction, so a refused request leaves no trace."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict, ServiceError, from_validation_error
from core.models import Region
from core.personal import matching

from . import policy
from .models import Agent, APIToken, Organisation, Person, Role, User


def _clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _check_password(password, user):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("密码不符合要求", errors={"password": exc.messages}) from None


USERNAME_TAKEN = "用户名已被使用，请换一个"
RESIDENT_ID_TAKEN = "身份证号已登记，每个身份证号只能登记一次；如忘记密码，请联系政务服务中心"


def _duplicates(user=None, person=None):
    """Uniqueness in plain Chinese, instead of Django's generic sentence."""
    errors = {}
    if user is not None and User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [USERNAME_TAKEN]
    if (
        person is not None
        and person.resident_id
        and Person.objects.filter(matching("resident_id", person.resident_id)).exists()
    ):
        errors["resident_id"] = [RESIDENT_ID_TAKEN]
    return errors


@transaction.atomic
def register_person(*, username, password, name, resident_id, phone="", ip=""):
    """A member of the public opens a portal account under their resident ID.
    They are the actor of their own registration in the audit log."""
    user = User(username=username, name=name, kind=User.Kind.PUBLIC, phone=phone)
    person = Person(name=name, resident_id=(resident_id or "").strip().upper(), phone=phone)
    errors = {}
    for instance, exclude in ((user, ["password"]), (person, ["user"])):
        try:
            instance.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as exc:
            errors.update(from_validation_error(exc).errors)
    for field, messages in _duplicates(user, person).items():
        errors.setdefault(field, messages)
    if errors:
        raise ServiceError("注册信息有误，请按提示修改", errors=errors)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            with audit.acting_as(user, ip):
                audit.record("create", user, after=audit.snapshot(user))
                person.user = user
                person.save()
                from .models import AssuranceLevel, AssuranceRecord

                AssuranceRecord.objects.create(
                    person=person,
                    level=AssuranceLevel.SELF_REGISTERED,
                    method=AssuranceRecord.Method.SELF,
                    reached_at=timezone.now(),
                )
    except IntegrityError:
        # Someone registered the same name or ID a moment ago.
        raise ServiceError("注册信息有误，请按提示修改", errors=_duplicates(user, person)) from None
    return user


@transaction.atomic
def create_person(actor, *, name, resident_id, phone=""):
    """A clerk records an applicant who has no portal account."""
    policy.require(actor, "person.create")
    person = Person(name=name, resident_id=(resident_id or "").strip().upper(), phone=phone)
    try:
        person.full_clean(exclude=["user"], validate_unique=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    if _duplicates(person=person):
        raise ServiceError(RESIDENT_ID_TAKEN, errors=_duplicates(person=person))
    person.save()
    return person


ORGANISATION_FIELDS = ("uscc", "name", "region", "legal_representative", "address")


def _organisation_from(data, instance=None):
    org = instance or Organisation()
    for field in ORGANISATION_FIELDS:
        if field in data:
            value = data[field]
            if field == "region":
                org.region_id = getattr(value, "pk", value)
            else:
                setattr(org, field, (value or "").strip().upper() if field == "uscc" else value)
    if org.region_id and not Region.objects.filter(pk=org.region_id).exists():
        # Django's own message for an unknown key is English ("... is not a valid choice").
        message = f"登记地“{org.region_id}”不是有效的行政区划代码（GB/T 2260）"
        raise ServiceError(message, errors={"region": [message]})
    try:
        org.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    if Organisation.objects.filter(uscc=org.uscc).exclude(pk=org.pk).exists():
        message = "统一社会信用代码已登记，不能重复登记同一组织"
        raise ServiceError(message, errors={"uscc": [message]})
    if org.region_id and org.region.level == "province":
        raise ServiceError("登记地应为市（州）或区（县）", errors={"region": ["登记地应为市（州）或区（县）"]})
    return org


@transaction.atomic
def create_organisation(actor, data):
    policy.require(actor, "organisation.create")
    org = _organisation_from(data)
    policy.require(actor, "organisation.create", org)
    org.save()
    return org


def version_of(org):
    """A fingerprint of the record as an editor saw it."""
    values = "|".join(str(getattr(org, "region_id" if f == "region" else f)) for f in ORGANISATION_FIELDS)
    return hashlib.sha1(values.encode()).hexdigest()[:16]


@transaction.atomic
def update_organisation(actor, org, data, *, version=None):
    """Edit an organisation. If someone saved it after the editor opened it
    (`version` no longer matches), the edit is refused and nothing changes."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    policy.require(actor, "organisation.edit", org)
    if version is not None and version != version_of(org):
        raise Conflict("该记录已被他人修改，请刷新页面查看最新内容后再编辑")
    org = _organisation_from(data, org)
    policy.require(actor, "organisation.edit", org)
    org.save()
    return org


@transaction.atomic
def register_organisation_as_agent(user, data):
    """A signed-in person records the organisation they act for (经办人)."""
    policy.require(user, "organisation.register")
    person = getattr(user, "person", None)
    if person is None:
        raise ServiceError("只有完成实名登记的个人用户才能作为经办人")
    uscc = (data.get("uscc") or "").strip().upper()
    existing = Organisation.objects.filter(uscc=uscc).first() if uscc else None
    if existing is not None:
        # Credit codes are public: knowing one must not make anyone an agent
        # of that organisation (and let them see its records).
        if Agent.objects.filter(organisation=existing, person=person).exists():
            message = "您已是该组织的经办人"
        else:
            message = "统一社会信用代码已登记：如需成为该组织的经办人，请持单位授权委托书到政务服务大厅办理"
        raise ServiceError(message, errors={"uscc": [message]})
    org = _organisation_from(data)
    with audit.acting_for(org):
        org.save()
        Agent.objects.create(organisation=org, person=person)
    return org


@transaction.atomic
def create_staff(actor, *, username, password, name, role, department, phone=""):
    policy.require(actor, "staff.manage")
    user = User(
        username=username,
        name=name,
        kind=User.Kind.STAFF,
        role=role,
        department_id=getattr(department, "pk", department),
        phone=phone,
    )
    _clean(user, exclude=["password"])
    policy.require(actor, "staff.manage", user)
    if not policy.can_grant(actor, role):
        # A department administrator staffs their own department; only a
        # system administrator creates centre managers, editors or administrators.
        raise ServiceError(
            "无权指定该角色", errors={"role": [f"无权指定该角色：您不能授予“{Role(role).label}”"]}, status=403
        )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def issue_token(user, name="API"):
    """A person's own API token (POST /api/v1/auth/token): no scopes, it acts
    as them. The key is shown once and only its hash kept."""
    key = secrets.token_urlsafe(32)
    APIToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=APIToken.hash_key(key))
    return key


def user_for_token(key):
    token = APIToken.objects.select_related("user").filter(key_hash=APIToken.hash_key(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    if token.user.kind == User.Kind.SYSTEM:
        # Read by accounts.policy: a system's token reaches only its scopes.
        user.api_token_scopes = frozenset(token.scopes or [])
    return user


# --- API tokens the centre issues to other systems (console: API令牌) ---

# Roles a system account may act in: the window's and the departments' work,
# never the centre's or a system administrator's.
SYSTEM_ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPT_ADMIN)
TOKEN_MAX_DAYS = 730  # a token lives at most two years; the other system asks for a new one
SYSTEM_USERNAME_RULE = "系统账户名只能由小写字母、数字和下划线组成，以字母开头，3至40位"


def _system_username_ok(value):
    import re

    return bool(re.fullmatch(r"[a-z][a-z0-9_]{2,39}", value or ""))


@transaction.atomic
def issue_system_token(actor, *, system_name, username, role, department, scopes, expires_at, name=""):
    """A token for another system (a city's platform, a department's system):
    under a named system account (created the first time, kind 系统账户, no
    password, so it never signs in) in a department with a role, reaching only
    `scopes`, until `expires_at`. Returns (token, key): the key is shown once,
    only its hash is kept."""
    from . import policy

    policy.require(actor, "token.manage")
    errors = {}
    system_name = (system_name or "").strip()
    username = (username or "").strip()
    name = (name or "").strip() or "接口调用"
    if not system_name:
        errors["system_name"] = ["系统名称为必填项"]
    elif len(system_name) > 60:
        errors["system_name"] = [f"系统名称不能超过60个字（现为{len(system_name)}个字）"]
    if not _system_username_ok(username):
        errors["username"] = [SYSTEM_USERNAME_RULE]
    if len(name) > 60:
        errors["name"] = [f"用途不能超过60个字（现为{len(name)}个字）"]
    if role not in SYSTEM_ROLES:
        errors["role"] = ["系统账户的角色只能是窗口人员、审批人员或部门管理员"]
    department_id = getattr(department, "pk", department)
    from core.models import Department

    dept = Department.objects.filter(pk=department_id, active=True).first() if department_id else None
    if dept is None:
        errors["department"] = ["所属部门为必填项，且须为在用的部门"]
    elif not policy.can(actor, "token.manage", dept):
        errors["department"] = ["所属部门不在您的管理范围内"]
    scopes = [x for x in dict.fromkeys(scopes or []) if x]
    if not scopes:
        errors["scopes"] = ["授权范围至少选择一项"]
    elif any(x not in policy.TOKEN_SCOPES for x in scopes):
        errors["scopes"] = ["授权范围只能从列出的接口范围中选择"]
    now = timezone.now()
    if expires_at is None:
        errors["expires_at"] = ["有效期至为必填项：令牌须有到期时间"]
    elif expires_at <= now:
        errors["expires_at"] = ["有效期至应晚于现在"]
    elif expires_at > now + dt.timedelta(days=TOKEN_MAX_DAYS):
        errors["expires_at"] = [f"有效期至不能超过{TOKEN_MAX_DAYS}天（两年）之后"]
    existing = User.objects.filter(username__iexact=username).first() if username else None
    if existing is not None and existing.kind != User.Kind.SYSTEM:
        errors["username"] = ["该用户名已被工作人员或公众用户使用，系统账户须另起一个"]
    elif existing is not None and dept is not None and (existing.department_id != dept.pk or existing.role != role):
        errors["username"] = [
            f"系统账户“{username}”已登记为{existing.department}的{existing.get_role_display()}，"
            "所属部门和角色须与登记的一致"
        ]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(first if len(errors) == 1 else "令牌信息有误，请按提示修改", errors=errors)
    if existing is None:
        existing = User(username=username, name=system_name, kind=User.Kind.SYSTEM, role=role, department=dept)
        existing.set_unusable_password()
        existing.save()
    elif existing.name != system_name:
        existing.name = system_name
        existing.save(update_fields=["name"])
    key = secrets.token_urlsafe(32)
    token = APIToken.objects.create(
        user=existing,
        name=name,
        prefix=key[:8],
        key_hash=APIToken.hash_key(key),
        scopes=scopes,
        expires_at=expires_at,
        created_by=actor,
    )
    return token, key


@transaction.atomic
def revoke_token(actor, token):
    """The token stops at once. Revoking one already revoked is refused with
    who did it, so two people revoking at once are both told the truth."""
    from . import policy

    policy.require(actor, "token.manage")
    # The row alone is locked (a nullable join cannot be, on PostgreSQL), then read with its account.
    APIToken.objects.select_for_update().filter(pk=token.pk).values_list("pk", flat=True).get()
    token = APIToken.objects.select_related("user", "user__department").get(pk=token.pk)
    policy.require(actor, "token.manage", token.user)
    if token.revoked:
        when = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M") if token.revoked_at else ""
        raise Conflict(f"令牌 {token.prefix}… 已于{when}被吊销")
    token.revoked, token.revoked_at = True, timezone.now()
    token.save(update_fields=["revoked", "revoked_at"])
    return token


# --- assurance levels: how sure we are an account is the person it names ---


def _reach_level(person, level, method, checked_by=None, note=""):
    from .models import AssuranceRecord

    if person.assurance_level >= level:
        return person.assurance
    return AssuranceRecord.objects.create(
        person=person, level=level, method=method, reached_at=timezone.now(), checked_by=checked_by, note=note
    )


@transaction.atomic
def check_against_register(user, *, name, resident_id):
    """Level two: the signed-in person's name and resident ID match the
    population register (the stand-in in accounts.idregister)."""
    from . import idregister
    from .models import AssuranceLevel, AssuranceRecord

    person = getattr(user, "person", None)
    if person is None:
        raise ServiceError("只有完成实名登记的个人用户才能进行身份核验")
    resident_id = (resident_id or "").strip().upper()
    if resident_id != person.resident_id:
        message = "身份证号与账户登记的不一致"
        raise ServiceError(message, errors={"resident_id": [message]})
    registered = idregister.lookup(resident_id)
    if registered is None or registered != (name or "").strip() or registered != person.name:
        message = "姓名与身份证号未能通过人口库核验，请核对后重试，或到政务服务大厅窗口当面核验"
        raise ServiceError(message, errors={"name": [message]})
    return _reach_level(person, AssuranceLevel.REGISTER_CHECKED, AssuranceRecord.Method.REGISTER)


@transaction.atomic
def verify_in_person(actor, person, *, method="in_person", note=""):
    """Level three: a clerk has seen the person and their ID card at a window,
    or the person signed with a digital certificate."""
    from .models import AssuranceLevel, AssuranceRecord

    policy.require(actor, "person.create")
    if method not in (AssuranceRecord.Method.IN_PERSON, AssuranceRecord.Method.CERTIFICATE):
        raise ServiceError("认证方式应为窗口当面核验或数字证书认证", errors={"method": ["认证方式无效"]})
    return _reach_level(person, AssuranceLevel.VERIFIED, method, checked_by=actor, note=note)


# --- agents: the legal representative authorises and revokes them ---


def _legal_representative_of(user, org):
    person = getattr(user, "person", None)
    if (
        person is None
        or not Agent.objects.filter(
            Agent.current_q(), organisation=org, person=person, is_legal_representative=True
        ).exists()
    ):
        raise ServiceError("只有该组织的法定代表人才能授权或撤销经办人", status=403)
    return person


@transaction.atomic
def authorise_agent(user, org, *, resident_id, name, scopes, expires_at=None):
    """The legal representative authorises a registered person to act for the
    organisation, for the given scopes until `expires_at`."""
    from .models import AgentScope

    principal = _legal_representative_of(user, org)
    errors = {}
    scopes = [s for s in dict.fromkeys(scopes or []) if s]
    if not scopes:
        errors["scopes"] = ["请至少选择一项授权范围"]
    elif any(s not in AgentScope.values or s == AgentScope.ALL for s in scopes):
        errors["scopes"] = ["授权范围只能是查询惠企政策、申报兑现惠企政策或办理政务服务事项"]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["授权截止时间应晚于现在"]
    person = Person.objects.filter(matching("resident_id", resident_id)).first()
    if person is None or person.name != (name or "").strip():
        errors["resident_id"] = ["未找到该姓名和身份证号的实名用户，被授权人须先在本平台注册"]
    elif person.pk == principal.pk:
        errors["resident_id"] = ["法定代表人无需授权自己"]
    if errors:
        raise ServiceError("授权信息有误，请按提示修改", errors=errors)
    with audit.acting_for(org):
        agent, _ = Agent.objects.select_for_update().get_or_create(organisation=org, person=person)
        agent.scopes, agent.expires_at, agent.revoked_at = scopes, expires_at, None
        agent.authorised_by, agent.is_legal_representative = principal, False
        agent.save()
    return agent


@transaction.atomic
def revoke_agent(user, agent):
    """The legal representative withdraws an authorisation; it stops at once."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _legal_representative_of(user, agent.organisation)
    if agent.is_legal_representative:
        raise ServiceError("不能撤销法定代表人本人")
    if agent.revoked_at is None:
        with audit.acting_for(agent.organisation):
            agent.revoked_at = timezone.now()
            agent.save(update_fields=["revoked_at"])
    return agent
