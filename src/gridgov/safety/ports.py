"""What the safety services need from storage: the repository, and the unit of work that holds it beside the
case loop's repositories (a referred hazard is a case) in one transaction. The feature's errors live in
domain.py (the guards return them) and are re-exported here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from gridgov.cases.ports import CasesUnitOfWork
from gridgov.safety.domain import (
    HazardNotFound,
    ImportRefused,
    InspectionRefused,
    NotPermitted,
    PlaceNotFound,
    PlanRefused,
    PlanRule,
    Slot,
    TaskNotFound,
    UnknownPlan,
)
from gridgov.safety.models import (
    SafetyEvent,
    SafetyHazard,
    SafetyInspection,
    SafetyPhoto,
    SafetyPlace,
    SafetyPlanRun,
    SafetyTask,
)

__all__ = [
    "HazardNotFound",
    "ImportRefused",
    "InspectionRefused",
    "NotPermitted",
    "PlaceNotFound",
    "PlanRefused",
    "SafetyRepository",
    "SafetyUnitOfWork",
    "TaskNotFound",
    "UnknownPlan",
]


class SafetyRepository(Protocol):
    # places
    def place(self, place_id: int) -> SafetyPlace | None:
        """The place to change, its row locked until the transaction ends."""
        ...

    def codes_taken(self, codes: Sequence[str]) -> set[str]: ...
    def add_places(self, places: Sequence[tuple[SafetyPlace, SafetyEvent]]) -> None: ...
    def add_event(self, event: SafetyEvent) -> None:
        """An event of a subject that exists (its leaf is queued in the city's log)."""
        ...

    # plans and tasks
    def plan_run(self, plan_code: str, period: str) -> SafetyPlanRun | None: ...
    def add_plan_run(self, run: SafetyPlanRun) -> None: ...
    def generate_tasks(
        self, run_id: int, plan: PlanRule, period: str, type_codes: Sequence[str], rounds: Sequence[Slot]
    ) -> int:
        """One open task per round for every open place the plan selects, to the grid worker of its grid; a task
        that exists already is left as it is. Returns how many were made."""
        ...

    def task(self, task_id: int) -> SafetyTask | None: ...
    def open_task(self, place_id: int, on: date) -> SafetyTask | None:
        """The open task of the place whose round is nearest to `on` (the inspection done for it)."""
        ...

    # inspections, hazards, photos
    def inspection_by_key(self, client_key: str) -> SafetyInspection | None: ...
    def add_inspection(self, inspection: SafetyInspection) -> None: ...
    def hazard(self, hazard_id: int) -> SafetyHazard | None:
        """The hazard to change, its row locked until the transaction ends."""
        ...

    def open_hazard(self, place_id: int, item_code: str) -> SafetyHazard | None: ...
    def last_closed_hazard(self, place_id: int, item_code: str, since: datetime) -> SafetyHazard | None: ...
    def add_hazard(self, hazard: SafetyHazard, events: Sequence[SafetyEvent]) -> None: ...
    def hazard_by_case(self, case_id: int) -> SafetyHazard | None: ...
    def overdue_hazards(self, now: datetime, below_level: int, limit: int) -> Sequence[int]: ...
    def add_photo(self, photo: SafetyPhoto) -> None: ...

    # who
    def bureau_units(self, district_code: str, key: str) -> frozenset[int]:
        """The bureau (department key `key`) of the district and the city's department."""
        ...

    def grid_workers(self, grid_code: str) -> frozenset[int]: ...


class SafetyUnitOfWork(CasesUnitOfWork, Protocol):
    """The safety repository and the case loop's, in one transaction."""

    @property
    def safety(self) -> SafetyRepository: ...
