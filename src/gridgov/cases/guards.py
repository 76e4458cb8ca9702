"""One guard per action: may this person take this action on this case now? (pure)

`GUARDS[action](facts, actor)` returns the reason for refusing (an error, not raised) or None. Both sides use
it: `apply_action` raises the reason before it changes anything, and `actions_for` offers exactly the actions
whose guard says None, so a page never offers what the server would refuse. Each guard checks, in this order:
the role (403), the state (409 invalid_transition), then what the facts of this case say about this person —
their unit's tasks, the owning street, the urgency and kind of the case, a pending postponement.

What an action's own parameters say (does the unit exist, is the reason filled in, is the merge target open)
is checked when the command is built or applied, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gridgov.actor import Actor, Role
from gridgov.cases.domain import (
    ACTION_LABELS,
    ACTION_ROLES,
    PUBLIC_ACTIONS,
    TRANSITIONS,
    Action,
    ActionNotPermitted,
    CaseStatus,
    SupervisionView,  # 督办/催办 (issue 15)
    TaskRole,
    TaskStatus,
    TaskView,
    Urgency,
    next_status,
)
from gridgov.errors import GridgovError, InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.grids.domain import is_within

ON_SITE_KINDS = frozenset({"component", "event"})  # 数字城管 部件/事件: someone must go and look

# 核查: who checks the result before a case closes, by the kind of its category (the shipped default: a grid worker
# or the community for 数字城管 部件/事件, the street for 12345 matters); the command centre always may.
VERIFIERS: dict[str, frozenset[Role]] = {
    "component": frozenset({Role.GRID_WORKER, Role.COMMUNITY}),
    "event": frozenset({Role.GRID_WORKER, Role.COMMUNITY}),
    "service": frozenset({Role.STREET}),
}
ALWAYS_VERIFY = frozenset({Role.DISPATCHER, Role.ADMIN})


def verifier_roles(category_kind: str | None) -> frozenset[Role]:
    """The roles that may verify a case of this kind of category."""
    return ALWAYS_VERIFY | VERIFIERS.get(category_kind or "service", VERIFIERS["service"])


HELPER_ROLES = (TaskRole.WHISTLE, TaskRole.ASSIST)
WORKING = (TaskStatus.PENDING, TaskStatus.ACCEPTED)


class OpenTasksRemain(GridgovError):
    code = "tasks_open"
    status = 409
    message = "仍有协办或报到部门未反馈，不能结案"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guards know about a case: plain values, loaded once."""

    case_id: int
    status: CaseStatus
    urgency: Urgency = Urgency.NORMAL
    category_kind: str | None = None
    category_name: str | None = None
    owner_unit_id: int | None = None
    reporter_user_id: int | None = None
    grid_code: str | None = None
    tasks: tuple[TaskView, ...] = ()
    postpone_pending: bool = False
    resume_to: CaseStatus | None = None  # the status held before 挂起
    # 督办/催办 (issue 15)
    supervision: SupervisionView | None = None  # the open 督办, if any


@dataclass(frozen=True, slots=True)
class ActorFacts:
    """Who is asking: the actor, plus the grids a grid worker answers for."""

    role: Role
    unit_id: int | None
    user_id: int | None
    grids: tuple[str, ...] = field(default=())
    unit_grid: str | None = None  # the grid the person's unit governs (a community's L2 grid, a street's L1 grid)

    @classmethod
    def of(cls, actor: Actor, grids: Sequence[str] = ()) -> ActorFacts:
        return cls(actor.role, actor.unit_id, actor.user_id, tuple(grids), actor.unit_grid)


Guard = Callable[[CaseFacts, ActorFacts], GridgovError | None]


# -- the common checks ----------------------------------------------------------------------------------
def role_refusal(action: Action, role: Role) -> GridgovError | None:
    if role not in ACTION_ROLES[action]:
        return ActionNotPermitted(f"角色「{role.label}」不能执行「{ACTION_LABELS[action]}」", action=action.value)
    return None


