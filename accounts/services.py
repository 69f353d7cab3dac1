"""Account changes. Each function validates everything first and saves in one
transaction, so a refused request leaves no trace."""
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, ServiceError, from_validation_error

from . import policy
from .models import Agent, APIToken, Organisation, Person, User


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


@transaction.atomic
def register_person(*, username, password, name, resident_id, phone=""):
    """A member of the public opens a portal account under their resident ID."""
    user = User(username=username, name=name, kind=User.Kind.PUBLIC, phone=phone)
    person = Person(name=name, resident_id=(resident_id or "").strip().upper(), phone=phone)
    errors = {}
    for instance, exclude in ((user, ["password"]), (person, ["user"])):
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as exc:
            errors.update(from_validation_error(exc).errors)
    if errors:
        raise ServiceError("注册信息有误，请按提示修改", errors=errors)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    person.user = user
    person.save()
    return user


@transaction.atomic
def create_person(actor, *, name, resident_id, phone=""):
    """A clerk records an applicant who has no portal account."""
    policy.require(actor, "person.create")
    person = Person(name=name, resident_id=(resident_id or "").strip().upper(), phone=phone)
    _clean(person, exclude=["user"])
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
    _clean(org)
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
    org = Organisation.objects.filter(uscc=uscc).first() if uscc else None
    if org is None:
        org = _organisation_from(data)
        org.save()
    Agent.objects.get_or_create(organisation=org, person=person)
    return org


@transaction.atomic
def create_staff(actor, *, username, password, name, role, department, phone=""):
    policy.require(actor, "staff.manage")
    user = User(username=username, name=name, kind=User.Kind.STAFF, role=role,
                department_id=getattr(department, "pk", department), phone=phone)
    _clean(user, exclude=["password"])
    policy.require(actor, "staff.manage", user)
    if actor.role != "sysadmin" and role == "sysadmin":
        raise ServiceError("只有系统管理员可以创建系统管理员", errors={"role": ["无权指定该角色"]}, status=403)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def issue_token(user, name="API"):
    """A new API token; the key is shown once and only its hash kept."""
    key = secrets.token_urlsafe(32)
    APIToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=APIToken.hash_key(key))
    return key


def user_for_token(key):
    token = (APIToken.objects.select_related("user").filter(key_hash=APIToken.hash_key(key), revoked=False)
             .first())
    if token is None or not token.user.is_active:
        return None
    APIToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

