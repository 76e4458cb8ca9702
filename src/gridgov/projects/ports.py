"""What the project services need from storage: the repository, and the unit of work that holds it beside the
case loop's repositories (a blocker is a case) in one transaction. The feature's errors live in domain.py (the
guards return them) and are re-exported here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gridgov.cases.ports import CasesUnitOfWork
from gridgov.projects.domain import (
    AdjustmentAlreadyMade,
    BelowThreshold,
    EvidenceRefused,
    ImportRefused,
    NotPermitted,
    PhaseListRefused,
    PhaseNotFound,
    ProjectNotFound,
)
from gridgov.projects.models import (
    Project,
    ProjectAdjustment,
    ProjectBlocker,
    ProjectEvent,
    ProjectEvidence,
    ProjectPhase,
)

__all__ = [
    "AdjustmentAlreadyMade",
    "BelowThreshold",
    "District",
    "EvidenceRefused",
    "ImportRefused",
    "NotPermitted",
    "PhaseListRefused",
    "PhaseNotFound",
    "ProjectNotFound",
    "ProjectRepository",
    "ProjectsUnitOfWork",
]


@dataclass(frozen=True, slots=True)
class District:
    code: str  # 6 digits (the division code)
    name: str
    grid_code: str  # its grid (15 digits) in the active version


class ProjectRepository(Protocol):
    def get(self, project_id: int) -> Project | None: ...
    def code_taken(self, code: str) -> bool: ...
    def add(self, project: Project, first_event: ProjectEvent) -> None: ...
    def add_many(self, projects: Sequence[tuple[Project, Sequence[ProjectEvent]]]) -> None: ...
    def add_event(self, event: ProjectEvent) -> None: ...
    def phase(self, number: int) -> ProjectPhase | None: ...
    def phases(self) -> Sequence[ProjectPhase]: ...
    def add_phase(self, phase: ProjectPhase) -> None: ...
    def districts(self) -> Mapping[str, District]: ...
    def add_evidence(self, evidence: ProjectEvidence) -> None: ...
    def evidence(self, project_id: int, ids: Sequence[int]) -> Sequence[ProjectEvidence]: ...
    def add_blocker(self, blocker: ProjectBlocker) -> None: ...
    def blocker_by_case(self, case_id: int) -> ProjectBlocker | None: ...
    def save_investment(self, project_id: int, year: int, month: int, amount: int, at: object) -> int | None:
        """Store the month's amount (replacing one reported before); returns the amount it replaced."""
        ...

    def add_investments(self, rows: Sequence[tuple[int, int, int, int]], at: datetime) -> None:
        """Monthly rows (project id, year, month, 万元) in bulk (generated data)."""
        ...

    def adjustment(self, year: int) -> ProjectAdjustment | None: ...
    def add_adjustment(self, adjustment: ProjectAdjustment) -> None: ...


class ProjectsUnitOfWork(CasesUnitOfWork, Protocol):
    """The projects' repository and the case loop's, in one transaction."""

    @property
    def projects(self) -> ProjectRepository: ...
