"""One typed command per person's action (pure). Built once, at the edge: the API, the pages, the demo and the
tests call `build_command`, which checks the values and says what is wrong in Chinese; the service trusts the
fields (and checks what needs the item: the dates against its limits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from gridgov.errors import ValidationFailed
from gridgov.proposals.domain import Action, AnswerClass, ContactMethod, Rating

MAX_TEXT = 5000
MAX_UNITS = 20
MAX_PROMISES = 20


@dataclass(frozen=True, slots=True)
class Assign:
    lead_unit: str  # unit code
    co_units: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Return:
    reason: str


@dataclass(frozen=True, slots=True)
class SendViews:
    text: str


@dataclass(frozen=True, slots=True)
class RecordContact:
    method: ContactMethod
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class Explain:
    text: str


@dataclass(frozen=True, slots=True)
class Promise:
    text: str
    due_on: date


@dataclass(frozen=True, slots=True)
class Answer:
    answer_class: AnswerClass
    text: str
    public: bool = True
    not_public_reason: str = ""
    promises: tuple[Promise, ...] = ()


@dataclass(frozen=True, slots=True)
class Rate:
    work: Rating
    result: Rating
    note: str = ""


@dataclass(frozen=True, slots=True)
class KeepPromise:
    promise_id: int
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class Refer:
    category_code: str | None = None
    note: str = ""


Command = Assign | Return | SendViews | RecordContact | Explain | Answer | Rate | KeepPromise | Refer

COMMANDS: dict[Action, type[Command]] = {
    Action.ASSIGN: Assign,
    Action.RETURN: Return,
    Action.SEND_VIEWS: SendViews,
    Action.RECORD_CONTACT: RecordContact,
    Action.EXPLAIN: Explain,
    Action.ANSWER: Answer,
    Action.RATE: Rate,
    Action.KEEP_PROMISE: KeepPromise,
    Action.REFER: Refer,
}
ACTION_OF: dict[type[Command], Action] = {cls: a for a, cls in COMMANDS.items()}


def action_of(command: Command) -> Action:
    return ACTION_OF[type(command)]


def text_of(params: Mapping[str, Any], name: str, label: str, required: bool = True) -> str:
    raw = params.get(name) or ""
    if not isinstance(raw, str):
        raise ValidationFailed(f"{label}须为文字", field=name)
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in raw):
        raise ValidationFailed(f"{label}含有不可见控制字符", field=name)
    if len(raw) > MAX_TEXT:
        raise ValidationFailed(f"{label}不能超过 {MAX_TEXT} 字", field=name)
    text = raw.strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}", field=name)
    return text


def date_of(raw: Any, name: str, label: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为 YYYY-MM-DD", field=name) from None


E = TypeVar("E", AnswerClass, ContactMethod, Rating)


def _choice(kind: type[E], raw: Any, name: str, label: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        allowed = " / ".join(e.value for e in kind)
        raise ValidationFailed(f"{label}须为 {allowed}", field=name) from None


def _units(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple) or not all(isinstance(u, str) and 0 < len(u) <= 40 for u in raw):
        raise ValidationFailed("会办单位须为单位编码的列表", field="co_units")
    if len(raw) > MAX_UNITS:
        raise ValidationFailed(f"会办单位不能超过 {MAX_UNITS} 个", field="co_units")
    return tuple(dict.fromkeys(u.strip() for u in raw))


def _promises(raw: Any) -> tuple[Promise, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple) or len(raw) > MAX_PROMISES:
        raise ValidationFailed(f"承诺事项须为列表 (至多 {MAX_PROMISES} 项)", field="promises")
    out = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise ValidationFailed("每项承诺须有 text 与 due_on", field="promises")
        out.append(Promise(text_of(item, "text", "承诺事项"), date_of(item.get("due_on"), "promises", "承诺完成日期")))
    return tuple(out)


def build_command(action: str, params: Mapping[str, Any]) -> Command:
    """The typed command for `action`. Raises ValidationFailed, naming the field."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act not in COMMANDS:
        raise ValidationFailed(f"「{act.label}」不能由人执行", field="action")
    if act is Action.ASSIGN:
        lead = text_of(params, "lead_unit", "主办单位")
        co = tuple(u for u in _units(params.get("co_units")) if u != lead)
        return Assign(lead, co, text_of(params, "note", "交办意见", required=False))
    if act is Action.RETURN:
        return Return(text_of(params, "reason", "退回理由"))
    if act is Action.SEND_VIEWS:
        return SendViews(text_of(params, "text", "会办意见"))
    if act is Action.RECORD_CONTACT:
        method = _choice(ContactMethod, params.get("method"), "method", "沟通方式")
        return RecordContact(
            method, date_of(params.get("on"), "on", "沟通日期"), text_of(params, "note", "沟通情况", required=False)
        )
    if act is Action.EXPLAIN:
        return Explain(text_of(params, "text", "延期说明"))
    if act is Action.ANSWER:
        cls = _choice(AnswerClass, params.get("answer_class"), "answer_class", "答复类别")
        public = params.get("public", True)
        if not isinstance(public, bool):
            raise ValidationFailed("public 须为 true / false", field="public")
        reason = text_of(params, "not_public_reason", "不予公开的理由", required=not public)
        promises = _promises(params.get("promises"))
        if cls is not AnswerClass.B and promises:
            raise ValidationFailed("只有 B 类答复列承诺事项", field="promises")
        label = "暂不能解决的原因" if cls is AnswerClass.C else "答复内容"
        return Answer(cls, text_of(params, "text", label), public, reason if not public else "", promises)
    if act is Action.RATE:
        return Rate(
            _choice(Rating, params.get("work"), "work", "对办理工作的评价"),
            _choice(Rating, params.get("result"), "result", "对办理结果的评价"),
            text_of(params, "note", "评价意见", required=False),
        )
    if act is Action.KEEP_PROMISE:
        pid = params.get("promise_id")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
            raise ValidationFailed("请指定承诺事项 (promise_id)", field="promise_id")
        return KeepPromise(pid, date_of(params.get("on"), "on", "兑现日期"), text_of(params, "note", "兑现情况", False))
    category = params.get("category_code")
    if category is not None and (not isinstance(category, str) or not 0 < len(category) <= 40):
        raise ValidationFailed("category_code 须为案件类别编码", field="category_code")
    return Refer(category, text_of(params, "note", "转办说明", required=False))