def state_refusal(action: Action, facts: CaseFacts) -> GridgovError | None:
    try:
        next_status(facts.status, action, resume_to=facts.resume_to)
    except InvalidTransition as refused:
        return refused
    return None


def _mine(facts: CaseFacts, actor: ActorFacts, roles: Sequence[TaskRole], state: TaskStatus) -> bool:
    return actor.unit_id is not None and any(
        t.unit_id == actor.unit_id and t.role in roles and t.status is state for t in facts.tasks
    )


def _no_task(facts: CaseFacts) -> GridgovError:
    return PermissionDenied("本单位在该案件上没有待办任务", case_id=facts.case_id)


def _holds(roles: Sequence[TaskRole], state: TaskStatus) -> Guard:
    def guard(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
        return None if _mine(facts, actor, roles, state) else _no_task(facts)

    return guard


def _owner(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    if facts.owner_unit_id is None or actor.unit_id != facts.owner_unit_id:
        return PermissionDenied("只有承办该案件的街道可以吹哨或评价报到部门")
    return None


def _verifier(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """The kind of the category says who verifies (VERIFIERS); a grid worker only in their own grids, a community
    or a street only inside its own area."""
    if actor.role in ALWAYS_VERIFY:
        return None
    if actor.role not in verifier_roles(facts.category_kind):
        names = "、".join(sorted(r.label for r in verifier_roles(facts.category_kind) - ALWAYS_VERIFY))
        return PermissionDenied(f"该类案件由{names}或指挥中心核查", category_kind=facts.category_kind)
    grid = facts.grid_code or ""
    if actor.role is Role.GRID_WORKER:
        if not any(is_within(grid, g) for g in actor.grids):
            return PermissionDenied("只能核查本人负责网格内的案件")
    elif not actor.unit_grid or not is_within(grid, actor.unit_grid):
        return PermissionDenied("只能核查本单位辖区内的案件")
    return None


def _all(*guards: Guard) -> Guard:
    def guard(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
        for g in guards:
            refused = g(facts, actor)
            if refused is not None:
                return refused
        return None

    return guard


# -- what each action asks of the facts -------------------------------------------------------------------
def _direct_close(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """直接办结 is for consultations and requests answered on the phone: never for urgent cases or for
    数字城管 部件/事件, which need someone on site."""
    if facts.urgency is not Urgency.NORMAL:
        return InvalidTransition("紧急案件不能直接办结，须派遣处置")
    if facts.category_kind in ON_SITE_KINDS:
        return InvalidTransition(f"数字城管类别「{facts.category_name}」须派遣现场处置，不能直接办结")
    return None


def _postpone_free(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    return InvalidTransition("已有待审批的延期申请") if facts.postpone_pending else None


def _postpone_pending(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    return None if facts.postpone_pending else InvalidTransition("没有待审批的延期申请")


def _helpers_done(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """事不完、人不撤: a case is not verified while a summoned or assisting unit is still at work."""
    names = [t.unit_name or str(t.unit_id) for t in facts.tasks if t.role in HELPER_ROLES and t.status in WORKING]
    if names:
        return OpenTasksRemain(f"以下单位尚未反馈，不能结案: {'、'.join(names)}", units=names)
    return None


def _own_case(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    if actor.role is Role.RESIDENT and facts.reporter_user_id != actor.user_id:
        return PermissionDenied("只能评价本人上报的案件")
    return None


def _summons_open(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    if not any(t.role is TaskRole.WHISTLE and t.status in WORKING for t in facts.tasks):
        return ValidationFailed("没有进行中的召集", field="unit_code")
    return None


def _summons_fed_back(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    if not any(t.role is TaskRole.WHISTLE and t.status is TaskStatus.FED_BACK for t in facts.tasks):
        return InvalidTransition("部门反馈后才能评价")
    return None


# 12345 operations (issue 17): appeals
def _may_appeal(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """A unit appeals once per task it holds on the case (not a withdrawn one)."""
    mine = [t for t in facts.tasks if t.unit_id == actor.unit_id and t.status is not TaskStatus.CANCELLED]
    if actor.unit_id is None or not mine:
        return PermissionDenied("本单位在该案件上没有任务，不能申诉", case_id=facts.case_id)
    if all(t.appeal_status is not None for t in mine):
        return InvalidTransition("本单位已就该案件申诉过")
    return None


def _appeal_pending(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    if not any(t.appeal_status == "pending" for t in facts.tasks):
        return InvalidTransition("没有待审核的申诉")
    return None


def _nothing(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    return None


# -- 督办/催办 (issue 15) -------------------------------------------------------------------------------
def _supervisable(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """A case is put under supervision once at a time, and only while a unit is handling it (there must be
    someone to answer)."""
    if facts.supervision is not None:
        return InvalidTransition("该案件已在督办中, 待承办单位回复后才能再次督办")
    if not any(t.role is TaskRole.PRIMARY and t.status in WORKING for t in facts.tasks):
        return InvalidTransition("案件没有正在办理的承办单位, 不能督办")
    return None


def _supervised_unit(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
    """督办回复 comes from the unit the 督办 was addressed to."""
    if facts.supervision is None:
        return InvalidTransition("该案件没有待回复的督办")
    if actor.unit_id is None or actor.unit_id != facts.supervision.unit_id:
        return PermissionDenied("只有被督办的承办单位可以回复督办")
    return None


SPECIFIC: dict[Action, Guard] = {
    Action.DIRECT_CLOSE: _direct_close,
    Action.ACCEPT: _holds((TaskRole.PRIMARY,), TaskStatus.PENDING),
    Action.RETURN: _holds((TaskRole.PRIMARY,), TaskStatus.PENDING),
    Action.HANDLE: _holds((TaskRole.PRIMARY,), TaskStatus.ACCEPTED),
    Action.REQUEST_POSTPONE: _all(_holds((TaskRole.PRIMARY,), TaskStatus.ACCEPTED), _postpone_free),
    Action.APPROVE_POSTPONE: _postpone_pending,
    Action.DENY_POSTPONE: _postpone_pending,
    Action.VERIFY: _all(_verifier, _helpers_done),
    Action.REWORK: _verifier,
    Action.EVALUATE: _own_case,
    Action.WHISTLE: _owner,
    Action.CHECK_IN: _holds(HELPER_ROLES, TaskStatus.PENDING),
    Action.TASK_FEEDBACK: _holds(HELPER_ROLES, TaskStatus.ACCEPTED),
    Action.CANCEL_TASK: _all(_owner, _summons_open),
    Action.RATE_DEPARTMENT: _all(_owner, _summons_fed_back),
    # 12345 operations (issue 17)
    Action.APPEAL: _may_appeal,
    Action.UPHOLD_APPEAL: _appeal_pending,
    Action.REFUSE_APPEAL: _appeal_pending,
    # 督办/催办 (issue 15)
    Action.SUPERVISE: _supervisable,
    Action.REPLY_SUPERVISION: _supervised_unit,
}


def _guard(action: Action) -> Guard:
    specific = SPECIFIC.get(action, _nothing)

    def guard(facts: CaseFacts, actor: ActorFacts) -> GridgovError | None:
        return role_refusal(action, actor.role) or state_refusal(action, facts) or specific(facts, actor)

    return guard


GUARDS: dict[Action, Guard] = {a: _guard(a) for a in Action if a in PUBLIC_ACTIONS}


def actions_for(facts: CaseFacts, actor: ActorFacts) -> list[Action]:
    """What this person can do to the case now: exactly the actions whose guard has no objection, in the
    transition table's order for the case's status."""
    return [a for (s, a) in TRANSITIONS if s is facts.status and a in GUARDS and GUARDS[a](facts, actor) is None]
