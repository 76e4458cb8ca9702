"""The update feed's status for each row of the mapping table in docs/open311.md, and what a POSTed status does."""

from __future__ import annotations

import pytest

from gridgov.cases.domain import Action, CaseStatus
from gridgov.errors import ValidationFailed
from gridgov.open311.domain import STATUS_MAP, Inbound, inbound, update_status

S = CaseStatus

# (the event's action, the status it led to, its note) → the update's status: one row of the docs' table each
ROWS = [
    (Action.REPORT_CASE, S.REPORTED, None, "open"),
    (Action.REGISTER, S.REGISTERED, None, "investigating"),
    (Action.RETURN, S.RETURNED, "不归我单位", "investigating"),
    (Action.SUSPEND, S.SUSPENDED, "等待施工", "investigating"),
    (Action.DISPATCH, S.DISPATCHED, None, "action_scheduled"),
    (Action.ACCEPT, S.ACCEPTED, None, "in_progress"),
    (Action.HANDLE, S.HANDLED, "已清理", "in_progress"),
    (Action.VERIFY, S.CLOSED, None, "fixed"),
    (Action.DIRECT_CLOSE, S.CLOSED, "已答复", "fixed"),
    (Action.EVALUATE, S.EVALUATED, None, "fixed"),
    (Action.REJECT, S.REJECTED, "不属于本市管辖", "not_councils_responsibility"),
    (Action.REJECT, S.REJECTED, "重复上报", "no_further_action"),
    (Action.MERGE, S.MERGED, None, "duplicate"),
    (Action.FOLLOW_PARENT, S.CLOSED, None, "duplicate"),
    (Action.REOPEN, S.REOPENED, "居民不满意，案件重启", "open"),
]


@pytest.mark.parametrize(("action", "status", "note", "expected"), ROWS, ids=[f"{r[0]}-{r[3]}" for r in ROWS])
def test_each_row_of_the_mapping_table(action: Action, status: CaseStatus, note: str | None, expected: str) -> None:
    assert update_status(action, status, note).value == expected


def test_every_case_status_is_mapped_and_no_rejection_reads_as_fixed() -> None:
    assert set(STATUS_MAP) == set(CaseStatus)
    for reason in (None, "", "重复上报", "不属于本市"):
        assert update_status(Action.REJECT, S.REJECTED, reason).value != "fixed"


@pytest.mark.parametrize(
    ("status", "case", "expected"),
    [
        ("OPEN", S.CLOSED, Inbound.REOPEN),
        ("REOPEN", S.CLOSED, Inbound.REOPEN),
        ("FIXED", S.CLOSED, Inbound.RESOLVED),
        ("fixed", S.CLOSED, Inbound.RESOLVED),
        ("CLOSED", S.CLOSED, Inbound.COMMENT),
        ("OPEN", S.DISPATCHED, Inbound.COMMENT),
        ("FIXED", S.ACCEPTED, Inbound.COMMENT),  # the reporter says fixed, the city still verifies
        ("REOPEN", S.EVALUATED, Inbound.COMMENT),  # already rated: the loop allows no second 回访
        ("REOPEN", S.REJECTED, Inbound.COMMENT),
        ("", S.CLOSED, Inbound.COMMENT),
        ("IN_PROGRESS", S.DISPATCHED, Inbound.COMMENT),
    ],
)
def test_what_a_posted_status_does(status: str, case: CaseStatus, expected: Inbound) -> None:
    assert inbound(status, case) is expected


def test_fixed_is_a_verdict_only_from_the_reporter() -> None:
    assert inbound("FIXED", S.CLOSED, from_reporter=True) is Inbound.RESOLVED
    assert inbound("FIXED", S.CLOSED, from_reporter=False) is Inbound.COMMENT
    assert inbound("REOPEN", S.CLOSED, from_reporter=False) is Inbound.REOPEN


def test_an_unknown_posted_status_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        inbound("DONE", S.CLOSED)
