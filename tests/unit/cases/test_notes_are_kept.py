"""Every free-text field an action takes reaches the action's event: nothing a person writes is dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.cases.commands import TEXT_LABELS
from gridgov.cases.domain import Action
from gridgov.cases.models import CaseEvent
from gridgov.cases.services import CasePolicy

from .test_guard_matrix import STATES, Walk, _params
from fakes import seed_world

# the state each action is taken in, and who takes it
WHERE: dict[Action, tuple[str, str]] = {
    Action.REGISTER: ("reported", "dispatcher"),
    Action.REJECT: ("reported", "dispatcher"),
    Action.DIRECT_CLOSE: ("reported", "operator"),
    Action.DISPATCH: ("registered", "dispatcher"),
    Action.RETURN: ("dispatched", "street"),
    Action.HANDLE: ("accepted", "street"),
    Action.VERIFY: ("handled", "dispatcher"),
    Action.REWORK: ("handled", "dispatcher"),
    Action.EVALUATE: ("closed", "resident"),
    Action.REQUEST_POSTPONE: ("accepted", "street"),
    Action.APPROVE_POSTPONE: ("postpone-pending", "dispatcher"),
    Action.DENY_POSTPONE: ("postpone-pending", "dispatcher"),
    Action.SUSPEND: ("accepted", "dispatcher"),
    Action.WHISTLE: ("accepted", "street"),
    Action.CHECK_IN: ("summoned", "dept"),
    Action.TASK_FEEDBACK: ("summons-checked-in", "dept"),
    Action.CANCEL_TASK: ("summoned", "street"),
    Action.RATE_DEPARTMENT: ("summons-fed-back", "street"),
    # 12345 operations (issue 17)
    Action.APPEAL: ("accepted", "street"),
    Action.UPHOLD_APPEAL: ("appeal-pending", "dispatcher"),
    Action.REFUSE_APPEAL: ("appeal-pending", "dispatcher"),
    # 督办/催办 (issue 15)
    Action.SUPERVISE: ("accepted", "leader"),
    Action.REPLY_SUPERVISION: ("supervised", "street"),
}


def test_every_text_field_has_a_place_to_be_taken() -> None:
    assert {a for a, _ in TEXT_LABELS} <= set(WHERE)


@pytest.mark.parametrize("field", sorted(TEXT_LABELS), ids=lambda f: f"{f[0].value}.{f[1]}")
def test_the_text_reaches_the_event_payload(field: tuple[Action, str]) -> None:
    action, name = field
    state, who = WHERE[action]
    walk = Walk(seed_world(), CasePolicy())
    case_id = STATES[state](walk)
    walk.clock.advance(timedelta(minutes=5))
    text = f"写给{name}的话-{action.value}"
    walk.act(who, case_id, action.value, **{**_params(walk, case_id)[action], name: text})
    events = sorted((e for e in walk.w.db.all(CaseEvent) if e.case_id == case_id), key=lambda e: e.seq)
    mine = next(e for e in reversed(events) if e.action == action.value)
    assert text in mine.payload.values(), mine.payload
