"""The case feature's ports: what its services need from storage and from the world outside."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gridgov.accounts.ports import UserRepository
from gridgov.audit.ports import AuditLog
from gridgov.cases.models import Case, CaseEvent, CaseSupervision, CaseTask
from gridgov.categories.ports import CategoryRepository
from gridgov.classify.models import CategoryLabel
from gridgov.grids.ports import GridRepository
from gridgov.transaction import Transaction
from gridgov.units.ports import UnitRepository


@dataclass(slots=True)
class AlarmRow:
    """The columns the deadline scanner reads and writes, as a plain (mutable) snapshot of one case."""

    id: int
    tracking_code: str
    status: str
    owner_unit_id: int | None
    clock_start: datetime | None
    clock_due: datetime | None
    clock_unit: str | None
    alarm_level: str
    escalation_level: int
    escalated_to_unit_id: int | None
    next_alarm_at: datetime | None
    event_count: int
    last_event_hash: str
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class PoolCase:
    """An open case that a new one might duplicate."""

    id: int
    tracking_code: str
    title: str
    description: str
    created_at: datetime
    lat: float | None
    lon: float | None
    grid_code: str | None


class CaseRepository(Protocol):
    def add(self, case: Case, first_event: CaseEvent) -> None: ...
    def get(self, case_id: int) -> Case | None: ...
    def many(self, case_ids: Sequence[int]) -> Sequence[Case]: ...
    def by_idempotency_key(self, key: str) -> Case | None: ...
    def tasks(self, case_id: int) -> Sequence[CaseTask]: ...
    def add_task(self, task: CaseTask) -> None: ...
    def add_event(self, event: CaseEvent) -> None: ...
    def children(self, case_id: int) -> Sequence[Case]: ...
    def due_alarm_rows(self, now: datetime, limit: int, after: tuple[datetime, int] | None) -> list[AlarmRow]: ...
    def alarm_row(self, case_id: int) -> AlarmRow | None: ...
    def save_alarm_rows(self, rows: Sequence[AlarmRow]) -> None: ...
    def insert_event_rows(self, rows: Sequence[dict[str, Any]]) -> None: ...
    def duplicate_pool(
        self, since: datetime, box: tuple[float, float, float, float] | None, street_prefix: str | None, limit: int
    ) -> list[PoolCase]: ...
    def add_label(self, label: CategoryLabel) -> None: ...
    def not_enriched(self, before: datetime, limit: int) -> list[int]: ...
    def save_enrichment(self, case_id: int, read_event_count: int, values: Mapping[str, Any]) -> None: ...
    # 督办/催办 (issue 15)
    def open_supervision(self, case_id: int) -> CaseSupervision | None: ...
    def add_supervision(self, supervision: CaseSupervision) -> None: ...
    def get_supervision(self, supervision_id: int) -> CaseSupervision | None: ...
    def due_supervisions(self, now: datetime, limit: int) -> list[int]: ...
    def primary_tasks(self, case_ids: Sequence[int]) -> dict[int, tuple[int, int]]: ...
    def urged(self, task_ids: Sequence[int]) -> set[tuple[int, str]]: ...
    def add_urges(self, rows: Sequence[dict[str, Any]]) -> None: ...


class CasesUnitOfWork(Transaction, Protocol):
    """The repositories the case services use, in one transaction."""

    @property
    def audit(self) -> AuditLog: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def units(self) -> UnitRepository: ...

    @property
    def categories(self) -> CategoryRepository: ...

    @property
    def grids(self) -> GridRepository: ...

    @property
    def users(self) -> UserRepository: ...

    def enqueue(self, task: str, **args: Any) -> None:
        """A background job (gridgov.jobs) written in this transaction: it exists only if the transaction commits."""
        ...
