"""The SQL adapters: the admin record (every event it writes is queued as a leaf of the city's log) and the
admin unit of work over the shared one (gridgov.transaction.BoundUnitOfWork)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.ports import UserRepository
from gridgov.admin.events import STREAM
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.audit.domain import GENESIS
from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.cases.domain import CaseStatus, StatusKind, TaskStatus
from gridgov.cases.models import Case, CaseTask
from gridgov.errors import NotFound
from gridgov.geo.geojson import ParsedGrids
from gridgov.geo.services import activate_in, store_grid_version
from gridgov.grids.models import GridVersion
from gridgov.transaction import BoundUnitOfWork
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit
from gridgov.units.ports import UnitAdminStore, UnitRepository


class SqlAdminRepository:
    def __init__(self, session: Session, log: AuditLog | None = None) -> None:
        self.session = session
        self.log = log

    def subject(self, kind: str, ref: str) -> AdminSubject:
        stmt = select(AdminSubject).where(AdminSubject.kind == kind, AdminSubject.ref == ref)
        found = self.session.execute(stmt.with_for_update()).scalar_one_or_none()
        if found is None:
            found = AdminSubject(kind=kind, ref=ref, event_count=0, last_event_hash=GENESIS)
            self.session.add(found)
            self.session.flush()
        return found

    def add_event(self, event: AdminEvent) -> None:
        self.session.add(event)
        sid = event.subject_id
        if self.log is not None:
            self.log.queue(PendingLeaf(STREAM, lambda: sid, event.seq, event.hash))

    def tokens_of(self, user_id: int) -> Sequence[ApiToken]:
        return list(self.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def unit_load(self, unit_id: int) -> dict[str, int]:
        """What still hangs on a unit: active users, rules naming it, active child units, open cases it owns and
        open tasks it holds."""
        open_cases = [st.value for st in CaseStatus if st.kind is StatusKind.OPEN]
        open_tasks = [TaskStatus.PENDING.value, TaskStatus.ACCEPTED.value]

        def count(stmt: Any) -> int:
            return int(self.session.execute(stmt).scalar_one())

        return {
            "users": count(select(func.count()).where(User.unit_id == unit_id, User.active.is_(True))),
            "rules": count(select(func.count()).where(ResponsibilityRule.unit_id == unit_id)),
            "children": count(select(func.count()).where(Unit.parent_id == unit_id, Unit.active.is_(True))),
            "cases": count(select(func.count()).where(Case.owner_unit_id == unit_id, Case.status.in_(open_cases))),
            "tasks": count(select(func.count()).where(CaseTask.unit_id == unit_id, CaseTask.status.in_(open_tasks))),
        }

    def move_unit_load(self, from_id: int, into_id: int) -> dict[str, int]:
        """A merge: the users, rules and child units of one unit go to another; how many of each."""
        moved = {}
        for name, table, column in (
            ("users", User, User.unit_id),
            ("rules", ResponsibilityRule, ResponsibilityRule.unit_id),
            ("children", Unit, Unit.parent_id),
        ):
            result = self.session.execute(update(table).where(column == from_id).values({column.key: into_id}))
            moved[name] = int(getattr(result, "rowcount", 0) or 0)
        return moved

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        """Whether `unit_id` is `ancestor_id` or lies under it (a move may not make a loop)."""
        seen: set[int] = set()
        current: int | None = unit_id
        while current is not None and current not in seen:
            if current == ancestor_id:
                return True
            seen.add(current)
            unit = self.session.get(Unit, current)
            current = unit.parent_id if unit else None
        return False

    def add_unit(self, unit: Unit) -> None:
        self.session.add(unit)
        self.session.flush()

    def grids_of(self, user_id: int) -> list[str]:
        stmt = select(GridAssignment.grid_code).where(GridAssignment.user_id == user_id)
        return sorted(self.session.scalars(stmt))

    def set_grids(self, user_id: int, codes: Sequence[str]) -> None:
        self.session.execute(delete(GridAssignment).where(GridAssignment.user_id == user_id))
        self.session.add_all([GridAssignment(user_id=user_id, grid_code=c) for c in codes])


class SqlGridFiles:
    def __init__(self, session: Session) -> None:
        self.session = session

    def store(self, parsed: ParsedGrids, name: str, now: datetime, activate: bool) -> tuple[int, dict[int, int]]:
        return store_grid_version(self.session, parsed, name, now, activate)

    def activate(self, version_id: int, now: datetime) -> int | None:
        if self.session.get(GridVersion, version_id) is None:
            raise NotFound(f"网格版本不存在: {version_id}", field="version_id")
        before = self.session.scalars(select(GridVersion.id).where(GridVersion.active.is_(True))).first()
        activate_in(self.session, version_id, now)
        return before

    def name_of(self, version_id: int) -> str | None:
        version = self.session.get(GridVersion, version_id)
        return version.name if version else None


class SqlAdminUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work with the admin record bound to its session and its log."""

    admin: SqlAdminRepository
    grid_files: SqlGridFiles

    def _bind(self) -> None:
        base: Any = self._base
        self.admin = SqlAdminRepository(base.session, base.audit)
        self.grid_files = SqlGridFiles(base.session)

    @property
    def users(self) -> UserRepository:
        users: UserRepository = getattr(self._base, "users")  # noqa: B009
        return users

    @property
    def units(self) -> UnitRepository:
        units: UnitRepository = getattr(self._base, "units")  # noqa: B009
        return units

    @property
    def unit_admin(self) -> UnitAdminStore:
        store: UnitAdminStore = getattr(self._base, "unit_admin")  # noqa: B009
        return store
