"""The SQL adapters: the project repository (every event it writes is queued as a leaf of the city's log), the
state a project's leaf commits to, and the unit of work that adds the repository to the shared one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.audit.sql import row_states
from gridgov.cases.bound import CaseLoopBoundUnitOfWork
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.errors import DuplicateKey
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion
from gridgov.projects.events import STREAM
from gridgov.projects.models import (
    Project,
    ProjectAdjustment,
    ProjectBlocker,
    ProjectEvent,
    ProjectEvidence,
    ProjectInvestment,
    ProjectPhase,
)
from gridgov.projects.ports import District

STATE_VERSION = "p"  # the log keeps 100 characters: "p." and the three 32-character digests with their dots
# the columns a project's leaf commits to (its row as the event's transaction left it; no personal data)
STATE_COLUMNS = (
    "id",
    "code",
    "name",
    "investor",
    "district_code",
    "sector",
    "total_investment",
    "annual_investment",
    "funding",
    "size_band",
    "attracted",
    "leader",
    "responsible_unit",
    "status",
    "signed_phase",
    "signed_on",
    "honoured_on",
    "started_phase",
    "started_on",
    "producing_phase",
    "producing_on",
    "effective_on",
    "withdrawn_on",
    "generated",
    "event_count",
    "last_event_hash",
)
_STATE_SELECT = [getattr(Project, c) for c in STATE_COLUMNS]


project_states = row_states(STATE_VERSION, _STATE_SELECT)  # the state each project's leaves commit to


class SqlProjectRepository:
    def __init__(self, session: Session, log: AuditLog | None = None) -> None:
        self.session = session
        self.log = log

    def _queue(self, project_id: Callable[[], int | None], seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf(STREAM, project_id, seq, event_hash))

    def get(self, project_id: int) -> Project | None:
        """The project to change, its row locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
        return self.session.execute(
            select(Project).where(Project.id == project_id).with_for_update()
        ).scalar_one_or_none()

    def code_taken(self, code: str) -> bool:
        return self.session.execute(select(Project.id).where(Project.code == code)).first() is not None

    def add(self, project: Project, first_event: ProjectEvent) -> None:
        self.add_many([(project, [first_event])])

    def add_many(self, projects: Sequence[tuple[Project, Sequence[ProjectEvent]]]) -> None:
        """New projects, each with its events (the rows already hold their chains' heads)."""
        self.session.add_all([p for p, _ in projects])
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc
        for project, events in projects:
            pid = project.id
            for event in events:
                event.project_id = pid
                self.session.add(event)
                self._queue(lambda pid=pid: pid, event.seq, event.hash)  # type: ignore[misc]

    def add_event(self, event: ProjectEvent) -> None:
        self.session.add(event)
        pid = event.project_id
        self._queue(lambda: pid, event.seq, event.hash)

    def phase(self, number: int) -> ProjectPhase | None:
        return self.session.execute(select(ProjectPhase).where(ProjectPhase.number == number)).scalar_one_or_none()

    def phases(self) -> Sequence[ProjectPhase]:
        return list(self.session.execute(select(ProjectPhase).order_by(ProjectPhase.number)).scalars())

    def add_phase(self, phase: ProjectPhase) -> None:
        self.session.add(phase)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    def districts(self) -> dict[str, District]:
        version = self.session.execute(select(GridVersion.id).where(GridVersion.active)).scalar()
        if version is None:
            return {}
        rows = self.session.execute(
            select(Grid.code, Grid.name).where(Grid.version_id == version, Grid.level == int(GridLevel.DISTRICT))
        )
        return {code[:6]: District(code[:6], name, code) for code, name in rows}

    def add_evidence(self, evidence: ProjectEvidence) -> None:
        self.session.add(evidence)
        self.session.flush()

    def evidence(self, project_id: int, ids: Sequence[int]) -> Sequence[ProjectEvidence]:
        if not ids:
            return []
        stmt = select(ProjectEvidence).where(ProjectEvidence.project_id == project_id, ProjectEvidence.id.in_(ids))
        return list(self.session.execute(stmt).scalars())

    def add_blocker(self, blocker: ProjectBlocker) -> None:
        self.session.add(blocker)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    def blocker_by_case(self, case_id: int) -> ProjectBlocker | None:
        return self.session.execute(
            select(ProjectBlocker).where(ProjectBlocker.case_id == case_id)
        ).scalar_one_or_none()

    def save_investment(self, project_id: int, year: int, month: int, amount: int, at: object) -> int | None:
        row = self.session.execute(
            select(ProjectInvestment).where(
                ProjectInvestment.project_id == project_id,
                ProjectInvestment.year == year,
                ProjectInvestment.month == month,
            )
        ).scalar_one_or_none()
        assert isinstance(at, datetime)
        if row is None:
            self.session.add(
                ProjectInvestment(project_id=project_id, year=year, month=month, amount=amount, reported_at=at)
            )
            return None
        before, row.amount, row.reported_at = row.amount, amount, at
        return before

    def add_investments(self, rows: Sequence[tuple[int, int, int, int]], at: datetime) -> None:
        if rows:
            self.session.execute(
                insert(ProjectInvestment),
                [{"project_id": p, "year": y, "month": m, "amount": a, "reported_at": at} for p, y, m, a in rows],
            )

    def adjustment(self, year: int) -> ProjectAdjustment | None:
        return self.session.execute(
            select(ProjectAdjustment).where(ProjectAdjustment.year == year)
        ).scalar_one_or_none()

    def add_adjustment(self, adjustment: ProjectAdjustment) -> None:
        self.session.add(adjustment)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    """The shared SQL unit of work (gridgov.uow.SqlUnitOfWork) as seen from here: its session and its log."""

    session: Session


class SqlProjectsUnitOfWork(CaseLoopBoundUnitOfWork):
    """The shared SQL unit of work from the container with the project repository bound to its session and its
    log: one transaction, the same SQLite write lock, the same after-commit hooks; the case loop's repositories
    are the shared unit's own (a blocker is a case)."""

    projects: SqlProjectRepository

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        log = self._base.audit
        states = getattr(log, "states", None)
        if isinstance(states, dict):  # the SQL log: the state a project's leaf commits to
            states.setdefault(STREAM, project_states)
        self.projects = SqlProjectRepository(self._base.session, log)
