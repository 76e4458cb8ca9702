"""Case storage: the protocol services use, and its SQLAlchemy version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, inspect, literal, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapper, Session

from gridgov.cases.domain import StatusKind, statuses_of_kind
from gridgov.cases.models import WRITTEN_EVENTS, Case, CaseEvent, CaseSupervision, CaseTask, CaseUrge
from gridgov.cases.ports import AlarmRow, CaseRepository, PoolCase
from gridgov.classify.models import CategoryLabel
from gridgov.db import UTCDateTime
from gridgov.errors import Conflict, DuplicateKey

ALARM_COLUMNS = tuple(AlarmRow.__dataclass_fields__)
WRITTEN = (
    "alarm_level",
    "escalation_level",
    "escalated_to_unit_id",
    "next_alarm_at",
    "event_count",
    "last_event_hash",
    "updated_at",
)
ENRICHED = (  # what the enricher writes (SqlCaseRepository.save_enrichment); never the version
    "suggested_category_code",
    "suggestion_confidence",
    "suggestion_source",
    "suggestion_model",
    "suggestions",
    "duplicate_candidates",
    "needs_review",
    "enriched_at",
    "category_code",
    "category_source",
    "event_count",
    "last_event_hash",
    "updated_at",
)


def _set_columns(row: Case | CaseEvent) -> dict[str, Any]:
    """The column values set on a new ORM row (the columns' own defaults fill the rest at the INSERT)."""
    state = vars(row)
    mapper: Mapper[Any] = inspect(type(row))
    return {a.columns[0].key: state[a.key] for a in mapper.column_attrs if a.key in state}


def _by_keys(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by the columns they set, in order: one multi-row INSERT per group (usually one)."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._reserved = 0  # SQLite: the highest id handed out by reserve_ids in this transaction

    def reserve_ids(self, n: int) -> list[int]:
        """`n` ids for new cases written later with `insert_new` (gridgov.groupcommit), in one round trip.
        PostgreSQL draws them from the id sequence (an id not used is a gap, as after any rollback); SQLite,
        whose writer holds the database's write lock for the whole transaction, counts on from the highest."""
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = select(func.nextval(func.pg_get_serial_sequence("cases", "id"))).select_from(
                func.generate_series(1, n)
            )
            return [int(i) for i in self.session.scalars(stmt)]
        top = max(self._reserved, self.session.scalar(select(func.coalesce(func.max(Case.id), 0))) or 0)
        self._reserved = top + n
        return list(range(top + 1, top + n + 1))

    def insert_new(self, rows: Sequence[tuple[Case, CaseEvent]]) -> set[int]:
        """Write new cases (their ids already reserved) and their first events with one multi-row INSERT each,
        not one ORM flush per case. A case whose idempotency key (or tracking code) is taken is left out,
        with its event: the ids of the cases written come back."""
        if not rows:
            return set()
        table = Case.__table__
        dialect_insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        written: set[int] = set()
        for part in _by_keys([_set_columns(case) for case, _ in rows]):
            stmt = dialect_insert(table).on_conflict_do_nothing().returning(table.c.id)  # type: ignore[arg-type]
            written.update(self.session.scalars(stmt, part))
        events = [_set_columns(event) for case, event in rows if case.id in written]
        for part in _by_keys(events):
            self.session.execute(insert(CaseEvent.__table__), part)  # type: ignore[arg-type]
        self.session.info.setdefault(WRITTEN_EVENTS, {}).update(
            {(e["case_id"], e["seq"]): e["event_type"] for e in events}
        )
        return written

    def add(self, case: Case, first_event: CaseEvent) -> None:
        """Insert a new case with its first event (the case row already holds the chain's head)."""
        self.session.add(case)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc
        first_event.case_id = case.id
        self.session.add(first_event)

    def get(self, case_id: int) -> Case | None:
        """The case to act on, its row locked until the transaction ends (PostgreSQL; on SQLite the writer
        lock already serialises): an action never works from a chain head that another writer moves meanwhile."""
        return self.session.get(Case, case_id, with_for_update=True)

    def many(self, case_ids: Sequence[int]) -> Sequence[Case]:
        """The cases to enrich, locked in id order (as `get`)."""
        stmt = select(Case).where(Case.id.in_(list(case_ids))).order_by(Case.id).with_for_update()
        return self.session.scalars(stmt).all()

    def save_enrichment(self, case_id: int, read_event_count: int, values: Mapping[str, Any]) -> None:
        """The enricher's write: the proposal and the classify event's chain head in one UPDATE that leaves the
        version alone (a person's action on the version they saw is never refused for it). Guarded by the head
        that was read, and a filled category by "still none and still reported": Conflict when refused, so
        nothing a person did is overwritten."""
        unknown = set(values) - set(ENRICHED)
        if unknown:
            raise ValueError(f"not an enrichment column: {sorted(unknown)}")
        table = Case.__table__
        stmt = update(table).where(table.c.id == case_id, table.c.event_count == read_event_count)  # type: ignore[arg-type]
        if "category_code" in values:
            stmt = stmt.where(table.c.category_code.is_(None), table.c.status == "reported")
        if self.session.execute(stmt.values(dict(values))).rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict()

    def by_idempotency_key(self, key: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.idempotency_key == key)).first()

    def tasks(self, case_id: int) -> Sequence[CaseTask]:
        return self.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.id)).all()

    def add_task(self, task: CaseTask) -> None:
        self.session.add(task)
        self.session.flush()

    def add_event(self, event: CaseEvent) -> None:
        self.session.add(event)

    def children(self, case_id: int) -> Sequence[Case]:
        return self.session.scalars(select(Case).where(Case.parent_case_id == case_id).order_by(Case.id)).all()

    def _alarm_select(self) -> Select[Any]:
        return select(*(getattr(Case, c) for c in ALARM_COLUMNS))

    def due_alarm_rows(self, now: datetime, limit: int, after: tuple[datetime, int] | None) -> list[AlarmRow]:
        """Open cases whose next alarm is due, in (next_alarm_at, id) order after the keyset `after`
        (the index on (next_alarm_at, id) serves both the range and the order)."""
        open_statuses = [s.value for s in statuses_of_kind(StatusKind.OPEN)]
        stmt = self._alarm_select().where(Case.next_alarm_at <= now, Case.status.in_(open_statuses))
        if after is not None:
            stmt = stmt.where(tuple_(Case.next_alarm_at, Case.id) > tuple_(literal(after[0], UTCDateTime()), after[1]))
        rows = self.session.execute(stmt.order_by(Case.next_alarm_at, Case.id).limit(limit)).all()
        return [AlarmRow(*r) for r in rows]

    def alarm_row(self, case_id: int) -> AlarmRow | None:
        row = self.session.execute(self._alarm_select().where(Case.id == case_id)).first()
        return AlarmRow(*row) if row is not None else None

    def save_alarm_rows(self, rows: Sequence[AlarmRow]) -> None:
        """One UPDATE per row, sent as a batch, each guarded by the row's version; raises Conflict when a
        row changed since it was read (nothing of the transaction is then kept)."""
        if not rows:
            return
        stmt = (
            update(Case.__table__)  # type: ignore[arg-type]
            .where(Case.__table__.c.id == bindparam("b_id"), Case.__table__.c.version == bindparam("b_version"))
            .values({**{c: bindparam(f"b_{c}") for c in WRITTEN}, "version": bindparam("b_version") + 1})
        )
        params = [{"b_id": r.id, "b_version": r.version, **{f"b_{c}": getattr(r, c) for c in WRITTEN}} for r in rows]
        result = self.session.execute(stmt, params)
        if result.rowcount != len(rows):  # type: ignore[attr-defined]
            raise Conflict()

    def insert_event_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append events given as column values, in one batched INSERT."""
        if rows:
            self.session.execute(insert(CaseEvent.__table__), list(rows))  # type: ignore[arg-type]

    def duplicate_pool(
        self, since: datetime, box: tuple[float, float, float, float] | None, street_prefix: str | None, limit: int
    ) -> list[PoolCase]:
        """Open cases reported since `since`, inside the WGS-84 box (lon/lat) or else in the same street."""
        open_statuses = [s.value for s in statuses_of_kind(StatusKind.OPEN) if s.value != "merged"]
        stmt = select(
            Case.id,
            Case.tracking_code,
            Case.title,
            Case.description,
            Case.created_at,
            Case.lat,
            Case.lon,
            Case.grid_code,
        ).where(Case.created_at >= since, Case.status.in_(open_statuses))
        if box is not None:
            min_lon, min_lat, max_lon, max_lat = box
            stmt = stmt.where(Case.lat.between(min_lat, max_lat), Case.lon.between(min_lon, max_lon))
        elif street_prefix is not None:
            stmt = stmt.where(
                Case.grid_code >= street_prefix.ljust(15, "0"), Case.grid_code <= street_prefix.ljust(15, "9")
            )
        else:
            return []
        rows = self.session.execute(stmt.order_by(Case.created_at.desc()).limit(limit)).all()
        return [PoolCase(*r) for r in rows]

    def add_label(self, label: CategoryLabel) -> None:
        self.session.add(label)

    def not_enriched(self, before: datetime, limit: int) -> list[int]:
        """Cases still waiting for their proposal (e.g. queued when the server stopped)."""
        stmt = (
            select(Case.id).where(Case.enriched_at.is_(None), Case.created_at <= before).order_by(Case.id).limit(limit)
        )
        return list(self.session.scalars(stmt))

    # -- 督办/催办 (issue 15) ---------------------------------------------------------------------------
    def open_supervision(self, case_id: int) -> CaseSupervision | None:
        stmt = select(CaseSupervision).where(CaseSupervision.case_id == case_id, CaseSupervision.status == "open")
        return self.session.scalars(stmt.order_by(CaseSupervision.id.desc())).first()

    def add_supervision(self, supervision: CaseSupervision) -> None:
        self.session.add(supervision)
        self.session.flush()

    def get_supervision(self, supervision_id: int) -> CaseSupervision | None:
        return self.session.get(CaseSupervision, supervision_id)

    def due_supervisions(self, now: datetime, limit: int) -> list[int]:
        """Open 督办 whose deadline (or next escalation) has come, oldest first."""
        stmt = (
            select(CaseSupervision.id)
            .where(CaseSupervision.status == "open", CaseSupervision.next_check_at <= now)
            .order_by(CaseSupervision.next_check_at, CaseSupervision.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def primary_tasks(self, case_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """The handling (主办) task of each case, not cancelled, the newest one: case id → (task id, unit id)."""
        out: dict[int, tuple[int, int]] = {}
        if not case_ids:
            return out
        stmt = (
            select(CaseTask.case_id, CaseTask.id, CaseTask.unit_id)
            .where(CaseTask.case_id.in_(list(case_ids)), CaseTask.role == "primary", CaseTask.status != "cancelled")
            .order_by(CaseTask.id)
        )
        for case_id, task_id, unit_id in self.session.execute(stmt):
            out[case_id] = (task_id, unit_id)
        return out

    def urged(self, task_ids: Sequence[int]) -> set[tuple[int, str]]:
        if not task_ids:
            return set()
        stmt = select(CaseUrge.task_id, CaseUrge.level).where(CaseUrge.task_id.in_(list(task_ids)))
        return {(t, lv) for t, lv in self.session.execute(stmt)}

    def add_urges(self, rows: Sequence[dict[str, Any]]) -> None:
        """One row per (task, level); a row another scan wrote first is a Conflict (the batch is redone)."""
        if not rows:
            return
        try:
            with self.session.begin_nested():
                self.session.execute(insert(CaseUrge.__table__), list(rows))  # type: ignore[arg-type]
        except IntegrityError as exc:
            raise Conflict() from exc


__all__ = ["AlarmRow", "CaseRepository", "PoolCase", "SqlCaseRepository"]
