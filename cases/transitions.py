"""The one table of a case's life (办件流转表): its states, the steps between
them, who may take each step and where the case must be, what each step
needs and what it writes.

Everything else asks here: cases.services refuses a step the table does not
allow (`require`), the case page offers exactly the steps `offered` returns
for the viewer, the API calls the same services, the demo year's simulator
moves its cases with `enter`, and the tests replay every case's events with
`replay`. Role and region reach come from accounts.policy (`can`); the table
adds where the case must be for the step.

Sources of the rules: 《中华人民共和国行政许可法》第三十二条 (受理、不予受理、一次性告知补正),
第三十四条至第四十二条 (审查、决定、期限), 第四十五条 (听证、检验、专家评审不计入期限);
国发〔2022〕5号 (推行容缺受理); 国办发〔2019〕51号 (好差评).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from accounts import policy
from accounts.models import Role, User
from core.errors import Conflict
from core.models import Level

from .models import Case, CaseEvent

State, Kind = Case.State, CaseEvent.Kind

# Where the case must be for a step: at the window (clerks), in the back
# office of the department holding it (its reviewers), or anywhere (the
# applicant's own steps, which the applicant may take online).
WINDOW, OFFICE, ANYWHERE = "window", "office", "anywhere"
PLACE_NAMES = {WINDOW: "在窗口", OFFICE: "在承办部门", ANYWHERE: "任何环节"}

CONCLUDED = frozenset({State.APPROVED, State.DENIED, State.ISSUED, State.DELIVERED, State.REFUSED})
FINAL = frozenset({State.DELIVERED, State.REFUSED})


@dataclass(frozen=True)
class Step:
    name: str
    title: str  # what the page calls it
    button: str  # the button that takes it
    kind: str | None  # the event it writes (None: no case event)
    action: str  # the accounts.policy action it needs
    roles: tuple  # the staff roles that take it (public users: `applicant`)
    place: str  # WINDOW, OFFICE or ANYWHERE
    at_window: frozenset  # states it may start from while the case is at the window
    in_office: frozenset  # … and while a department holds it
    target: str | None  # the state it leaves; None: see `after`
    needs: tuple = ()  # what the person must give
    produces: str = ""  # what it writes besides the event
    applicant: bool = False  # the applicant (public user) may take it too, from anywhere
    confirm: str = ""  # irreversible: the page asks before it is taken
    sources: frozenset = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "sources", self.at_window | self.in_office)


def _s(*states):
    return frozenset(states)


TABLE = (
    Step(
        "receive",
        "收件",
        "收件",
        Kind.RECEIVE,
        "case.receive",
        (Role.CLERK,),
        WINDOW,
        _s(None),
        _s(),
        State.RECEIVED,
        needs=("matter", "situation", "applicant", "region"),
        produces="办件（编号按办理地和日期连续编号）",
        applicant=True,
    ),
    Step(
        "accept",
        "受理",
        "受理",
        Kind.ACCEPT,
        "case.accept",
        (Role.CLERK,),
        WINDOW,
        _s(State.RECEIVED),
        _s(),
        State.ACCEPTED,
        produces="承诺办结日期（按工作日计算）；受理通知书",
    ),
    Step(
        "accept_tolerant",
        "容缺受理",
        "容缺受理",
        Kind.ACCEPT,
        "case.accept",
        (Role.CLERK,),
        WINDOW,
        _s(State.RECEIVED, State.CORRECTION),
        _s(),
        State.ACCEPTED,
        needs=("pending", "promise_days"),
        produces="承诺办结日期；申请人承诺限期补齐的材料",
        confirm="容缺受理后承诺时限即开始计算，申请人须在承诺期限内补齐所列材料。确定容缺受理吗？",
    ),
    Step(
        "correct",
        "一次性告知补正",
        "发出补正告知",
        Kind.CORRECTION_REQUESTED,
        "case.correct",
        (Role.CLERK, Role.REVIEWER),
        ANYWHERE,
        _s(State.RECEIVED, State.ACCEPTED, State.REVIEWING),
        _s(State.ACCEPTED, State.REVIEWING),
        State.CORRECTION,
        needs=("items",),
        produces="一次性告知书；受理后补正期间不计入办理时限",
    ),
    Step(
        "answer_correction",
        "窗口登记补正材料",
        "登记补正材料",
        Kind.CORRECTION_ANSWERED,
        "case.answer_correction",
        (Role.CLERK,),
        WINDOW,
        _s(State.CORRECTION),
        _s(State.CORRECTION),
        None,
        needs=("note", "files"),
        produces="补正的材料文件；回到补正前的状态，受理后重新计算承诺办结日期",
        applicant=True,
    ),
    Step(
        "refuse",
        "不予受理",
        "不予受理",
        Kind.REFUSE,
        "case.accept",
        (Role.CLERK,),
        WINDOW,
        _s(State.RECEIVED, State.CORRECTION),
        _s(),
        State.REFUSED,
        needs=("reasons", "legal_basis"),
        produces="不予受理通知书（办结）",
        confirm="不予受理后办件即办结，不能撤回。确定不予受理吗？",
    ),
    Step(
        "transfer",
        "流转",
        "流转",
        Kind.TRANSFER,
        "case.transfer",
        (Role.CLERK, Role.REVIEWER),
        ANYWHERE,
        _s(State.ACCEPTED, State.REVIEWING),
        _s(State.ACCEPTED, State.REVIEWING, State.APPROVED, State.DENIED),
        None,
        needs=("to",),
        produces="承办部门变更（受理后首次转入部门即为审查中）",
    ),
    Step(
        "review",
        "审查（报上级）",
        "审查通过，报上级",
        Kind.REVIEW,
        "case.review",
        (Role.REVIEWER,),
        OFFICE,
        _s(),
        _s(State.ACCEPTED, State.REVIEWING),
        State.REVIEWING,
        needs=("opinion",),
        produces="报上一级同职能部门审查（随即写一条流转）",
    ),
    Step(
        "suspend",
        "启动特别程序",
        "启动特别程序",
        Kind.SUSPEND,
        "case.review",
        (Role.REVIEWER,),
        OFFICE,
        _s(),
        _s(State.ACCEPTED, State.REVIEWING),
        State.SUSPENDED,
        needs=("procedure", "reason"),
        produces="特别程序期间不计入办理时限",
    ),
    Step(
        "resume",
        "结束特别程序",
        "结束特别程序",
        Kind.RESUME,
        "case.review",
        (Role.REVIEWER,),
        OFFICE,
        _s(),
        _s(State.SUSPENDED),
        State.REVIEWING,
        needs=("result",),
        produces="重新计算承诺办结日期",
    ),
    Step(
        "decide",
        "作出决定",
        "作出决定",
        Kind.CONCLUDE,
        "case.review",
        (Role.REVIEWER,),
        OFFICE,
        _s(),
        _s(State.ACCEPTED, State.REVIEWING),
        None,
        needs=("approved", "opinion"),
        produces="办结（准予或不予许可），用时和是否按时；转回出件窗口",
        confirm="作出决定后办件即办结并转窗口出件，不能撤回。确定作出决定吗？",
    ),
    Step(
        "issue",
        "颁发证照",
        "颁发证照",
        Kind.ISSUE,
        "case.issue",
        (Role.CLERK,),
        WINDOW,
        _s(State.APPROVED),
        _s(),
        State.ISSUED,
        needs=("copies", "valid_years"),
        produces="证照（证照编号、电子证照标识，每份一条环节）",
        confirm="颁发后证照编号和电子证照标识即生效，不能撤回。确定颁发证照吗？",
    ),
    Step(
        "hand_over",
        "送达",
        "确认送达",
        Kind.HANDOVER,
        "case.issue",
        (Role.CLERK,),
        WINDOW,
        _s(State.ISSUED, State.DENIED),
        _s(),
        State.DELIVERED,
        needs=("method", "address"),
        produces="送达方式和地址",
    ),
    Step(
        "evaluate",
        "好差评",
        "提交评价",
        Kind.EVALUATE,
        "case.evaluate",
        (),
        ANYWHERE,
        CONCLUDED,
        CONCLUDED,
        None,
        needs=("score", "comment"),
        produces="评价；差评开启15个工作日内的整改回访",
        applicant=True,
    ),
    Step(
        "follow_up",
        "差评整改回访",
        "完成整改回访",
        None,
        "case.follow_up",
        (Role.DEPT_ADMIN, Role.CENTRE_MANAGER, Role.SYSADMIN),
        ANYWHERE,
        CONCLUDED,
        CONCLUDED,
        None,
        needs=("result",),
        produces="整改及回访情况（不改变办件状态）",
    ),
)
STEPS = {step.name: step for step in TABLE}
# The steps a case page offers, in the order it shows them.
PAGE_STEPS = (
    "accept",
    "answer_correction",
    "accept_tolerant",
    "correct",
    "refuse",
    "transfer",
    "review",
    "decide",
    "suspend",
    "resume",
    "issue",
    "hand_over",
    "follow_up",
)


# --- the rules -----------------------------------------------------------


def _last_level(case):
    return len(case.matter.review_levels) - 1


def state_allows(step, case):
    """Whether `step` may start from the case's state where the case is now.
    Returns (True, "") or (False, why)."""
    states = step.at_window if case.at_window else step.in_office
    if case.state not in states:
        where = "窗口" if case.at_window else "承办部门"
        return False, f"办件{case.number}当前状态为“{case.get_state_display()}”（在{where}），不能{step.title}"
    if step.name in ("review", "decide"):
        # Only the department of the matter's function at the level this
        # review step belongs to reviews or decides (county → city → province);
        # any other holder (consulted, or reached by a wrong transfer) passes it on.
        levels = case.matter.review_levels
        level = levels[min(case.review_step, len(levels) - 1)]
        if case.holder.function != case.matter.department.function or case.holder.level != level:
            return False, (
                f"{case.holder.name}不是该事项本环节的审查部门（本环节由{Level(level).label}"
                f"{case.matter.department.short_name or '主管部门'}审查），请流转至承办部门"
            )
    if step.name == "review" and case.review_step >= _last_level(case):
        return False, "已到最后一级，请作出决定"
    if step.name == "decide" and case.review_step != _last_level(case):
        return False, "本级不是该事项的决定层级，请审查后报上级"
    if step.name == "accept_tolerant" and not tolerant_materials(case):
        return False, f"“{case.matter.name}”不在容缺受理范围内（办件的材料中没有可容缺的材料）"
    return True, ""


def place_allows(step, user, case):
    """Whether `user` stands where the case is. Returns (True, "") or (False, why)."""
    if user.kind == User.Kind.PUBLIC:
        return (True, "") if step.applicant else (False, f"{step.title}由工作人员办理")
    if step.place == WINDOW or (step.place == ANYWHERE and user.role == Role.CLERK):
        if not case.at_window:
            return False, f"办件{case.number}目前在{case.holder.name}办理，不在窗口，不能{step.title}"
        return True, ""
    if step.place == OFFICE or (step.place == ANYWHERE and user.role == Role.REVIEWER):
        if case.at_window:
            return False, f"办件{case.number}仍在窗口，请先流转至承办部门"
        if user.role != Role.SYSADMIN and case.holder_id != user.department_id:
            return False, f"办件{case.number}目前由{case.holder.name}承办，不在您所在部门"
    return True, ""


def allows(user, step, case):
    """(True, "") when `user` may take `step` on `case` now, else (False, why)."""
    if not policy.can(user, step.action, case):
        what = policy.ACTION_NAMES.get(step.action, step.title)
        if step.action in policy.actions_of(user):
            return False, f"无权{what}：该办件不在您所在部门或区划的办理范围内"
        return False, f"无权{step.title}：您的角色没有此权限"
    ok, why = place_allows(step, user, case)
    if not ok:
        return False, why
    return state_allows(step, case)


def require(user, name, case):
    """Refuse a step the table does not allow: Conflict when the case's state
    or place moved (someone else acted first), PermissionDenied otherwise."""
    step = STEPS[name]
    if not policy.can(user, step.action, case):
        ok, why = allows(user, step, case)
        raise PermissionDenied(why)
    ok, why = state_allows(step, case)
    if not ok:
        raise Conflict(why)
    ok, why = place_allows(step, user, case)
    if not ok:
        if (
            user.kind != User.Kind.PUBLIC
            and step.place != ANYWHERE
            and user.role in step.roles
            and (step.place == WINDOW) != case.at_window
        ):
            raise Conflict(why)  # it moved between the window and the department
        raise PermissionDenied(why)
    return step


def offered(user, case, evaluation=None):
    """The names of the steps the case page offers `user` now, in page order."""
    out = []
    for name in PAGE_STEPS:
        step = STEPS[name]
        if name == "follow_up":
            if (
                evaluation
                and evaluation.is_poor
                and not evaluation.follow_up_closed_at
                and policy.can(user, step.action, case)
            ):
                out.append(name)
            continue
        if user.kind == User.Kind.STAFF and user.role not in step.roles:
            continue
        if allows(user, step, case)[0]:
            out.append(name)
    return out


def after(name, state, *, previous=None, approved=None, to_window=None):
    """The state a step leaves behind, from the state it started in."""
    step = STEPS[name]
    if step.target is not None:
        return step.target
    if name == "answer_correction":
        return State.RECEIVED if previous in (None, State.CORRECTION) else previous
    if name == "decide":
        return State.APPROVED if approved else State.DENIED
    if name == "transfer":
        return State.REVIEWING if state == State.ACCEPTED and not to_window else state
    return state  # evaluate, follow_up: no change


def enter(name, state, at_window, **kwargs):
    """The demo's simulator: check `name` may start from (state, place) and
    return the state it leaves. Raises AssertionError otherwise."""
    step = STEPS[name]
    states = step.at_window if at_window else step.in_office
    if state not in states:
        raise AssertionError(f"{name} from {state} ({'window' if at_window else 'office'}) is not in the table")
    return after(name, state, **kwargs)


def tolerant_materials(case):
    """The materials of the case's situation that may be handed in after
    acceptance (容缺), as the catalogue marks them."""
    return [m for m in case.situation.materials.all() if getattr(m, "tolerable", False)]


# --- replaying a case's events ---------------------------------------------

STEP_OF_KIND = {
    Kind.RECEIVE: "receive",
    Kind.CORRECTION_REQUESTED: "correct",
    Kind.CORRECTION_ANSWERED: "answer_correction",
    Kind.REFUSE: "refuse",
    Kind.TRANSFER: "transfer",
    Kind.REVIEW: "review",
    Kind.SUSPEND: "suspend",
    Kind.RESUME: "resume",
    Kind.CONCLUDE: "decide",
    Kind.ISSUE: "issue",
    Kind.HANDOVER: "hand_over",
    Kind.EVALUATE: "evaluate",
}


def replay(events):
    """Walk one case's events through the table: [(seq, kind, at, department
    id, data), …] in order. Returns (state, holder id, at_window, moved_at)
    as the services would have left them (moved_at: the newest event's time);
    raises AssertionError at the first event the table does not allow."""
    state, at_window, previous, last_at, holder, evaluated = None, True, None, None, None, False
    for i, (seq, kind, at, department, data) in enumerate(events, start=1):
        assert seq == i, f"seq {seq} at position {i}"
        assert last_at is None or at >= last_at, "time went backwards"
        last_at = at
        if kind == Kind.ISSUE and i > 1 and events[i - 2][1] == kind and events[i - 2][2] == at:
            assert state == State.ISSUED
            continue  # another copy of the same issue
        if kind == Kind.ACCEPT:
            name = "accept_tolerant" if data.get("tolerant") else "accept"
        else:
            name = STEP_OF_KIND.get(kind)
            assert name is not None, f"unexpected {kind}"
        step = STEPS[name]
        states = step.at_window if at_window else step.in_office
        assert state in states, f"{name} from {state} ({'window' if at_window else 'office'})"
        if name == "receive":
            holder = department
        elif name == "correct":
            assert data["previous"] == state and data["items"]
            previous = state
        elif name == "transfer":
            assert data["from_department"] == holder and data["to_department"] == department
            assert (department, data["to_window"]) != (holder, at_window)
            state = after(name, state, to_window=data["to_window"])
            holder, at_window = department, data["to_window"]
            continue
        elif name == "review":
            assert department == holder
            assert events[i][1] == Kind.TRANSFER and events[i][2] == at  # passed up at once
        elif name == "decide":
            assert department == holder
            assert set(data) == {"approved", "working_days", "on_time"}
        elif name == "evaluate":
            assert not evaluated
            evaluated = True
        state = after(name, state, previous=previous, approved=data.get("approved"))
    return state, holder, at_window, last_at


# --- every case can finish ----------------------------------------------------


def _moves(step, state, at_window):
    """Where `step` can take a case from (state, at_window), by the table."""
    if step.name == "answer_correction":  # back to where the correction was asked from
        back = (State.RECEIVED, State.ACCEPTED, State.REVIEWING) if at_window else (State.ACCEPTED, State.REVIEWING)
        return [(s, at_window) for s in back]
    if step.name == "decide":
        return [(State.APPROVED, True), (State.DENIED, True)]  # the result goes back to the window
    if step.name == "transfer":
        return [(after("transfer", state, to_window=w), w) for w in (True, False)]
    return [(after(step.name, state), at_window)]


def can_finish(state, at_window):
    """True when some sequence of the table's steps takes a case from
    (state, at_window) to a final state (送达 or 不予受理)."""
    seen, todo = set(), [(state, at_window)]
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        if here[0] in FINAL:
            return True
        for step in TABLE:
            if step.kind is None or step.name == "receive":
                continue
            if here[0] in (step.at_window if here[1] else step.in_office):
                todo.extend(_moves(step, *here))
    return False
