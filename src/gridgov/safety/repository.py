"""The SQL adapters: the safety repository (every event it writes is queued as a leaf of the city's log under
its stream), the state each stream's leaf commits to, and the unit of work that binds the repository to the
shared one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Date, Integer, String, and_, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.log import state_of
from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.cases.bound import CaseLoopBoundUnitOfWork
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.errors import DuplicateKey
from gridgov.safety.domain import HazardStatus, PlaceStatus, PlanRule, Slot
from gridgov.safety.events import HAZARD_STREAM, PLACE_STREAM, PLAN_STREAM
from gridgov.safety.models import (
    SafetyEvent,
    SafetyHazard,
    SafetyInspection,
    SafetyPhoto,
    SafetyPlace,
    SafetyPlanRun,
    SafetyTask,
)
from gridgov.units.models import GridAssignment, Unit

STATE_VERSION = "s"
# the columns each stream's leaf commits to (the row as the event's transaction left it; no personal data)
STATE_COLUMNS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    PLACE_STREAM: (
        SafetyPlace,
        (
            "id", "code", "name", "type_code", "place_group", "grid_code", "risk", "status", "merged_into_id",
            "closed_on", "generated", "event_count", "last_event_hash",
        ),
    ),
    HAZARD_STREAM: (
        SafetyHazard,
        (
            "id", "code", "place_id", "item_code", "grade", "status", "rectify_due_at", "due_at", "fixed_on_spot",
            "funds", "time_limit", "supervised", "rectified_at", "reviews", "closed_at", "on_time",
            "escalation_level", "repeat_count", "recurrence_of_id", "case_id", "event_count", "last_event_hash",
        ),
    ),
    PLAN_STREAM: (SafetyPlanRun, ("id", "code", "plan_code", "period", "tasks", "event_count", "last_event_hash")),
}  # fmt: skip


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def state_function(stream: str) -> Callable[[Session, Sequence[int], Mapping[int, bytes]], dict[str, Any]]:
    model, columns = STATE_COLUMNS[stream]
    attrs = [getattr(model, c) for c in columns]

    def states(session: Session, ids: Sequence[int], salts: Mapping[int, bytes]) -> dict[Any, str]:
        out: dict[Any, str] = {}
        for chunk in _chunks(ids):
            for row in session.execute(select(*attrs).where(model.id.in_(chunk))).mappings():
                state = state_of([(c, row[c]) for c in columns], [], [], salts[row["id"]])
                out[row["id"]] = f"{STATE_VERSION}.{state.text()}"
        return out

    return states


class SqlSafetyRepository:
    def __init__(self, session: Session, log: AuditLog | None = None) -> None:
        self.session = session
        self.log = log

    def _queue(self, stream: str, subject: Callable[[], int | None], seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf(stream, subject, seq, event_hash))

    def _flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    # -- places --
    def place(self, place_id: int) -> SafetyPlace | None:
        return self.session.execute(
            select(SafetyPlace).where(SafetyPlace.id == place_id).with_for_update()
        ).scalar_one_or_none()

    def codes_taken(self, codes: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for i in range(0, len(codes), 500):
            chunk = list(codes[i : i + 500])
            out.update(self.session.scalars(select(SafetyPlace.code).where(SafetyPlace.code.in_(chunk))))
        return out

    def add_places(self, places: Sequence[tuple[SafetyPlace, SafetyEvent]]) -> None:
        self.session.add_all([p for p, _ in places])
        self._flush()
        for place, event in places:
            event.subject_id = place.id
            self.add_event(event)

    def add_event(self, event: SafetyEvent) -> None:
        self.session.add(event)
        sid = event.subject_id
        self._queue(event.stream, lambda: sid, event.seq, event.hash)

    # -- plans and tasks --
    def plan_run(self, plan_code: str, period: str) -> SafetyPlanRun | None:
        return self.session.execute(
            select(SafetyPlanRun).where(SafetyPlanRun.plan_code == plan_code, SafetyPlanRun.period == period)
        ).scalar_one_or_none()

    def add_plan_run(self, run: SafetyPlanRun) -> None:
        self.session.add(run)
        self._flush()

    def generate_tasks(
        self, run_id: int, plan: PlanRule, period: str, type_codes: Sequence[str], rounds: Sequence[Slot]
    ) -> int:
        p = SafetyPlace
        where = [p.status == PlaceStatus.OPEN.value]
        if plan.group is not None:
            where.append(p.place_group == plan.group.value)
        if plan.risk is not None:
            where.append(p.risk == plan.risk.value)
        if type_codes:
            where.append(p.type_code.in_(list(type_codes)))
        worker = (
            select(func.min(GridAssignment.user_id)).where(GridAssignment.grid_code == p.grid_code).scalar_subquery()
        )
        made = 0
        dialect = self.session.get_bind().dialect.name
        upsert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
        columns = ["run_id", "plan_code", "period", "slot", "place_id", "grid_code", "assignee_id", "due_on", "status"]
        for slot in rounds:
            t = SafetyTask
            rows = select(
                literal(run_id, Integer),
                literal(plan.code, String),
                literal(period, String),
                literal(slot.key, String),
                p.id,
                p.grid_code,
                worker,
                literal(slot.due, Date),
                literal("open", String),
            ).where(and_(*where))
            # a task that exists already stays as it is: the unique key decides, not an anti-join whose plan
            # depends on statistics the rows inserted in this transaction have not reached yet
            stmt = (
                upsert(t)
                .from_select(columns, rows)
                .on_conflict_do_nothing(index_elements=["plan_code", "slot", "place_id"])
            )
            if dialect == "postgresql":  # the rows made, counted where they are made
                inserted = stmt.returning(t.id).cte("inserted")
                made += self.session.scalar(select(func.count()).select_from(inserted)) or 0
            else:  # SQLite counts the rows an INSERT … SELECT changed
                made += int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]
        return made

    def task(self, task_id: int) -> SafetyTask | None:
        return self.session.get(SafetyTask, task_id)

    def open_task(self, place_id: int, on: date) -> SafetyTask | None:
        rows = self.session.scalars(
            select(SafetyTask)
            .where(SafetyTask.place_id == place_id, SafetyTask.status == "open", SafetyTask.due_on >= on)
            .order_by(SafetyTask.due_on, SafetyTask.id)
            .limit(1)
        )
        return rows.first()

    # -- inspections, hazards, photos --
    def inspection_by_key(self, client_key: str) -> SafetyInspection | None:
        return self.session.execute(
            select(SafetyInspection).where(SafetyInspection.client_key == client_key)
        ).scalar_one_or_none()

    def add_inspection(self, inspection: SafetyInspection) -> None:
        self.session.add(inspection)
        self._flush()

    def hazard(self, hazard_id: int) -> SafetyHazard | None:
        return self.session.execute(
            select(SafetyHazard).where(SafetyHazard.id == hazard_id).with_for_update()
        ).scalar_one_or_none()

    def open_hazard(self, place_id: int, item_code: str) -> SafetyHazard | None:
        return self.session.scalars(
            select(SafetyHazard)
            .where(
                SafetyHazard.place_id == place_id,
                SafetyHazard.item_code == item_code,
                SafetyHazard.status != HazardStatus.CLOSED.value,
            )
            .order_by(SafetyHazard.id)
            .limit(1)
            .with_for_update()
        ).first()

    def last_closed_hazard(self, place_id: int, item_code: str, since: datetime) -> SafetyHazard | None:
        return self.session.scalars(
            select(SafetyHazard)
            .where(
                SafetyHazard.place_id == place_id,
                SafetyHazard.item_code == item_code,
                SafetyHazard.status == HazardStatus.CLOSED.value,
                SafetyHazard.closed_at >= since,
            )
            .order_by(SafetyHazard.closed_at.desc())
            .limit(1)
        ).first()

    def add_hazard(self, hazard: SafetyHazard, events: Sequence[SafetyEvent]) -> None:
        self.session.add(hazard)
        self._flush()
        for event in events:
            event.subject_id = hazard.id
            self.add_event(event)

    def hazard_by_case(self, case_id: int) -> SafetyHazard | None:
        return self.session.execute(select(SafetyHazard).where(SafetyHazard.case_id == case_id)).scalar_one_or_none()

    def overdue_hazards(self, now: datetime, below_level: int, limit: int) -> Sequence[int]:
        return list(
            self.session.scalars(
                select(SafetyHazard.id)
                .where(
                    SafetyHazard.status != HazardStatus.CLOSED.value,
                    SafetyHazard.due_at < now,
                    SafetyHazard.escalation_level < below_level,
                )
                .order_by(SafetyHazard.due_at)
                .limit(limit)
            )
        )

    def add_photo(self, photo: SafetyPhoto) -> None:
        self.session.add(photo)
        self._flush()

    # -- who --
    def bureau_units(self, district_code: str, key: str) -> frozenset[int]:
        codes = [f"{district_code}-{key}", f"{district_code[:4]}-{key}"]
        return frozenset(self.session.scalars(select(Unit.id).where(Unit.code.in_(codes))))

    def grid_workers(self, grid_code: str) -> frozenset[int]:
        return frozenset(
            self.session.scalars(select(GridAssignment.user_id).where(GridAssignment.grid_code == grid_code))
        )


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    """The shared SQL unit of work (gridgov.uow.SqlUnitOfWork) as seen from here: its session and its log."""

    session: Session


class SqlSafetyUnitOfWork(CaseLoopBoundUnitOfWork):
    """The shared SQL unit of work from the container with the safety repository bound to its session and its
    log: one transaction, the same SQLite write lock, the same after-commit hooks; the case loop's repositories
    are the shared unit's own (a referred hazard is a case)."""

    safety: SqlSafetyRepository

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        log = self._base.audit
        states = getattr(log, "states", None)
        if isinstance(states, dict):  # the SQL log: the state each stream's leaf commits to
            for stream in STATE_COLUMNS:
                states.setdefault(stream, state_function(stream))
        self.safety = SqlSafetyRepository(self._base.session, log)
