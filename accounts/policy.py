"""Who may see and do what: the one place that decides.

A staff member may act when their role grants the action and the record
lies inside their reach: their department's region (a province body reaches
the whole province, a city body its counties, a county body only itself),
and for department-bound roles their own department's function. Views, the
API and services all ask `can`/`require`/`visible` here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from core.regions import region_covers

from .models import Role, User

_VIEW = {"console.access", "organisation.view", "person.view", "case.view", "catalog.view", "policy.view"}
_CATALOGUE = {"catalog.edit", "catalog.import"}
# Departments maintain their own policy documents and items; the centre publishes.
_POLICY_DEPT = {"policy.edit", "policy.import", "policy.answer", "matching.manage", "matching.profile"}
_POLICY_CENTRE = {
    "policy.edit",
    "policy.import",
    "policy.publish",
    "policy.overdue",
    "policy.answer",
    "matching.manage",
    "matching.profile",
    "matching.grant",
}
# Hall operations and the bulletin: windows and departments send activity reports.
_ACTIVITY = {"activity.submit"}
_BULLETIN = {"activity.edit", "duty.manage", "keywork.edit", "bulletin.edit", "bulletin.issue"}
# 自然资源非税收入: natural-resources staff register rights, fill in and approve fee
# sources (revenue services also require the natural-resources function).
_REVENUE = {"revenue.view", "revenue.edit", "revenue.approve"}
# 高效办成一件事 (bundles): the centre reviews bundles and keeps the problem list; departments
# draft and confirm the bundles they lead and handle the problems they own; windows raise tickets.
_BUNDLE_VIEW = {"bundle.view", "problem.report"}
_BUNDLE_DEPT = _BUNDLE_VIEW | {"problem.edit", "bundle.handle"}
_BUNDLE_CENTRE = _BUNDLE_DEPT | {"bundle.edit", "bundle.review", "bundle.demo"}
# The centre's own records, kept in the console by its managers and administrators
# (the Django admin admits superusers only): windows and who works them,
# departments, and the API tokens of other systems.
_CENTRE_RECORDS = {"window.manage", "department.manage", "token.manage"}
ROLE_ACTIONS = {
    Role.CLERK: _VIEW
    | _ACTIVITY
    | _BUNDLE_VIEW
    | {"bundle.handle"}
    | {
        "duty.sign",
        "organisation.create",
        "person.create",
        "case.consult",
        "case.receive",
        "case.accept",
        "case.correct",
        "case.answer_correction",
        "case.transfer",
        "case.issue",
        "stats.view",
        "personal.reveal",
    },
    Role.REVIEWER: _VIEW
    | _ACTIVITY
    | _POLICY_DEPT
    | _REVENUE
    | _BUNDLE_DEPT
    | {"case.review", "case.correct", "case.transfer", "manual.draft", "stats.view", "personal.reveal"},
    Role.DEPT_ADMIN: _VIEW
    | _CATALOGUE
    | _ACTIVITY
    | _POLICY_DEPT
    | _REVENUE
    | _BUNDLE_DEPT
    | {
        "bundle.edit",
        "bundle.confirm",
        "stats.view",
        "duty.sign",
        "staff.view",
        "staff.manage",
        "manual.draft",
        "manual.confirm",
        "case.follow_up",
    },
    Role.CENTRE_MANAGER: _VIEW
    | _CATALOGUE
    | _POLICY_CENTRE
    | _ACTIVITY
    | _BULLETIN
    | _BUNDLE_CENTRE
    | _CENTRE_RECORDS
    | {
        "duty.sign",
        "organisation.create",
        "organisation.edit",
        "person.create",
        "staff.view",
        "audit.view",
        "case.consult",
        "case.follow_up",
        "manual.review",
        "stats.view",
    },
    Role.EDITOR: {"console.access", "catalog.view", "stats.view", "policy.view"} | _ACTIVITY | _BULLETIN,
    Role.SYSADMIN: _VIEW
    | _CATALOGUE
    | _POLICY_CENTRE
    | _ACTIVITY
    | _BULLETIN
    | _BUNDLE_CENTRE
    | _CENTRE_RECORDS
    | {"bundle.confirm"}
    | {
        "organisation.create",
        "organisation.edit",
        "person.create",
        "staff.view",
        "staff.manage",
        "audit.view",
        "audit.verify",
        "calendar.edit",
        "reference.edit",
        "case.follow_up",
        "manual.review",
        "stats.view",
        "revenue.view",
        "revenue.exchange",
        "identity.manage",
    },
}
PUBLIC_ACTIONS = {
    "portal.access",
    "organisation.register",
    "organisation.view",
    "case.view",
    "case.apply",
    "case.answer_correction",
    "case.evaluate",
    "policy.ask",
    "matching.calculate",
    "matching.confirm",
    "bundle.apply",
    "problem.report",
}
# Roles each role may hand out (within its own reach).
GRANTABLE_ROLES = {
    Role.SYSADMIN: set(Role),
    Role.DEPT_ADMIN: {Role.REVIEWER, Role.DEPT_ADMIN},
}
# Roles whose reach is one department's work, not the whole window.
DEPARTMENT_BOUND = {Role.REVIEWER, Role.DEPT_ADMIN}

ACTION_NAMES = {
    "console.access": "进入工作台",
    "portal.access": "使用办事门户",
    "organisation.view": "查看法人信息",
    "organisation.create": "登记法人",
    "organisation.edit": "修改法人信息",
    "organisation.register": "登记代办的组织",
    "person.view": "查看自然人信息",
    "person.create": "登记自然人",
    "staff.view": "查看工作人员",
    "staff.manage": "管理工作人员",
    "audit.view": "查看审计日志",
    "audit.verify": "校验审计链",
    "calendar.edit": "维护工作日历",
    "reference.edit": "维护基础数据",
    "case.view": "查看办件",
    "personal.reveal": "查看完整身份证号、电话和地址（留痕）",
    "case.consult": "登记咨询",
    "case.receive": "收件",
    "case.apply": "网上申请",
    "case.accept": "受理或不予受理",
    "case.correct": "要求补正",
    "case.answer_correction": "提交补正材料",
    "case.transfer": "流转办件",
    "case.review": "审查决定",
    "case.issue": "颁发证照和送达",
    "case.evaluate": "评价",
    "case.follow_up": "差评整改",
    "stats.view": "查看统计",
    "catalog.view": "查看事项目录",
    "catalog.edit": "维护事项目录",
    "catalog.import": "导入事项目录",
    "manual.draft": "梳理受理工作手册",
    "manual.review": "审核受理工作手册",
    "manual.confirm": "确认受理工作手册",
    "policy.view": "查看惠企政策库",
    "policy.edit": "维护政策文件和惠企事项",
    "policy.import": "导入政策文件和惠企事项",
    "policy.publish": "审核发布政策",
    "policy.overdue": "查看逾期未拆解的政策",
    "policy.answer": "答复政策咨询",
    "policy.ask": "提交政策咨询",
    "matching.calculate": "使用政策计算器",
    "matching.confirm": "确认免申即享意愿",
    "matching.manage": "维护匹配规则和发起免申即享",
    "matching.profile": "导入和更新企业画像",
    "matching.grant": "发布公示、登记异议和兑现",
    "activity.submit": "报送政务工作动态",
    "activity.edit": "编辑和采用政务工作动态",
    "duty.manage": "安排厅(局)长进大厅",
    "duty.sign": "值守签到",
    "revenue.view": "查看自然资源非税收入",
    "revenue.edit": "登记矿业权和填报费源信息",
    "revenue.approve": "审批费源信息和办理复核",
    "revenue.exchange": "处理费源推送失败和对账",
    "keywork.edit": "维护重点工作",
    "bulletin.edit": "编辑工作周报",
    "bulletin.issue": "印发工作周报",
    "identity.manage": "管理统一身份认证接入平台",
    "bundle.view": "查看一件事",
    "bundle.edit": "梳理一件事",
    "bundle.review": "审核一件事",
    "bundle.confirm": "确认一件事",
    "bundle.apply": "申请一件事",
    "bundle.handle": "处理一件事申请（容缺后补）",
    "bundle.demo": "运行一件事系统演示",
    "problem.report": "反映一件事问题",
    "problem.edit": "处理一件事问题清单",
    "window.manage": "维护大厅窗口和窗口人员",
    "department.manage": "维护部门",
    "token.manage": "管理其他系统的API令牌",
}

# What an API token issued to another system may reach: areas of the API by
# the actions they ask for. A token names one or more; every other action
# (accounts, the audit log, reference data, tokens themselves) stays with
# people in the console. A person's own token has no scopes: it acts as them.
TOKEN_SCOPES = {
    "cases": ("办件（收件、受理、流转、查询、统计）", ("case.", "stats.", "person.", "organisation.")),
    "catalog": ("事项目录与受理工作手册", ("catalog.", "manual.")),
    "policies": ("惠企政策与政策匹配", ("policy.", "matching.")),
    "revenue": ("自然资源非税收入", ("revenue.",)),
    "bundles": ("高效办成一件事", ("bundle.", "problem.")),
    "hall": ("大厅运行与工作周报", ("activity.", "duty.", "keywork.", "bulletin.")),
}
TOKEN_ALWAYS = {"console.access"}  # asked by shared pages; grants nothing by itself


def token_allows(scopes, action) -> bool:
    if action in TOKEN_ALWAYS:
        return True
    return any(action.startswith(prefix) for s in scopes if s in TOKEN_SCOPES for prefix in TOKEN_SCOPES[s][1])


def _token_scopes(user):
    """The scopes of the token this request came with (set by
    accounts.services.user_for_token), or None: not a scoped token."""
    return getattr(user, "api_token_scopes", None)


def actions_of(user) -> set:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    actions = PUBLIC_ACTIONS if user.kind == User.Kind.PUBLIC else ROLE_ACTIONS.get(user.role, set())
    scopes = _token_scopes(user)
    if scopes is not None:
        actions = {a for a in actions if token_allows(scopes, a)}
    return actions


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
    if not user.department_id:
        return False
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
        from .models import Agent

        return person is not None and obj.agent_set.filter(Agent.current_q(), person=person).exists()
    if getattr(obj, "policy_kind", None) in ("case", "bundle_application"):
        return person is not None and obj.is_applicant(person)
    return False


def can_grant(user, role) -> bool:
    return "staff.manage" in actions_of(user) and role in GRANTABLE_ROLES.get(user.role, set())


def can(user, action, obj=None) -> bool:
    # Where a case must be for each of its steps (window or holding
    # department) is cases/transitions.py's table; here: role and reach.
    if action not in actions_of(user):
        return False
    return _reaches(user, obj) or (action in HANDLED_READ and _handled(user, obj))


# A department keeps read access to every record it has acted on (a case it
# held, reviewed or decided), wherever the record has gone since.
HANDLED_READ = {"case.view"}


def _handled(user, obj) -> bool:
    return (
        user.kind != User.Kind.PUBLIC
        and bool(user.department_id)
        and hasattr(obj, "handled_by")
        and obj.handled_by(user.department_id)
    )


def require(user, action, obj=None):
    if not can(user, action, obj):
        what = ACTION_NAMES.get(action, action)
        scopes = _token_scopes(user)
        if scopes is not None and not token_allows(scopes, action):
            raise PermissionDenied(f"无权{what}：API令牌的授权范围不含此项")
        if action in actions_of(user):
            if action in HANDLED_READ and hasattr(obj, "handled_by"):
                raise PermissionDenied(f"无权{what}：该记录不在您所在部门或区划的办理范围内，您所在部门也未办理过")
            raise PermissionDenied(f"无权{what}：该记录不在您所在部门或区划的办理范围内")
        raise PermissionDenied(f"无权{what}：您的角色没有此权限")


def visible(user, queryset, region_field="region__code", function_field=None):
    """Narrow a queryset to the records `user` reaches."""
    from core.regions import region_level, region_prefix

    from .models import Organisation, Person

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.kind == User.Kind.PUBLIC:
        # The same reach as `_public_reaches`: one's own person record and the
        # organisations one is an agent of, so lists and details agree.
        person = getattr(user, "person", None)
        if person is None:
            return queryset.none()
        if queryset.model is Organisation:
            from .models import Agent

            return queryset.filter(Agent.current_q("agent__"), agent__person=person)
        if queryset.model is Person:
            return queryset.filter(pk=person.pk)
        if hasattr(queryset.model, "applicant_q"):
            return queryset.filter(queryset.model.applicant_q(person)).distinct()
        return queryset.none()
    if user.role == Role.SYSADMIN:
        return queryset
    if not user.department_id:
        return queryset.none()
    code = user.department.region_id
    if region_level(code) != "county":
        reach = Q(**{f"{region_field}__startswith": region_prefix(code)})
    else:
        reach = Q(**{region_field: code})
    if function_field and user.role in DEPARTMENT_BOUND:
        reach &= Q(**{function_field: user.department.function})
    if hasattr(queryset.model, "handled_q"):
        reach |= queryset.model.handled_q(user.department_id)  # see HANDLED_READ
    return queryset.filter(reach)
