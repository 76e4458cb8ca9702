"""转办 on the fakes: the case leaves the local loop with its own status, once; the receiver's outcome is recorded
once however often it is sent; who may do it; every step an event of the case's chain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.cases.domain import CaseStatus
from gridgov.cases.services.policy import CasePolicy
from gridgov.clock import FixedClock, WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.transfers.domain import OUTCOME_FORMAT, targets_of
from gridgov.transfers.services import (
    TransferNotFound,
    TransferPolicy,
    export_case,
    record_outcome,
    record_outcome_by_hand,
    transfer_case,
)

from ..cases.test_services_on_fakes import Loop
from fakes import TinyWorld

POLICY = TransferPolicy("zhengzhou", targets_of({}))


@pytest.fixture
def loop(tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> Loop:
    return Loop(tiny, clock, calendar, policy)


def _transfer(loop: Loop, cid: int, who: str = "operator", target: str = "110") -> int:
    return transfer_case(loop.w.uow(), cid, target, "涉及治安", loop.w.actor(who), loop.clock.now(), POLICY)


def test_a_transferred_case_has_its_own_status_and_is_transferred_once(loop: Loop) -> None:
    cid = loop.report()
    tid = _transfer(loop, cid)
    case = loop.case(cid)
    assert case.status == CaseStatus.TRANSFERRED.value and case.next_alarm_at is None
    event = loop.events(cid)[-1]
    assert (event.event_type, event.from_status, event.to_status) == ("case_transferred", "reported", "transferred")
    assert event.payload["transfer_ref"] == f"zhengzhou:{case.tracking_code}" and event.payload["transfer_id"] == tid
    with pytest.raises(InvalidTransition):
        _transfer(loop, cid, target="119")
    assert loop.chain_problem(cid) is None


def test_only_the_centre_transfers_to_a_known_target_with_a_reason(loop: Loop) -> None:
    cid = loop.report()
    with pytest.raises(PermissionDenied):
        _transfer(loop, cid, who="street")
    with pytest.raises(ValidationFailed):
        _transfer(loop, cid, target="999")
    with pytest.raises(ValidationFailed):
        transfer_case(loop.w.uow(), cid, "110", " ", loop.w.actor("operator"), loop.clock.now(), POLICY)
    loop.act("dispatcher", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    with pytest.raises(InvalidTransition):  # a unit has it in hand: it is returned first
        _transfer(loop, cid)
    assert loop.case(cid).status == CaseStatus.DISPATCHED.value


def test_the_outcome_is_recorded_once_however_often_it_is_sent(loop: Loop) -> None:
    cid = loop.report()
    tid = _transfer(loop, cid, target="12345-other-city")
    op = loop.w.actor("operator")
    doc = export_case(loop.w.uow(), tid, op, POLICY)
    outcome = {
        "format": OUTCOME_FORMAT,
        "version": 1,
        "transfer_ref": doc["transfer_ref"],
        "receiver": "kaifeng",
        "receiver_ref": "20250926-Q3ZP8D",
        "status": "closed",
        "outcome": "已结案: 已退费",
        "reported_at": loop.clock.now().isoformat(),
    }
    assert record_outcome(loop.w.uow(), outcome, op, loop.clock.now()) == (cid, True)
    assert record_outcome(loop.w.uow(), outcome, op, loop.clock.now()) == (cid, False)
    loop.clock.advance(timedelta(days=1))
    assert record_outcome(loop.w.uow(), {**outcome, "outcome": "重新办结"}, op, loop.clock.now()) == (cid, True)
    kinds = [e.event_type for e in loop.events(cid)]
    assert kinds.count("transfer_outcome_reported") == 2 and loop.case(cid).status == "transferred"
    with pytest.raises(TransferNotFound):
        record_outcome(loop.w.uow(), {**outcome, "transfer_ref": "zhengzhou:nope"}, op, loop.clock.now())
    assert record_outcome_by_hand(loop.w.uow(), tid, "电话反馈: 已处理", op, loop.clock.now()) is True
    assert loop.chain_problem(cid) is None
