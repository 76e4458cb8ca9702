"""The guard matrix: for every action × every role (and unit) × every reachable state, the page offers the action
(actions_for) exactly when apply_action accepts it. The states are reached through the real services on the
fakes; each accepted trial is undone by restoring the state before it, so every trial starts from the same case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from gridgov.actor import Actor, Role
from gridgov.cases.domain import PUBLIC_ACTIONS, Action
from gridgov.cases.guards import actions_for
from gridgov.cases.services import CaseDraft, CasePolicy, apply_action, build_command, report_case
from gridgov.cases.services.actions import actor_facts, load_facts
from gridgov.errors import GridgovError

from fakes import FakeDatabase, TinyWorld, fixed_calendar, fixed_clock, seed_world

ACTORS = ("admin", "operator", "dispatcher", "street", "community", "dept", "city-dept", "resident", "resident2")
ACTORS += ("grid-worker", "leader")


@dataclass
class Walk:
    w: TinyWorld
    policy: CasePolicy

    def __post_init__(self) -> None:
        self.clock = fixed_clock()
        self.calendar = fixed_calendar()

    def actor(self, name: str) -> Actor:
        if name == "leader":
            return Actor(user_id=None, role=Role.LEADER, unit_id=None, name="leader")
        return self.w.actor(name)

    def report(self, **draft: Any) -> int:
        fields = {"title": "楼道堆物", "grid_code": self.w.micro, "category_code": "H1802", **draft}
        return report_case(self.w.uow(), CaseDraft(**fields), self.actor("resident"), self.clock.now()).id

    def act(self, who: str, case_id: int, action: str, **params: Any) -> None:
        command = build_command(action, params)
        actor, now = self.actor(who), self.clock.now()
        apply_action(self.w.uow(), case_id, command, actor, now, self.calendar, self.policy)

    def dispatched(self, **draft: Any) -> int:
        cid = self.report(**draft)
        self.act("dispatcher", cid, "register")
        self.act("dispatcher", cid, "dispatch")
        return cid

    def accepted(self, **draft: Any) -> int:
        cid = self.dispatched(**draft)
        self.act("street", cid, "accept")
        return cid

    def summoned(self) -> int:
        cid = self.accepted()
        self.act("street", cid, "whistle", department_codes=[self.w.units["district-cg"].code])
        return cid

    def handled(self, **draft: Any) -> int:
        cid = self.accepted(**draft)
        self.act("street", cid, "handle", note="已清理")
        return cid

    def closed(self) -> int:
        cid = self.handled()
        self.act("dispatcher", cid, "verify")
        return cid


def _checked_in(walk: Walk) -> int:
    cid = walk.summoned()
    walk.act("dept", cid, "check_in")
    return cid


def _fed_back(walk: Walk) -> int:
    cid = _checked_in(walk)
    walk.act("dept", cid, "task_feedback", note="已处理")
    return cid


def _handled_with_open_summons(walk: Walk) -> int:
    cid = walk.summoned()
    walk.act("street", cid, "handle", note="已清理")
    return cid


def _evaluated(walk: Walk) -> int:
    cid = walk.closed()
    walk.act("resident", cid, "evaluate", resolved=True, satisfaction="satisfied")
    return cid


def _reopened(walk: Walk) -> int:
    cid = walk.closed()
    walk.act("resident", cid, "evaluate", resolved=False, satisfaction="unsatisfied")
    return cid


def _returned(walk: Walk) -> int:
    cid = walk.dispatched()
    walk.act("street", cid, "return", reason="不属本街道")
    return cid


def _postpone_pending(walk: Walk) -> int:
    cid = walk.accepted()
    walk.act("street", cid, "request_postpone", amount=2, unit="hours", reason="需协调")
    return cid


def _suspended(walk: Walk) -> int:
    cid = walk.accepted()
    walk.act("dispatcher", cid, "suspend", reason="等待产权单位")
    return cid


def _merged(walk: Walk) -> int:
    target = walk.report(title="另一起")
    cid = walk.report()
    walk.act("dispatcher", cid, "merge", into_case_id=target)
    return cid


def _registered(walk: Walk) -> int:
    cid = walk.report()
    walk.act("dispatcher", cid, "register")
    return cid


def _rejected(walk: Walk) -> int:
    cid = walk.report()
    walk.act("dispatcher", cid, "reject", reason="重复")
    return cid


def _closed_directly(walk: Walk) -> int:
    cid = walk.report(category_code="H1901")
    walk.act("operator", cid, "direct_close", note="电话答复")
    return cid


# 12345 operations (issue 17)
def _appeal_pending(walk: Walk) -> int:
    cid = walk.accepted()
    walk.act("street", cid, "appeal", appeal_kind="not_ours", reason="非本单位职责")
    return cid


# 督办/催办 (issue 15)
def _supervised(walk: Walk) -> int:
    cid = walk.accepted()
    due = (walk.clock.now() + timedelta(days=2)).isoformat()
    walk.act("leader", cid, "supervise", due_at=due, note="请三日内办结")
    return cid


def _supervised_handled(walk: Walk) -> int:
    cid = _supervised(walk)
    walk.act("street", cid, "handle", note="已清理")
    return cid


STATES: dict[str, Callable[[Walk], int]] = {
    "reported": lambda walk: walk.report(),
    "reported-urgent": lambda walk: walk.report(urgency="urgent"),
    "reported-event": lambda walk: walk.report(category_code="E0102"),
    "reported-component": lambda walk: walk.report(category_code="C0101"),
    "registered": _registered,
    "rejected": _rejected,
    "closed-directly": _closed_directly,
    "dispatched": lambda walk: walk.dispatched(),
    "returned": _returned,
    "accepted": lambda walk: walk.accepted(),
    "postpone-pending": _postpone_pending,
    "summoned": lambda walk: walk.summoned(),
    "summons-checked-in": _checked_in,
    "summons-fed-back": _fed_back,
    "handled": lambda walk: walk.handled(),
    "handled-summons-open": _handled_with_open_summons,
    "handled-outside-worker-grid": lambda walk: walk.handled(grid_code=walk.w.other_micro),
    "closed": lambda walk: walk.closed(),
    "evaluated": _evaluated,
    "reopened": _reopened,
    "suspended": _suspended,
    "merged": _merged,
    "appeal-pending": _appeal_pending,  # 12345 operations (issue 17)
    # 督办/催办 (issue 15)
    "supervised": _supervised,
    "supervised-handled": _supervised_handled,
}


def _params(walk: Walk, case_id: int) -> dict[Action, dict[str, Any]]:
    summoned, spare = walk.w.units["district-cg"].code, walk.w.units["city-cg"].code
    other_open = walk.report(title="并案目标")
    return {
        Action.REGISTER: {},
        Action.REJECT: {"reason": "不属受理范围"},
        Action.DIRECT_CLOSE: {"note": "电话答复"},
        Action.DISPATCH: {},
        Action.ACCEPT: {},
        Action.RETURN: {"reason": "非本单位职责"},
        Action.HANDLE: {"note": "已处置"},
        Action.VERIFY: {"note": "现场核实"},
        Action.REWORK: {"reason": "未清理干净"},
        Action.EVALUATE: {"resolved": True, "satisfaction": "satisfied"},
        Action.REQUEST_POSTPONE: {"amount": 4, "unit": "hours", "reason": "材料未到"},
        Action.APPROVE_POSTPONE: {},
        Action.DENY_POSTPONE: {"reason": "理由不足"},
        Action.SUSPEND: {"reason": "等待"},
        Action.RESUME: {},
        Action.MERGE: {"into_case_id": other_open},
        Action.WHISTLE: {"department_codes": [spare]},
        Action.CHECK_IN: {},
        Action.TASK_FEEDBACK: {"note": "已处理"},
        Action.CANCEL_TASK: {"unit_code": summoned, "reason": "未报到"},
        Action.RATE_DEPARTMENT: {"unit_code": summoned, "rating": 4},
        # 12345 operations (issue 17)
        Action.APPEAL: {"appeal_kind": "not_ours", "reason": "非本单位职责"},
        Action.UPHOLD_APPEAL: {"reason": "属实"},
        Action.REFUSE_APPEAL: {"reason": "不属实"},
        # 督办/催办 (issue 15)
        Action.SUPERVISE: {"due_at": (walk.clock.now() + timedelta(days=1)).isoformat(), "note": "请尽快办理"},
        Action.REPLY_SUPERVISION: {"note": "已安排人员处置"},
    }


def _restore(db: FakeDatabase, saved: dict[Any, Any], sequences: dict[Any, int]) -> None:
    db.tables = {model: dict(rows) for model, rows in saved.items()}
    db._sequences = dict(sequences)  # noqa: SLF001 - the fake's own bookkeeping


@pytest.mark.parametrize("state", list(STATES))
def test_the_page_offers_an_action_exactly_when_the_server_accepts_it(state: str) -> None:
    walk = Walk(seed_world(), CasePolicy())
    case_id = STATES[state](walk)
    walk.clock.advance(timedelta(minutes=5))
    params = _params(walk, case_id)
    assert set(params) == PUBLIC_ACTIONS
    db = walk.w.db
    saved, sequences = db.snapshot(), dict(db._sequences)  # noqa: SLF001
    mismatches, offered_any = [], False
    for name in ACTORS:
        actor = walk.actor(name)
        with walk.w.uow() as uow:
            case = uow.cases.get(case_id)
            assert case is not None
            offered = set(actions_for(load_facts(uow, case), actor_facts(uow, actor)))
        offered_any = offered_any or bool(offered)
        for action in sorted(PUBLIC_ACTIONS):
            try:
                walk.act(name, case_id, action.value, **params[action])
                accepted, why = True, ""
            except GridgovError as refused:
                accepted, why = False, f"{refused.code}: {refused.message}"
            if accepted:
                _restore(db, saved, sequences)
                saved = db.snapshot()
            if accepted != (action in offered):
                mismatches.append((name, action.value, "offered" if action in offered else "not offered", why))
    assert not mismatches, mismatches
    assert offered_any or state in ("rejected", "evaluated", "closed-directly")
