"""One typed command per action a person can take (pure).

Commands are built once, at the edge: the API's discriminated union (cases.schemas.CaseActionIn) and the
CLI/demo both call `build_command`, which checks the values and says what is wrong in Chinese. Handlers
receive the command and trust its fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from typing import Any

from gridgov.cases.domain import ACTION_LABELS, PUBLIC_ACTIONS, Action, AppealKind, Satisfaction
from gridgov.clock import SHANGHAI, Limit, TimeUnit
from gridgov.errors import ValidationFailed

MAX_TEXT = 4000
POSTPONE_MAX = {TimeUnit.MINUTES: 60 * 24 * 30, TimeUnit.HOURS: 24 * 30, TimeUnit.WORKING_DAYS: 60}


@dataclass(frozen=True, slots=True)
class Register:
    grid_code: str | None = None
    category_code: str | None = None
    urgency: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    reason: str


# 12345 operations (issue 17): the knowledge-base article a direct close answered from (set by the knowledge
# service only: build_command never reads it from a request, so a citation cannot be forged through the API)
@dataclass(frozen=True, slots=True)
class Citation:
    article_id: int
    code: str
    version: int
    title: str


@dataclass(frozen=True, slots=True)
class DirectClose:
    note: str
    citation: Citation | None = None


# 12345 operations (issue 17): appeals
@dataclass(frozen=True, slots=True)
class Appeal:
    appeal_kind: str  # cases.domain.AppealKind
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UpholdAppeal:
    unit_code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class RefuseAppeal:
    unit_code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Dispatch:
    unit_code: str | None = None
    assist_unit_codes: tuple[str, ...] = ()
    category_code: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Accept:
    pass


@dataclass(frozen=True, slots=True)
class Return:
    reason: str


@dataclass(frozen=True, slots=True)
class Handle:
    note: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verify:
    note: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rework:
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluate:
    resolved: bool
    satisfaction: Satisfaction
    comment: str = ""


@dataclass(frozen=True, slots=True)
class RequestPostpone:
    limit: Limit
    reason: str


@dataclass(frozen=True, slots=True)
class ApprovePostpone:
    note: str = ""


@dataclass(frozen=True, slots=True)
class DenyPostpone:
    reason: str


@dataclass(frozen=True, slots=True)
class Suspend:
    reason: str


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class Merge:
    into_case_id: int


@dataclass(frozen=True, slots=True)
class Whistle:
    department_codes: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class CheckIn:
    note: str = ""


@dataclass(frozen=True, slots=True)
class TaskFeedback:
    note: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelTask:
    unit_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class RateDepartment:
    unit_code: str
    rating: int
    note: str = ""


# 督办/催办 (issue 15)
@dataclass(frozen=True, slots=True)
class Supervise:
    due_at: datetime  # by when the unit must answer (督办时限)
    note: str  # 督办要求


@dataclass(frozen=True, slots=True)
class ReplySupervision:
    note: str  # 督办回复


CaseCommand = (
    Register
    | Reject
    | DirectClose
    | Dispatch
    | Accept
    | Return
    | Handle
    | Verify
    | Rework
    | Evaluate
    | RequestPostpone
    | ApprovePostpone
    | DenyPostpone
    | Suspend
    | Resume
    | Merge
    | Whistle
    | CheckIn
    | TaskFeedback
    | CancelTask
    | RateDepartment
    # 12345 operations (issue 17)
    | Appeal
    | UpholdAppeal
    | RefuseAppeal
    # 督办/催办 (issue 15)
    | Supervise
    | ReplySupervision
)

COMMANDS: dict[Action, type[CaseCommand]] = {
    Action.REGISTER: Register,
    Action.REJECT: Reject,
    Action.DIRECT_CLOSE: DirectClose,
    Action.DISPATCH: Dispatch,
    Action.ACCEPT: Accept,
    Action.RETURN: Return,
    Action.HANDLE: Handle,
    Action.VERIFY: Verify,
    Action.REWORK: Rework,
    Action.EVALUATE: Evaluate,
    Action.REQUEST_POSTPONE: RequestPostpone,
    Action.APPROVE_POSTPONE: ApprovePostpone,
    Action.DENY_POSTPONE: DenyPostpone,
    Action.SUSPEND: Suspend,
    Action.RESUME: Resume,
    Action.MERGE: Merge,
    Action.WHISTLE: Whistle,
    Action.CHECK_IN: CheckIn,
    Action.TASK_FEEDBACK: TaskFeedback,
    Action.CANCEL_TASK: CancelTask,
    Action.RATE_DEPARTMENT: RateDepartment,
    # 12345 operations (issue 17)
    Action.APPEAL: Appeal,
    Action.UPHOLD_APPEAL: UpholdAppeal,
    Action.REFUSE_APPEAL: RefuseAppeal,
    # 督办/催办 (issue 15)
    Action.SUPERVISE: Supervise,
    Action.REPLY_SUPERVISION: ReplySupervision,
}
ACTION_OF: dict[type[CaseCommand], Action] = {cls: action for action, cls in COMMANDS.items()}
assert set(COMMANDS) == PUBLIC_ACTIONS, "every action a person may send has its command"

# the label of each free-text field, per action, as the person sees it on the form
TEXT_LABELS: dict[tuple[Action, str], str] = {
    (Action.REGISTER, "note"): "立案备注",
    (Action.REJECT, "reason"): "不予立案理由",
    (Action.DIRECT_CLOSE, "note"): "办结说明",
    (Action.DISPATCH, "note"): "派遣意见",
    (Action.RETURN, "reason"): "退回理由",
    (Action.HANDLE, "note"): "处置说明",
    (Action.VERIFY, "note"): "核查说明",
    (Action.REWORK, "reason"): "返工理由",
    (Action.EVALUATE, "comment"): "评价意见",
    (Action.REQUEST_POSTPONE, "reason"): "延期理由",
    (Action.APPROVE_POSTPONE, "note"): "审批意见",
    (Action.DENY_POSTPONE, "reason"): "驳回理由",
    (Action.SUSPEND, "reason"): "挂起理由",
    (Action.WHISTLE, "note"): "吹哨事由",
    (Action.CHECK_IN, "note"): "报到说明",
    (Action.TASK_FEEDBACK, "note"): "反馈说明",
    (Action.CANCEL_TASK, "reason"): "撤销理由",
    (Action.RATE_DEPARTMENT, "note"): "评价说明",
    # 12345 operations (issue 17)
    (Action.APPEAL, "reason"): "申诉理由",
    (Action.UPHOLD_APPEAL, "reason"): "审核意见",
    (Action.REFUSE_APPEAL, "reason"): "审核意见",
    # 督办/催办 (issue 15)
    (Action.SUPERVISE, "note"): "督办要求",
    (Action.REPLY_SUPERVISION, "note"): "督办回复",
}


def action_of(command: CaseCommand) -> Action:
    return ACTION_OF[type(command)]


def _text(params: Mapping[str, Any], name: str, *, required: bool, label: str) -> str:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed(f"{label}不能为空", field=name)
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{label}须为文字", field=name)
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValidationFailed(f"{label}含有不可见控制字符", field=name)
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"{label}过长", field=name)
    return value.strip()


def _strings(params: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = params.get(name) or []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{name} 须为字符串列表", field=name)
    return tuple(v for v in value if v.strip())


def _code(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    return str(value) if value else None


def _limit(params: Mapping[str, Any]) -> Limit:
    try:
        limit = Limit(int(params.get("amount", 0)), TimeUnit(str(params.get("unit", ""))))
    except (ValueError, TypeError):
        raise ValidationFailed("延期时长须为正整数，单位为 minutes / hours / working_days", field="amount") from None
    if limit.amount > POSTPONE_MAX[limit.unit]:
        raise ValidationFailed(f"延期不能超过 {POSTPONE_MAX[limit.unit]} {limit.unit.value}", field="amount")
    return limit


def _due_at(params: Mapping[str, Any]) -> datetime:
    """督办时限: an ISO date-time (a time without a zone is Beijing time), or a date (the end of that day)."""
    raw = params.get("due_at")
    if isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw or "").strip()
        try:
            value = datetime.fromisoformat(text + ("T23:59:59" if len(text) == 10 else ""))
        except ValueError:
            raise ValidationFailed("请填写督办时限 (日期或日期时间)", field="due_at") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def build_command(action: str, params: Mapping[str, Any]) -> CaseCommand:
    """The typed command for `action`, from its parameters. Raises ValidationFailed, naming the field."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act not in COMMANDS:
        raise ValidationFailed(f"该操作由系统执行，不能手工提交: {ACTION_LABELS[act]}", field="action")
    cls = COMMANDS[act]
    values: dict[str, Any] = {}
    for f in fields(cls):
        name = f.name
        if (act, name) in TEXT_LABELS:
            required = f.default is MISSING
            values[name] = _text(params, name, required=required, label=TEXT_LABELS[(act, name)])
        elif name in ("evidence", "assist_unit_codes", "department_codes"):
            values[name] = _strings(params, name)
        elif name in ("grid_code", "category_code", "urgency", "unit_code"):
            values[name] = _code(params, name)
        elif name == "limit":
            values[name] = _limit(params)
        elif name == "due_at":  # 督办/催办 (issue 15)
            values[name] = _due_at(params)
        elif name == "resolved":
            resolved = params.get("resolved")
            if not isinstance(resolved, bool):
                raise ValidationFailed("请说明问题是否解决 (resolved: true/false)", field="resolved")
            values[name] = resolved
        elif name == "satisfaction":
            try:
                values[name] = Satisfaction(str(params.get("satisfaction")))
            except ValueError:
                raise ValidationFailed(
                    "满意度须为 satisfied / basically_satisfied / unsatisfied", field="satisfaction"
                ) from None
        elif name == "into_case_id":
            raw = params.get("into_case_id")
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ValidationFailed("请指定主案编号 into_case_id", field="into_case_id")
            values[name] = raw
        elif name == "rating":
            rating = params.get("rating")
            if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
                raise ValidationFailed("评分须为 1–5 的整数", field="rating")
            values[name] = rating
        # 12345 operations (issue 17)
        elif name == "citation":
            values[name] = None  # only the knowledge service cites an article (gridgov.knowledge.services)
        elif name == "appeal_kind":
            kind = str(params.get("appeal_kind") or "")
            if kind not in {k.value for k in AppealKind}:
                raise ValidationFailed(
                    "申诉类型须为 verdict / unreasonable / not_ours / duplicate / unreachable", field="appeal_kind"
                )
            values[name] = kind
        else:  # pragma: no cover - a new field needs its rule above
            raise AssertionError(f"no rule for {cls.__name__}.{name}")
    if act is Action.WHISTLE and not values["department_codes"]:
        raise ValidationFailed("请至少指定一个报到部门", field="department_codes")
    if act in (Action.CANCEL_TASK, Action.RATE_DEPARTMENT) and not values["unit_code"]:
        raise ValidationFailed("请指定部门 unit_code", field="unit_code")
    return cls(**values)
