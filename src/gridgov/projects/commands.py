"""One typed command per stage action (pure). Built once, at the edge: the API's discriminated union
(projects.schemas.StageActionIn), the CLI and the demo all call `build_command`, which checks the values and
says what is wrong in Chinese; the service trusts the fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gridgov.errors import ValidationFailed
from gridgov.projects.domain import STAGE_ACTIONS, Action

MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Honour:
    on: date
    evidence: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Start:
    phase: int
    on: date
    evidence: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Produce:
    phase: int
    on: date
    evidence: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reach:
    on: date
    evidence: tuple[int, ...] = ()
    note: str = ""


StageCommand = Honour | Start | Produce | Reach

COMMANDS: dict[Action, type[StageCommand]] = {
    Action.HONOUR: Honour,
    Action.START: Start,
    Action.PRODUCE: Produce,
    Action.REACH: Reach,
}
ACTION_OF: dict[type[StageCommand], Action] = {cls: a for a, cls in COMMANDS.items()}
assert tuple(COMMANDS) == STAGE_ACTIONS, "every stage action has its command"


def action_of(command: StageCommand) -> Action:
    return ACTION_OF[type(command)]


def _date(params: Mapping[str, Any], label: str) -> date:
    raw = params.get("on")
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}日期须为 YYYY-MM-DD", field="on") from None


def _ids(params: Mapping[str, Any]) -> tuple[int, ...]:
    raw = params.get("evidence") or []
    if not isinstance(raw, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in raw
    ):
        raise ValidationFailed("evidence 须为佐证材料编号的列表", field="evidence")
    return tuple(dict.fromkeys(raw))


def _note(params: Mapping[str, Any]) -> str:
    raw = params.get("note") or ""
    if not isinstance(raw, str):
        raise ValidationFailed("说明须为文字", field="note")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in raw):
        raise ValidationFailed("说明含有不可见控制字符", field="note")
    if len(raw) > MAX_NOTE:
        raise ValidationFailed(f"说明不能超过 {MAX_NOTE} 字", field="note")
    return raw.strip()


def _phase(params: Mapping[str, Any], label: str) -> int:
    raw = params.get("phase")
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise ValidationFailed(f"请指定列入{label}一批的期次 (phase)", field="phase")
    return raw


def build_command(action: str, params: Mapping[str, Any]) -> StageCommand:
    """The typed command for `action`. Raises ValidationFailed, naming the field."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act not in COMMANDS:
        raise ValidationFailed(f"「{act.label}」不是阶段操作", field="action")
    on, evidence, note = _date(params, act.label), _ids(params), _note(params)
    if act is Action.HONOUR:
        return Honour(on, evidence, note)
    if act is Action.START:
        return Start(_phase(params, "开工"), on, evidence, note)
    if act is Action.PRODUCE:
        return Produce(_phase(params, "投产"), on, evidence, note)
    return Reach(on, evidence, note)
