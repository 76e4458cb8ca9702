"""One typed command per person's hazard action (pure). Built once, at the edge: the API's discriminated union
(safety.schemas.HazardAction), the pages and the demo all call `build_command`, which checks the values and says
what is wrong in Chinese; the service trusts the fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gridgov.errors import ValidationFailed
from gridgov.safety.domain import PERSON_ACTIONS, Action, RectificationPlan

MAX_NOTE = 2000
MAX_PHOTOS = 3


@dataclass(frozen=True, slots=True)
class SubmitPlan:
    plan: RectificationPlan
    note: str = ""


@dataclass(frozen=True, slots=True)
class Supervise:
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportRectified:
    photos: tuple[bytes, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class PassReview:
    note: str = ""


@dataclass(frozen=True, slots=True)
class FailReview:
    note: str  # why: required


@dataclass(frozen=True, slots=True)
class CloseOut:
    note: str = ""


@dataclass(frozen=True, slots=True)
class Refer:
    kind: str  # a key of rules.referrals (fire, gas)
    note: str = ""


HazardCommand = SubmitPlan | Supervise | ReportRectified | PassReview | FailReview | CloseOut | Refer

COMMANDS: dict[Action, type[HazardCommand]] = {
    Action.SUBMIT_PLAN: SubmitPlan,
    Action.SUPERVISE: Supervise,
    Action.REPORT_RECTIFIED: ReportRectified,
    Action.PASS_REVIEW: PassReview,
    Action.FAIL_REVIEW: FailReview,
    Action.CLOSE_OUT: CloseOut,
    Action.REFER: Refer,
}
ACTION_OF: dict[type[HazardCommand], Action] = {cls: a for a, cls in COMMANDS.items()}
assert tuple(COMMANDS) == PERSON_ACTIONS, "every person's action has its command"


def action_of(command: HazardCommand) -> Action:
    return ACTION_OF[type(command)]


def clean_note(raw: Any, label: str = "说明", required: bool = False) -> str:
    raw = raw or ""
    if not isinstance(raw, str):
        raise ValidationFailed(f"{label}须为文字", field="note")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in raw):
        raise ValidationFailed(f"{label}含有不可见控制字符", field="note")
    if len(raw) > MAX_NOTE:
        raise ValidationFailed(f"{label}不能超过 {MAX_NOTE} 字", field="note")
    if required and not raw.strip():
        raise ValidationFailed(f"请填写{label}", field="note")
    return raw.strip()


def _text(params: Mapping[str, Any], key: str, label: str, limit: int) -> str:
    raw = params.get(key) or ""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(f"请填写{label}", field=key)
    if len(raw) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字", field=key)
    return raw.strip()


def _plan(params: Mapping[str, Any]) -> RectificationPlan:
    funds = params.get("funds")
    if not isinstance(funds, int) or isinstance(funds, bool) or funds < 0:
        raise ValidationFailed("资金落实: 整改资金须为元的整数", field="funds")
    raw = params.get("time_limit")
    try:
        limit = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise ValidationFailed("时限落实: 整改时限须为 YYYY-MM-DD", field="time_limit") from None
    return RectificationPlan(
        responsible=_text(params, "responsible", "责任落实 (责任人)", 100),
        measures=_text(params, "measures", "措施落实 (整改措施)", 2000),
        funds=funds,
        time_limit=limit,
        contingency=_text(params, "contingency", "预案落实 (应急预案)", 2000),
    )


def _photos(params: Mapping[str, Any]) -> tuple[bytes, ...]:
    raw = params.get("photos") or []
    if not isinstance(raw, list | tuple) or not all(isinstance(p, bytes) for p in raw):
        raise ValidationFailed("photos 须为照片的列表", field="photos")
    if not raw:
        raise ValidationFailed("整改完成须附整改后的现场照片", field="photos")
    if len(raw) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张", field="photos")
    return tuple(raw)


def build_command(action: str, params: Mapping[str, Any]) -> HazardCommand:
    """The typed command for `action`. Raises ValidationFailed, naming the field."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act not in COMMANDS:
        raise ValidationFailed(f"「{act.label}」不由人工提交", field="action")
    failing = act is Action.FAIL_REVIEW
    note = clean_note(params.get("note"), "验收不通过的原因" if failing else "说明", failing)
    if act is Action.SUBMIT_PLAN:
        return SubmitPlan(_plan(params), note)
    if act is Action.SUPERVISE:
        return Supervise(note)
    if act is Action.REPORT_RECTIFIED:
        return ReportRectified(_photos(params), note)
    if act is Action.PASS_REVIEW:
        return PassReview(note)
    if act is Action.FAIL_REVIEW:
        return FailReview(note)
    if act is Action.CLOSE_OUT:
        return CloseOut(note)
    kind = params.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ValidationFailed("请选择转办的类别 (kind)", field="kind")
    return Refer(kind, note)
