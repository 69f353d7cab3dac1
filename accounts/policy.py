"""Who may see and do what: the one place that decides.

A staff member may act when their role grants the action and the record
lies inside their reach: their department's region (a province body reaches
the whole province, a city body its counties, a county body only itself),
and for department-bound roles their own department's function. Views, the
API and services all ask `can`/`require`/`visible` here.
"""
from django.core.exceptions import PermissionDenied

from core.regions import region_covers

from .models import Role, User

_VIEW = {"console.access", "organisation.view", "person.view"}
ROLE_ACTIONS = {
    Role.CLERK: _VIEW | {"organisation.create", "person.create"},
    Role.REVIEWER: _VIEW,
    Role.DEPT_ADMIN: _VIEW | {"staff.view", "staff.manage"},
    Role.CENTRE_MANAGER: _VIEW | {"organisation.create", "organisation.edit", "person.create", "staff.view",
                                  "audit.view"},
    Role.EDITOR: {"console.access"},
    Role.SYSADMIN: _VIEW | {"organisation.create", "organisation.edit", "person.create", "staff.view",
                            "staff.manage", "audit.view", "audit.verify", "calendar.edit", "reference.edit"},
}
PUBLIC_ACTIONS = {"portal.access", "organisation.register", "organisation.view"}
# Roles whose reach is one department's work, not the whole window.
DEPARTMENT_BOUND = {Role.REVIEWER, Role.DEPT_ADMIN}

ACTION_NAMES = {
    "console.access": "进入工作台", "portal.access": "使用办事门户", "organisation.view": "查看法人信息",
    "organisation.create": "登记法人", "organisation.edit": "修改法人信息", "organisation.register": "登记代办的组织",
    "person.view": "查看自然人信息", "person.create": "登记自然人", "staff.view": "查看工作人员",
    "staff.manage": "管理工作人员", "audit.view": "查看审计日志", "audit.verify": "校验审计链",
    "calendar.edit": "维护工作日历", "reference.edit": "维护基础数据",
}


def actions_of(user) -> set:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.kind == User.Kind.PUBLIC:
        return PUBLIC_ACTIONS
    return ROLE_ACTIONS.get(user.role, set())


def _scope(obj):
    """(region code, department function) a record belongs to; either may be None."""
    region = getattr(obj, "scope_region_code", None) or getattr(obj, "region_id", None)
    department = getattr(obj, "scope_department_function", None)
    return region, department


def _reaches(user, obj) -> bool:
    if user.kind == User.Kind.PUBLIC:
        return _public_reaches(user, obj)
    if user.role == Role.SYSADMIN:
        return True
    if obj is None:
        return True
    if isinstance(obj, User):
        if not obj.department_id:
            return False
        if user.role in DEPARTMENT_BOUND and obj.department_id != user.department_id:
            return False
        return region_covers(user.department.region_id, obj.department.region_id)
    region, function = _scope(obj)
    if region and not region_covers(user.department.region_id, region):
        return False
    if function and user.role in DEPARTMENT_BOUND and function != user.department.function:
        return False
    return True


def _public_reaches(user, obj) -> bool:
    from .models import Organisation, Person
    person = getattr(user, "person", None)
    if obj is None:
        return True
    if isinstance(obj, Person):
        return person is not None and obj.pk == person.pk
    if isinstance(obj, Organisation):
        return person is not None and obj.agent_set.filter(person=person).exists()
    return False


def can(user, action, obj=None) -> bool:
    return action in actions_of(user) and _reaches(user, obj)


def require(user, action, obj=None):
    if not can(user, action, obj):
        what = ACTION_NAMES.get(action, action)
        if action in actions_of(user):
            raise PermissionDenied(f"无权{what}：该记录不在您所在部门或区划的办理范围内")
        raise PermissionDenied(f"无权{what}：您的角色没有此权限")


def visible(user, queryset, region_field="region__code", function_field=None):
    """Narrow a queryset to the records `user` reaches."""
    from core.regions import region_level, region_prefix
    if user.kind == User.Kind.PUBLIC or user.role == Role.SYSADMIN:
        return queryset if user.role == Role.SYSADMIN else queryset.none()
    code = user.department.region_id
    if region_level(code) != "county":
        queryset = queryset.filter(**{f"{region_field}__startswith": region_prefix(code)})
    else:
        queryset = queryset.filter(**{region_field: code})
    if function_field and user.role in DEPARTMENT_BOUND:
        queryset = queryset.filter(**{function_field: user.department.function})
    return queryset
