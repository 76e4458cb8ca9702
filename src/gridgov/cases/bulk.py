"""Bulk actions from the dispatcher's queue: register, register-and-dispatch, merge into one case.

Each case is done on its own (one `apply_action` per step, each step its own transaction), so one case that
cannot be done leaves the others done; the answer says, case by case, what happened and why not. A case
registered whose dispatch is then refused stays registered, as when the steps are taken one by one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import CaseStatus
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services import CasePolicy, apply_action, build_command
from gridgov.clock import WorkingDays
from gridgov.errors import GridgovError, ValidationFailed
from gridgov.logging import get_logger

log = get_logger(__name__)

MAX_CASES = 200


class BulkAction(StrEnum):
    REGISTER = "register"
    REGISTER_DISPATCH = "register_dispatch"  # registered first where still reported, then dispatched
    MERGE = "merge"  # every case into `into_case_id`


@dataclass(frozen=True, slots=True)
class BulkResult:
    case_id: int
    ok: bool
    error_code: str | None = None
    message: str | None = None


# the case as the actor may see it (raises NotFound outside their scope): status, category_code,
# suggested_category_code
CaseLookup = Callable[[int], Mapping[str, Any]]


class _Step:
    def __init__(
        self,
        uow_factory: Callable[[], CasesUnitOfWork],
        actor: Actor,
        now: datetime,
        calendar: WorkingDays,
        policy: CasePolicy,
    ) -> None:
        self.uow_factory, self.actor, self.now, self.calendar, self.policy = uow_factory, actor, now, calendar, policy

    def __call__(self, case_id: int, action: str, params: dict[str, Any]) -> None:
        apply_action(
            self.uow_factory(), case_id, build_command(action, params), self.actor, self.now, self.calendar, self.policy
        )


def _register_dispatch(step: _Step, look: CaseLookup, case_id: int, unit_code: str | None) -> None:
    case = look(case_id)
    category = case.get("category_code") or case.get("suggested_category_code")
    if not category:  # checked before anything changes
        raise ValidationFailed("类别未定, 请打开案件选择类别后派遣", field="category_code")
    fixed = bool(case.get("category_code"))
    if case["status"] == CaseStatus.REPORTED.value:
        step(case_id, "register", {} if fixed else {"category_code": category})
        fixed = True
    params: dict[str, Any] = {} if fixed else {"category_code": category}
    if unit_code:
        params["unit_code"] = unit_code  # without one, the responsibility matrix decides
    step(case_id, "dispatch", params)


def run_bulk(
    uow_factory: Callable[[], CasesUnitOfWork],
    look: CaseLookup,
    case_ids: Sequence[int],
    action: BulkAction,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    *,
    unit_code: str | None = None,
    into_case_id: int | None = None,
) -> list[BulkResult]:
    """Do `action` to each case in turn; a refusal of one is reported and the next is tried."""
    if len(case_ids) > MAX_CASES:
        raise ValidationFailed(f"一次最多处理 {MAX_CASES} 件", field="case_ids")
    if action is BulkAction.MERGE and into_case_id is None:
        raise ValidationFailed("并案须指定主案", field="into_case_id")
    step = _Step(uow_factory, actor, now, calendar, policy)
    results: list[BulkResult] = []
    for case_id in dict.fromkeys(case_ids):
        try:
            if action is BulkAction.REGISTER:
                step(case_id, "register", {})
            elif action is BulkAction.MERGE:
                step(case_id, "merge", {"into_case_id": into_case_id})
            else:
                _register_dispatch(step, look, case_id, unit_code)
        except GridgovError as exc:
            results.append(BulkResult(case_id, False, exc.code, exc.message))
        else:
            results.append(BulkResult(case_id, True))
    log.info("case_bulk", action=action.value, cases=len(results), ok=sum(r.ok for r in results))
    return results
