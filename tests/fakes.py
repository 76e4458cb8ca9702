"""Deterministic in-memory fakes of the unit of work and of every port outside the process.

Services are tested on these in milliseconds (tests/unit), in the style of cosmicpython's
``tests/unit/test_handlers.py``: no database, no network, no ``mock.patch``.

- :class:`FakeDatabase` holds the committed rows (ORM instances, never attached to a session) and hands out
  ids like a database sequence. :class:`FakeUnitOfWork` is one transaction over it, with the interface of
  :class:`gridgov.uow.UnitOfWork`: ``with uow:``, ``commit()``, ``rollback()``, ``after_commit(hook)`` and the
  repositories ``cases, units, categories, grids, users, campaigns``.
- On enter the unit of work copies the committed rows into a working copy; ``commit()`` writes the rows it
  changed back (row by row, so two units of work on one database interleave like two sessions) and
  ``rollback()`` or leaving the block without a commit throws the working copy away. A case changed in a
  commit gets ``version + 1`` (the Sql ``version_id_col``); a case changed meanwhile by another unit of work
  makes the commit raise ``Conflict`` (the Sql ``StaleDataError``).
- :class:`FakeLocator`, :class:`FakeClassifier`, :func:`fixed_clock` and :func:`fixed_calendar` are the
  outside ports. :func:`seed_world` builds a tiny city in a :class:`FakeDatabase`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import UniqueConstraint, inspect

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.accounts.ports import TokenGrant
from gridgov.admin.events import STREAM as ADMIN_STREAM
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.audit.memory import MemoryAuditLog, MemoryLogStore
from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.callbacks.models import Callback, CallbackAttempt  # 督办/催办/回访 (issue 15)
from gridgov.callbacks.ports import ClosedCase
from gridgov.campaigns.models import Campaign, Suggestion, SuggestionAttachment, SuggestionEvent, SuggestionPiiAccess
from gridgov.cases.domain import StatusKind, statuses_of_kind
from gridgov.cases.models import Case, CaseEvent, CaseSupervision, CaseTask, CaseUrge
from gridgov.cases.repository import ALARM_COLUMNS, WRITTEN, AlarmRow, PoolCase
from gridgov.categories.models import Category
from gridgov.classify.models import CategoryLabel
from gridgov.classify.ports import Prediction, Source
from gridgov.clock import SHANGHAI, FixedClock, WorkingDays
from gridgov.db import Base
from gridgov.errors import Conflict, DuplicateKey
from gridgov.geo.address import AddressMatch, AddressParser
from gridgov.geo.fixed import FixedAreaLookup
from gridgov.geo.ports import LocateResult
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion
from gridgov.knowledge.models import (  # 12345 operations (issue 17)
    KnowledgeArticle,
    KnowledgeEvent,
    KnowledgeFlag,
    KnowledgeSynonym,
    KnowledgeVersion,
)
from gridgov.open311.models import Open311Delivery, Open311Request, Open311Update
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
from gridgov.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalBatch,
    ProposalContact,
    ProposalEvent,
    ProposalHandler,
    ProposalMember,
    ProposalPromise,
    ProposalRating,
    ProposalStation,
    ProposalStationMember,
)
from gridgov.proposals.ports import Row as ProposalRow
from gridgov.safety.domain import HazardStatus, PlaceStatus, PlanRule, Slot
from gridgov.safety.models import (
    SafetyEvent,
    SafetyHazard,
    SafetyInspection,
    SafetyPhoto,
    SafetyPlace,
    SafetyPlanRun,
    SafetyTask,
)
from gridgov.transfers.models import CaseTransfer  # 转办 (issue 17)
from gridgov.units.domain import RuleTarget, UnitKind
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit

from factories import make_category, make_grid, make_grid_version, make_rule, make_unit, make_user

__all__ = [
    "START",
    "FakeCampaignRepository",
    "FakeCaseRepository",
    "FakeCategoryRepository",
    "FakeClassifier",
    "FakeDatabase",
    "FakeGridRepository",
    "FakeLocator",
    "FakeProjectRepository",
    "FakeSafetyRepository",
    "FakeUnitOfWork",
    "FakeUnitRepository",
    "FakeUserRepository",
    "FixedClock",
    "TinyWorld",
    "fixed_calendar",
    "fixed_clock",
    "seed_world",
]

R = TypeVar("R", bound=Base)

START = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)  # a Friday before the 2025 National Day holiday

TABLES: tuple[type[Base], ...] = (
    Unit,
    ResponsibilityRule,
    GridAssignment,
    Category,
    GridVersion,
    Grid,
    User,
    ApiToken,
    PiiAccess,
    Case,
    CaseTask,
    CaseEvent,
    CategoryLabel,
    Campaign,
    Suggestion,
    SuggestionAttachment,
    SuggestionEvent,
    SuggestionPiiAccess,
    ProjectPhase,
    Project,
    ProjectEvent,
    ProjectEvidence,
    ProjectBlocker,
    ProjectInvestment,
    ProjectAdjustment,
    SafetyPlace,
    SafetyPlanRun,
    SafetyTask,
    SafetyInspection,
    SafetyHazard,
    SafetyPhoto,
    SafetyEvent,
    Open311Request,
    Open311Update,
    Open311Delivery,
    ProposalBatch,
    ProposalMember,
    ProposalStation,
    ProposalStationMember,
    Proposal,
    ProposalAuthor,
    ProposalHandler,
    ProposalContact,
    ProposalPromise,
    ProposalRating,
    ProposalEvent,
    # 12345 operations (issue 17)
    KnowledgeArticle,
    KnowledgeVersion,
    KnowledgeEvent,
    KnowledgeFlag,
    KnowledgeSynonym,
    # 督办/催办 (issue 15)
    CaseSupervision,
    CaseUrge,
    Callback,
    CallbackAttempt,
    CaseTransfer,  # 转办 (issue 17)
    AdminSubject,
    AdminEvent,
)

_OPEN = frozenset(s.value for s in statuses_of_kind(StatusKind.OPEN))


# -- rows ------------------------------------------------------------------------------------------
_COLUMNS: dict[type[Base], tuple[str, ...]] = {m: tuple(a.key for a in inspect(m).column_attrs) for m in TABLES}


def _columns(model: type[Base]) -> tuple[str, ...]:
    cols = _COLUMNS.get(model)
    if cols is None:
        cols = _COLUMNS[model] = tuple(a.key for a in inspect(model).column_attrs)
    return cols


def _copy(value: Any) -> Any:
    """A column value as read back: JSON copied, aware datetimes in UTC (UTCDateTime)."""
    if isinstance(value, dict | list):
        return copy.deepcopy(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def clone(row: R) -> R:
    """A fresh, session-less copy of an ORM row, as the database would give it back."""
    model = type(row)
    new = model()
    for key in _columns(model):
        setattr(new, key, _copy(getattr(row, key)))
    return new


def values(row: Base) -> tuple[Any, ...]:
    return tuple(getattr(row, key) for key in _columns(type(row)))


def apply_defaults(row: Base) -> None:
    """Fill the column defaults a database INSERT would (ORM defaults apply at flush, not at construction)."""
    table = row.__table__  # type: ignore[attr-defined]
    for key in _columns(type(row)):
        column = table.c[key]
        if getattr(row, key) is not None or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            setattr(row, key, copy.deepcopy(default.arg))
        elif default.is_callable:
            setattr(row, key, default.arg(None))


def _unique_groups(model: type[Base]) -> list[tuple[str, ...]]:
    table = model.__table__  # type: ignore[attr-defined]
    return [tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)]


_UNIQUE = {model: _unique_groups(model) for model in TABLES}


# -- the database ------------------------------------------------------------------------------------
class FakeDatabase:
    """The committed state: one dict of rows per table, and a sequence per table that never goes back.

    Committed rows are never changed in place (a commit stores fresh copies), so tests may read them freely
    (``db.all(Case)``, ``db.get(Case, 1)``) but must not modify them."""

    def __init__(self) -> None:
        self.tables: dict[type[Base], dict[int, Base]] = {model: {} for model in TABLES}
        self._sequences: dict[type[Base], int] = {model: 0 for model in TABLES}
        self.commits = 0
        self.audit_log = MemoryLogStore()  # the city's log: every committed event's leaf
        self.jobs: list[tuple[str, dict[str, object]]] = []  # background jobs committed (task, arguments)

    def next_id(self, model: type[Base]) -> int:
        self._sequences[model] += 1
        return self._sequences[model]

    def snapshot(self) -> dict[type[Base], dict[int, Base]]:
        """Copies of every committed row (see also save/restore)."""
        return {model: {i: clone(r) for i, r in rows.items()} for model, rows in self.tables.items()}

    def save(self) -> tuple[dict[type[Base], dict[int, Base]], dict[type[Base], int]]:
        """The committed state and the sequences, cheaply (committed rows are immutable): undo with restore()."""
        return {model: dict(rows) for model, rows in self.tables.items()}, dict(self._sequences)

    def restore(self, state: tuple[dict[type[Base], dict[int, Base]], dict[type[Base], int]]) -> None:
        tables, sequences = state
        self.tables = {model: dict(rows) for model, rows in tables.items()}
        self._sequences = dict(sequences)

    # assertions and seeding read the committed rows through these
    def all(self, model: type[R]) -> list[R]:
        return [r for _, r in sorted(self.tables[model].items())]  # type: ignore[misc]

    def get(self, model: type[R], row_id: int) -> R | None:
        return self.tables[model].get(row_id)  # type: ignore[return-value]

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    @property
    def uow_factory(self) -> Callable[[], FakeUnitOfWork]:
        return self.uow


class _Rows:
    """One transaction's view: committed rows are copied on first read (like a session's identity map), new rows
    and copies live in `working`, and `base` keeps each copy's committed values to find what changed."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.working: dict[type[Base], dict[int, Base]] = {model: {} for model in TABLES}
        self.base: dict[tuple[type[Base], int], tuple[Any, ...]] = {}
        self.unversioned: set[int] = set()  # cases changed only by save_enrichment: their version stays

    def _load(self, model: type[R], row_id: int) -> R | None:
        row = self.working[model].get(row_id)
        if row is None:
            committed = self.db.tables[model].get(row_id)
            if committed is None:
                return None
            row = self.working[model][row_id] = clone(committed)
            self.base[(model, row_id)] = values(committed)
        return row  # type: ignore[return-value]

    def select(self, model: type[R], match: Callable[[R], bool] | None = None) -> list[R]:
        """Rows in id order that `match` (tested on the committed row until the row is loaded)."""
        working, committed = self.working[model], self.db.tables[model]
        out: list[R] = []
        for row_id in sorted(committed.keys() | working.keys()):
            row = working.get(row_id) or committed[row_id]
            if match is None or match(row):  # type: ignore[arg-type]
                loaded = self._load(model, row_id)
                assert loaded is not None
                out.append(loaded)
        return out

    def _peek(self, model: type[Base]) -> Iterator[Base]:
        """Every row as this transaction sees it, without copying the ones not read yet."""
        working, committed = self.working[model], self.db.tables[model]
        yield from working.values()
        yield from (r for i, r in committed.items() if i not in working)

    def of(self, model: type[R]) -> list[R]:
        return self.select(model)

    def get(self, model: type[R], row_id: int | None) -> R | None:
        return None if row_id is None else self._load(model, row_id)

    def where(self, model: type[R], **equal: Any) -> list[R]:
        return self.select(model, lambda r: all(getattr(r, k) == v for k, v in equal.items()))

    def first(self, model: type[R], **equal: Any) -> R | None:
        found = self.where(model, **equal)
        return found[0] if found else None

    def insert(self, row: Base) -> None:
        """Like a flush of a new row: defaults filled, unique keys checked, an id from the sequence."""
        model = type(row)
        apply_defaults(row)
        for group in _UNIQUE[model]:
            key = tuple(getattr(row, c) for c in group)
            if any(v is None for v in key):
                continue  # NULLs never collide
            if any(o is not row and tuple(getattr(o, c) for c in group) == key for o in self._peek(model)):
                raise DuplicateKey()
        if getattr(row, "id", None) is None:
            row.id = self.db.next_id(model)  # type: ignore[attr-defined]
        self.working[model][row.id] = row  # type: ignore[attr-defined]

    def changes(self) -> list[tuple[type[Base], int, Base, tuple[Any, ...] | None]]:
        """(model, id, working row, committed values when read — None for a new row) of every changed row."""
        out = []
        for model, rows in self.working.items():
            for row_id, row in rows.items():
                base = self.base.get((model, row_id))
                if base is None or base != values(row):
                    out.append((model, row_id, row, base))
        return out


# -- repositories --------------------------------------------------------------------------------------
class FakeCaseRepository:
    """gridgov.cases.repository.CaseRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog | None = None) -> None:
        self.rows = rows
        self.log = log

    def _queue(self, case_id: int, seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf("case", lambda: case_id, seq, event_hash))

    def add(self, case: Case, first_event: CaseEvent) -> None:
        if case.version is None:
            case.version = 1
        self.rows.insert(case)
        first_event.case_id = case.id
        self.rows.insert(first_event)
        self._queue(case.id, first_event.seq, first_event.hash)

    def get(self, case_id: int) -> Case | None:
        return self.rows.get(Case, case_id)

    def many(self, case_ids: Sequence[int]) -> Sequence[Case]:
        wanted = set(case_ids)
        return [c for c in self.rows.of(Case) if c.id in wanted]

    def by_idempotency_key(self, key: str) -> Case | None:
        return self.rows.first(Case, idempotency_key=key)

    def tasks(self, case_id: int) -> Sequence[CaseTask]:
        return self.rows.where(CaseTask, case_id=case_id)

    def add_task(self, task: CaseTask) -> None:
        self.rows.insert(task)

    def add_event(self, event: CaseEvent) -> None:
        self.rows.insert(event)
        self._queue(event.case_id, event.seq, event.hash)

    def children(self, case_id: int) -> Sequence[Case]:
        return self.rows.where(Case, parent_case_id=case_id)

    def events(self, case_id: int) -> Sequence[CaseEvent]:
        """Not in the protocol: the case's record, in order, for assertions."""
        return sorted(self.rows.where(CaseEvent, case_id=case_id), key=lambda e: e.seq)

    @staticmethod
    def _alarm_row(case: Case) -> AlarmRow:
        return AlarmRow(*(getattr(case, c) for c in ALARM_COLUMNS))

    def due_alarm_rows(self, now: datetime, limit: int, after: tuple[datetime, int] | None) -> list[AlarmRow]:
        due = [
            c
            for c in self.rows.of(Case)
            if c.next_alarm_at is not None and c.next_alarm_at <= now and c.status in _OPEN
            if after is None or (c.next_alarm_at, c.id) > after
        ]
        due.sort(key=lambda c: (c.next_alarm_at, c.id))
        return [self._alarm_row(c) for c in due[:limit]]

    def alarm_row(self, case_id: int) -> AlarmRow | None:
        case = self.get(case_id)
        return self._alarm_row(case) if case is not None else None

    def save_alarm_rows(self, rows: Sequence[AlarmRow]) -> None:
        """Each row written only if the case still has the version it was read at; else Conflict."""
        cases = [self.get(r.id) for r in rows]
        if any(c is None or c.version != r.version for c, r in zip(cases, rows, strict=True)):
            raise Conflict()
        for case, row in zip(cases, rows, strict=True):
            assert case is not None
            for column in WRITTEN:
                setattr(case, column, getattr(row, column))
            case.version = row.version + 1

    def insert_event_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.rows.insert(CaseEvent(**row))
            self._queue(row["case_id"], row["seq"], row["hash"])

    def duplicate_pool(
        self, since: datetime, box: tuple[float, float, float, float] | None, street_prefix: str | None, limit: int
    ) -> list[PoolCase]:
        """Open cases (merged ones left out) since `since`, inside the lon/lat box or else in the same street."""
        if box is None and street_prefix is None:
            return []
        pool = [c for c in self.rows.of(Case) if c.created_at >= since and c.status in _OPEN and c.status != "merged"]
        if box is not None:
            min_lon, min_lat, max_lon, max_lat = box
            pool = [
                c
                for c in pool
                if c.lat is not None
                and c.lon is not None
                and min_lat <= c.lat <= max_lat
                and min_lon <= c.lon <= max_lon
            ]
        else:
            assert street_prefix is not None
            lo, hi = street_prefix.ljust(15, "0"), street_prefix.ljust(15, "9")
            pool = [c for c in pool if c.grid_code is not None and lo <= c.grid_code <= hi]
        pool.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return [
            PoolCase(c.id, c.tracking_code, c.title, c.description, c.created_at, c.lat, c.lon, c.grid_code)
            for c in pool[:limit]
        ]

    def add_label(self, label: CategoryLabel) -> None:
        self.rows.insert(label)

    def labels(self) -> Sequence[CategoryLabel]:
        """Not in the protocol: the training labels recorded, for assertions."""
        return self.rows.of(CategoryLabel)

    def save_enrichment(self, case_id: int, read_event_count: int, values: Mapping[str, Any]) -> None:
        """As the Sql UPDATE: guarded by the chain head read (and a filled category by "still none, still
        reported"), Conflict when refused; the case's version stays."""
        case = self.get(case_id)
        if case is None or case.event_count != read_event_count:
            raise Conflict()
        if "category_code" in values and (case.category_code is not None or case.status != "reported"):
            raise Conflict()
        for name, value in values.items():
            setattr(case, name, value)
        self.rows.unversioned.add(case_id)

    def not_enriched(self, before: datetime, limit: int) -> list[int]:
        return [c.id for c in self.rows.of(Case) if c.enriched_at is None and c.created_at <= before][:limit]

    # -- 督办/催办 (issue 15) ---------------------------------------------------------------------------
    def open_supervision(self, case_id: int) -> CaseSupervision | None:
        found = self.rows.where(CaseSupervision, case_id=case_id, status="open")
        return found[-1] if found else None

    def add_supervision(self, supervision: CaseSupervision) -> None:
        self.rows.insert(supervision)

    def get_supervision(self, supervision_id: int) -> CaseSupervision | None:
        return self.rows.get(CaseSupervision, supervision_id)

    def due_supervisions(self, now: datetime, limit: int) -> list[int]:
        due = [
            s
            for s in self.rows.where(CaseSupervision, status="open")
            if s.next_check_at is not None and s.next_check_at <= now
        ]
        return [s.id for s in sorted(due, key=lambda s: (s.next_check_at, s.id))][:limit]

    def primary_tasks(self, case_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        wanted = set(case_ids)
        out: dict[int, tuple[int, int]] = {}
        for t in self.rows.of(CaseTask):
            if t.case_id in wanted and t.role == "primary" and t.status != "cancelled":
                out[t.case_id] = (t.id, t.unit_id)
        return out

    def urged(self, task_ids: Sequence[int]) -> set[tuple[int, str]]:
        wanted = set(task_ids)
        return {(u.task_id, u.level) for u in self.rows.of(CaseUrge) if u.task_id in wanted}

    def add_urges(self, rows: Sequence[dict[str, Any]]) -> None:
        try:
            for row in rows:
                self.rows.insert(CaseUrge(**row))
        except DuplicateKey as exc:
            raise Conflict() from exc


class FakeUnitRepository:
    """gridgov.units.repository.UnitRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def get(self, unit_id: int) -> Unit | None:
        return self.rows.get(Unit, unit_id)

    def by_code(self, code: str) -> Unit | None:
        return self.rows.first(Unit, code=code)

    def by_area(self, grid_code: str, kind: str) -> Unit | None:
        return self.rows.first(Unit, grid_code=grid_code, kind=kind)

    def rules_for(self, category_prefixes: Sequence[str], grid_prefixes: Sequence[str]) -> Sequence[ResponsibilityRule]:
        cats, grids = set(category_prefixes), set(grid_prefixes)
        return [r for r in self.rows.of(ResponsibilityRule) if r.category_code in cats and r.grid_prefix in grids]

    def assigned_grid_codes(self, user_id: int) -> Sequence[str]:
        return [a.grid_code for a in self.rows.where(GridAssignment, user_id=user_id)]


class FakeCategoryRepository:
    """gridgov.categories.repository.CategoryRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def by_code(self, code: str) -> Category | None:
        return self.rows.first(Category, code=code)


class FakeGridRepository:
    """gridgov.grids.repository.GridRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def active_version(self) -> GridVersion | None:
        return self.rows.first(GridVersion, active=True)

    def by_code(self, code: str, version_id: int) -> Grid | None:
        return self.rows.first(Grid, version_id=version_id, code=code)


class FakeUserRepository:
    """gridgov.accounts.repository.UserRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def get(self, user_id: int) -> User | None:
        return self.rows.get(User, user_id)

    def by_username(self, username: str) -> User | None:
        return self.rows.first(User, username=username)

    def add(self, user: User) -> None:
        self.rows.insert(user)

    def add_token(self, token: ApiToken) -> None:
        self.rows.insert(token)

    def token_by_hash(self, digest: str) -> ApiToken | None:
        return self.rows.first(ApiToken, token_hash=digest)

    def grant_by_hash(self, digest: str) -> TokenGrant | None:
        token = self.token_by_hash(digest)
        if token is None:
            return None
        user = self.rows.get(User, token.user_id)
        unit = self.rows.get(Unit, user.unit_id) if user is not None and user.unit_id is not None else None
        return TokenGrant(
            token.revoked_at,
            token.expires_at,
            token.scopes,
            token.kind,
            user.id if user is not None else None,
            user.active if user is not None else None,
            user.role if user is not None else None,
            user.unit_id if user is not None else None,
            user.display_name if user is not None else None,
            unit.grid_code if unit is not None else None,
        )

    def log_view(self, access: PiiAccess) -> None:
        self.rows.insert(access)


class FakeCampaignRepository:
    """gridgov.campaigns.ports.CampaignRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def by_slug(self, slug: str) -> Campaign | None:
        return self.rows.first(Campaign, slug=slug)

    def by_mail_address(self, address: str) -> Campaign | None:
        wanted = address.strip().lower()
        return next((c for c in self.rows.of(Campaign) if (c.mail_address or "").lower() == wanted), None)

    def add_campaign(self, campaign: Campaign) -> None:
        self.rows.insert(campaign)

    def suggestion(self, suggestion_id: int, *, lock: bool = False) -> Suggestion | None:
        return self.rows.get(Suggestion, suggestion_id)

    def campaign(self, campaign_id: int) -> Campaign | None:
        return self.rows.get(Campaign, campaign_id)

    def by_message_id(self, campaign_id: int, message_id: str, digest: str | None) -> Suggestion | None:
        """Same Message-ID and same digest; a row stored before digests were kept matches on the Message-ID alone
        (rows with a digest first)."""
        found = [
            s
            for s in self.rows.where(Suggestion, campaign_id=campaign_id, message_id=message_id)
            if s.mail_digest is None or (digest is not None and s.mail_digest == digest)
        ]
        found.sort(key=lambda s: (s.mail_digest is None, s.id))
        return found[0] if found else None

    def cluster_heads(self, campaign_id: int, limit: int, chars: int) -> list[tuple[int, str]]:
        heads = [s for s in self.rows.where(Suggestion, campaign_id=campaign_id) if s.cluster_id == s.id]
        heads.sort(key=lambda s: s.id, reverse=True)
        return [(s.id, f"{s.title}\n{s.content[:chars]}") for s in heads[:limit]]

    def add_suggestion(self, suggestion: Suggestion, attachments: list[SuggestionAttachment]) -> None:
        self.rows.insert(suggestion)
        for a in attachments:
            a.suggestion_id = suggestion.id
            self.rows.insert(a)

    def add_event(self, event: SuggestionEvent) -> None:
        self.rows.insert(event)

    def log_view(self, access: SuggestionPiiAccess) -> None:
        self.rows.insert(access)


class FakeProjectRepository:
    """gridgov.projects.ports.ProjectRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog | None = None) -> None:
        self.rows = rows
        self.log = log

    def _queue(self, project_id: int, seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf("project", lambda: project_id, seq, event_hash))

    def get(self, project_id: int) -> Project | None:
        return self.rows.get(Project, project_id)

    def code_taken(self, code: str) -> bool:
        return self.rows.first(Project, code=code) is not None

    def add(self, project: Project, first_event: ProjectEvent) -> None:
        self.add_many([(project, [first_event])])

    def add_many(self, projects: Sequence[tuple[Project, Sequence[ProjectEvent]]]) -> None:
        for project, events in projects:
            self.rows.insert(project)
            for event in events:
                event.project_id = project.id
                self.add_event(event)

    def add_event(self, event: ProjectEvent) -> None:
        self.rows.insert(event)
        self._queue(event.project_id, event.seq, event.hash)

    def events(self, project_id: int) -> list[ProjectEvent]:
        return sorted(self.rows.where(ProjectEvent, project_id=project_id), key=lambda e: e.seq)

    def phase(self, number: int) -> ProjectPhase | None:
        return self.rows.first(ProjectPhase, number=number)

    def phases(self) -> Sequence[ProjectPhase]:
        return sorted(self.rows.of(ProjectPhase), key=lambda p: p.number)

    def add_phase(self, phase: ProjectPhase) -> None:
        self.rows.insert(phase)

    def districts(self) -> dict[str, District]:
        version = next((v for v in self.rows.of(GridVersion) if v.active), None)
        if version is None:
            return {}
        return {
            g.code[:6]: District(g.code[:6], g.name, g.code)
            for g in self.rows.where(Grid, version_id=version.id, level=int(GridLevel.DISTRICT))
        }

    def add_evidence(self, evidence: ProjectEvidence) -> None:
        self.rows.insert(evidence)

    def evidence(self, project_id: int, ids: Sequence[int]) -> Sequence[ProjectEvidence]:
        wanted = set(ids)
        return [e for e in self.rows.where(ProjectEvidence, project_id=project_id) if e.id in wanted]

    def add_blocker(self, blocker: ProjectBlocker) -> None:
        self.rows.insert(blocker)

    def blocker_by_case(self, case_id: int) -> ProjectBlocker | None:
        return self.rows.first(ProjectBlocker, case_id=case_id)

    def save_investment(self, project_id: int, year: int, month: int, amount: int, at: object) -> int | None:
        row = self.rows.first(ProjectInvestment, project_id=project_id, year=year, month=month)
        if row is None:
            self.rows.insert(
                ProjectInvestment(project_id=project_id, year=year, month=month, amount=amount, reported_at=at)
            )
            return None
        before, row.amount = row.amount, amount
        return before

    def add_investments(self, rows: Sequence[tuple[int, int, int, int]], at: datetime) -> None:
        for p, y, m, a in rows:
            self.rows.insert(ProjectInvestment(project_id=p, year=y, month=m, amount=a, reported_at=at))

    def adjustment(self, year: int) -> ProjectAdjustment | None:
        return self.rows.first(ProjectAdjustment, year=year)

    def add_adjustment(self, adjustment: ProjectAdjustment) -> None:
        self.rows.insert(adjustment)


class FakeOpen311Repository:
    """gridgov.open311.ports.Open311Repository over the working copy."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def case_by_tracking_code(self, code: str) -> Case | None:
        return self.rows.first(Case, tracking_code=code)

    def case_of_external_id(self, user_id: int | None, external_id: str) -> int | None:
        row = self.rows.first(Open311Request, user_id=user_id, external_id=external_id)
        return row.case_id if row is not None else None

    def add_request(self, row: Open311Request) -> None:
        self.rows.insert(row)

    def email_of(self, case_id: int) -> str | None:
        row = self.rows.first(Open311Request, case_id=case_id)
        return row.email if row is not None else None

    def update_of_client(self, user_id: int | None, client_update_id: str) -> Open311Update | None:
        return self.rows.first(Open311Update, user_id=user_id, client_update_id=client_update_id)

    def add_update(self, row: Open311Update) -> None:
        self.rows.insert(row)

    def event_id(self, case_id: int, seq: int) -> int | None:
        event = self.rows.first(CaseEvent, case_id=case_id, seq=seq)
        return event.id if event is not None else None

    def last_event_id(self, case_id: int, action: str) -> int | None:
        events = sorted(self.rows.where(CaseEvent, case_id=case_id, action=action), key=lambda e: e.seq)
        return events[-1].id if events else None

    def add_deliveries(self, rows: Sequence[Open311Delivery]) -> None:
        for row in rows:
            self.rows.insert(row)


# 转办 (issue 17)
class FakeTransferRepository:
    """gridgov.transfers.ports.TransferRepository (the unique reference of uq_case_transfers_ref included)."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def get(self, transfer_id: int) -> CaseTransfer | None:
        return self.rows.get(CaseTransfer, transfer_id)

    def add(self, transfer: CaseTransfer) -> None:
        key = (transfer.direction, transfer.counterpart, transfer.transfer_ref)
        if self.rows.select(CaseTransfer, lambda t: (t.direction, t.counterpart, t.transfer_ref) == key):
            raise DuplicateKey()
        self.rows.insert(transfer)

    def by_ref(self, direction: str, transfer_ref: str, counterpart: str | None = None) -> CaseTransfer | None:
        found = self.rows.select(
            CaseTransfer,
            lambda t: (
                t.direction == direction
                and t.transfer_ref == transfer_ref
                and (counterpart is None or t.counterpart == counterpart)
            ),
        )
        return min(found, key=lambda t: t.id) if found else None

    def of_case(self, case_id: int) -> list[CaseTransfer]:
        return sorted(self.rows.select(CaseTransfer, lambda t: t.case_id == case_id), key=lambda t: t.id)

    def status_payloads(self, case_id: int) -> list[dict[str, Any]]:
        events = self.rows.select(CaseEvent, lambda e: e.case_id == case_id and e.from_status != e.to_status)
        return [dict(e.payload or {}) for e in sorted(events, key=lambda e: e.seq)]


# 督办/催办/回访 (issue 15)
class FakeCallbackRepository:
    """gridgov.callbacks.ports.CallbackRepository."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def get(self, callback_id: int) -> Callback | None:
        return self.rows.get(Callback, callback_id)

    def add(self, callback: Callback) -> None:
        if callback.version is None:
            callback.version = 1
        self.rows.insert(callback)

    def add_attempt(self, attempt: CallbackAttempt) -> None:
        self.rows.insert(attempt)

    def closed_not_queued(self, limit: int) -> list[ClosedCase]:
        queued = {c.case_id for c in self.rows.of(Callback)}
        found = [
            c
            for c in self.rows.of(Case)
            if c.status == "closed" and c.parent_case_id is None and c.id not in queued and c.closed_at is not None
        ]
        found.sort(key=lambda c: (c.closed_at, c.id))
        return [
            ClosedCase(
                c.id, c.tracking_code, c.category_code, c.closed_at, bool(c.reporter_phone or c.reporter_user_id)
            )
            for c in found[:limit]
            if c.closed_at is not None
        ]


class FakeProposalRepository:
    """gridgov.proposals.ports.ProposalRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog | None = None) -> None:
        self.rows = rows
        self.log = log

    def get(self, proposal_id: int) -> Proposal | None:
        return self.rows.get(Proposal, proposal_id)

    def add_many(self, items: Sequence[tuple[Proposal, Sequence[ProposalEvent], Sequence[ProposalAuthor]]]) -> None:
        for proposal, events, authors in items:
            self.rows.insert(proposal)
            for author in authors:
                author.proposal_id = proposal.id
                self.rows.insert(author)
            for event in events:
                event.proposal_id = proposal.id
                self.add_event(event)

    def add_event(self, event: ProposalEvent) -> None:
        self.rows.insert(event)
        if self.log is not None:
            pid = event.proposal_id
            self.log.queue(PendingLeaf("proposal", lambda: pid, event.seq, event.hash))

    def events(self, proposal_id: int) -> list[ProposalEvent]:
        return sorted(self.rows.where(ProposalEvent, proposal_id=proposal_id), key=lambda e: e.seq)

    def add_row(self, row: ProposalRow) -> None:
        self.rows.insert(row)

    def batch(self, code: str) -> ProposalBatch | None:
        return self.rows.first(ProposalBatch, code=code)

    def number_taken(self, batch_id: int, number: str) -> bool:
        return self.rows.first(Proposal, batch_id=batch_id, number=number) is not None

    def member(self, body: str, name: str) -> ProposalMember | None:
        return self.rows.first(ProposalMember, body=body, name=name)

    def member_of_user(self, user_id: int) -> ProposalMember | None:
        return self.rows.first(ProposalMember, user_id=user_id)

    def member_by_id(self, member_id: int) -> ProposalMember | None:
        return self.rows.get(ProposalMember, member_id)

    def station(self, station_id: int) -> ProposalStation | None:
        return self.rows.get(ProposalStation, station_id)

    def authors(self, proposal_id: int) -> list[tuple[ProposalAuthor, ProposalMember]]:
        out = []
        for a in sorted(self.rows.where(ProposalAuthor, proposal_id=proposal_id), key=lambda a: (not a.lead, a.id)):
            member = self.rows.get(ProposalMember, a.member_id)
            assert member is not None
            out.append((a, member))
        return out

    def handlers(self, proposal_id: int) -> list[ProposalHandler]:
        return sorted(self.rows.where(ProposalHandler, proposal_id=proposal_id), key=lambda h: h.id)

    def promises(self, proposal_id: int) -> list[ProposalPromise]:
        return sorted(self.rows.where(ProposalPromise, proposal_id=proposal_id), key=lambda p: p.id)

    def ratings(self, proposal_id: int) -> list[ProposalRating]:
        return sorted(self.rows.where(ProposalRating, proposal_id=proposal_id), key=lambda r: r.round)


# 12345 operations (issue 17)
class FakeArticleRepository:
    """gridgov.knowledge.ports.ArticleRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog | None = None) -> None:
        self.rows = rows
        self.log = log

    def _queue(self, article_id: int, seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf("knowledge", lambda: article_id, seq, event_hash))

    def get(self, article_id: int) -> KnowledgeArticle | None:
        return self.rows.get(KnowledgeArticle, article_id)

    def next_code(self) -> str:
        return f"KB-{max((a.id for a in self.rows.of(KnowledgeArticle)), default=0) + 1:06d}"

    def add(self, article: KnowledgeArticle, version: KnowledgeVersion, first_event: KnowledgeEvent) -> None:
        self.add_many([(article, version, first_event)])

    def add_many(self, items: Sequence[tuple[KnowledgeArticle, KnowledgeVersion, KnowledgeEvent]]) -> None:
        for article, version, event in items:
            self.rows.insert(article)
            version.article_id = event.article_id = article.id
            self.rows.insert(version)
            self.add_event(event)

    def add_version(self, version: KnowledgeVersion) -> None:
        self.rows.insert(version)

    def version(self, article_id: int, number: int) -> KnowledgeVersion | None:
        return self.rows.first(KnowledgeVersion, article_id=article_id, number=number)

    def add_event(self, event: KnowledgeEvent) -> None:
        self.rows.insert(event)
        self._queue(event.article_id, event.seq, event.hash)

    def events(self, article_id: int) -> list[KnowledgeEvent]:
        return sorted(self.rows.where(KnowledgeEvent, article_id=article_id), key=lambda e: e.seq)

    def add_flag(self, flag: KnowledgeFlag) -> None:
        self.rows.insert(flag)

    def flag(self, flag_id: int) -> KnowledgeFlag | None:
        return self.rows.get(KnowledgeFlag, flag_id)

    def open_flags(self, article_id: int) -> Sequence[KnowledgeFlag]:
        return self.rows.where(KnowledgeFlag, article_id=article_id, status="open")

    def add_synonyms(self, words: str, at: object) -> None:
        if self.rows.first(KnowledgeSynonym, words=words) is not None:
            raise DuplicateKey("同义词组已存在")
        self.rows.insert(KnowledgeSynonym(words=words, created_at=at))


class FakeUnitLookup:
    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def unit_id(self, code: str) -> int | None:
        unit = self.rows.first(Unit, code=code)
        return unit.id if unit is not None else None

    def unit_code(self, unit_id: int) -> str | None:
        unit = self.rows.get(Unit, unit_id)
        return unit.code if unit is not None else None

    def get(self, callback_id: int) -> Callback | None:
        return self.rows.get(Callback, callback_id)

    def add(self, callback: Callback) -> None:
        if callback.version is None:
            callback.version = 1
        self.rows.insert(callback)

    def add_attempt(self, attempt: CallbackAttempt) -> None:
        self.rows.insert(attempt)

    def closed_not_queued(self, limit: int) -> list[ClosedCase]:
        queued = {c.case_id for c in self.rows.of(Callback)}
        found = [
            c
            for c in self.rows.of(Case)
            if c.status == "closed" and c.parent_case_id is None and c.id not in queued and c.closed_at is not None
        ]
        found.sort(key=lambda c: (c.closed_at, c.id))
        return [
            ClosedCase(
                c.id, c.tracking_code, c.category_code, c.closed_at, bool(c.reporter_phone or c.reporter_user_id)
            )
            for c in found[:limit]
            if c.closed_at is not None
        ]


class FakeSafetyRepository:
    """gridgov.safety.ports.SafetyRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog | None = None) -> None:
        self.rows = rows
        self.log = log

    def place(self, place_id: int) -> SafetyPlace | None:
        return self.rows.get(SafetyPlace, place_id)

    def codes_taken(self, codes: Sequence[str]) -> set[str]:
        wanted = set(codes)
        return {p.code for p in self.rows.of(SafetyPlace) if p.code in wanted}

    def add_places(self, places: Sequence[tuple[SafetyPlace, SafetyEvent]]) -> None:
        for place, event in places:
            self.rows.insert(place)
            event.subject_id = place.id
            self.add_event(event)

    def add_event(self, event: SafetyEvent) -> None:
        self.rows.insert(event)
        if self.log is not None:
            sid = event.subject_id
            self.log.queue(PendingLeaf(event.stream, lambda: sid, event.seq, event.hash))

    def events(self, stream: str, subject_id: int) -> list[SafetyEvent]:
        found = self.rows.where(SafetyEvent, stream=stream, subject_id=subject_id)
        return sorted(found, key=lambda e: e.seq)

    def plan_run(self, plan_code: str, period: str) -> SafetyPlanRun | None:
        return self.rows.first(SafetyPlanRun, plan_code=plan_code, period=period)

    def add_plan_run(self, run: SafetyPlanRun) -> None:
        self.rows.insert(run)

    def generate_tasks(
        self, run_id: int, plan: PlanRule, period: str, type_codes: Sequence[str], rounds: Sequence[Slot]
    ) -> int:
        made = 0
        workers = self.rows.of(GridAssignment)
        for place in self.rows.where(SafetyPlace, status=PlaceStatus.OPEN.value):
            if plan.group is not None and place.place_group != plan.group.value:
                continue
            if plan.risk is not None and place.risk != plan.risk.value:
                continue
            if type_codes and place.type_code not in type_codes:
                continue
            mine = [a.user_id for a in workers if a.grid_code == place.grid_code]
            for slot in rounds:
                if self.rows.first(SafetyTask, plan_code=plan.code, slot=slot.key, place_id=place.id):
                    continue
                self.rows.insert(
                    SafetyTask(
                        run_id=run_id,
                        plan_code=plan.code,
                        period=period,
                        slot=slot.key,
                        place_id=place.id,
                        grid_code=place.grid_code,
                        assignee_id=min(mine) if mine else None,
                        due_on=slot.due,
                        status="open",
                    )
                )
                made += 1
        return made

    def task(self, task_id: int) -> SafetyTask | None:
        return self.rows.get(SafetyTask, task_id)

    def open_task(self, place_id: int, on: date) -> SafetyTask | None:
        found = [t for t in self.rows.where(SafetyTask, place_id=place_id, status="open") if t.due_on >= on]
        return min(found, key=lambda t: (t.due_on, t.id)) if found else None

    def inspection_by_key(self, client_key: str) -> SafetyInspection | None:
        return self.rows.first(SafetyInspection, client_key=client_key)

    def add_inspection(self, inspection: SafetyInspection) -> None:
        self.rows.insert(inspection)

    def hazard(self, hazard_id: int) -> SafetyHazard | None:
        return self.rows.get(SafetyHazard, hazard_id)

    def open_hazard(self, place_id: int, item_code: str) -> SafetyHazard | None:
        found = self.rows.where(SafetyHazard, place_id=place_id, item_code=item_code)
        return next((h for h in found if h.status != HazardStatus.CLOSED.value), None)

    def last_closed_hazard(self, place_id: int, item_code: str, since: datetime) -> SafetyHazard | None:
        found = [
            h
            for h in self.rows.where(SafetyHazard, place_id=place_id, item_code=item_code)
            if h.status == HazardStatus.CLOSED.value and h.closed_at is not None and h.closed_at >= since
        ]
        return max(found, key=lambda h: h.closed_at) if found else None  # type: ignore[arg-type, return-value]

    def add_hazard(self, hazard: SafetyHazard, events: Sequence[SafetyEvent]) -> None:
        self.rows.insert(hazard)
        for event in events:
            event.subject_id = hazard.id
            self.add_event(event)

    def hazard_by_case(self, case_id: int) -> SafetyHazard | None:
        return self.rows.first(SafetyHazard, case_id=case_id)

    def overdue_hazards(self, now: datetime, below_level: int, limit: int) -> Sequence[int]:
        found = [
            h
            for h in self.rows.of(SafetyHazard)
            if h.status != HazardStatus.CLOSED.value
            and h.due_at is not None
            and h.due_at < now
            and h.escalation_level < below_level
        ]
        return [h.id for h in sorted(found, key=lambda h: h.due_at)][:limit]  # type: ignore[arg-type, return-value]

    def add_photo(self, photo: SafetyPhoto) -> None:
        self.rows.insert(photo)

    def bureau_units(self, district_code: str, key: str) -> frozenset[int]:
        codes = {f"{district_code}-{key}", f"{district_code[:4]}-{key}"}
        return frozenset(u.id for u in self.rows.of(Unit) if u.code in codes)

    def grid_workers(self, grid_code: str) -> frozenset[int]:
        return frozenset(a.user_id for a in self.rows.where(GridAssignment, grid_code=grid_code))


# -- the unit of work ------------------------------------------------------------------------------------
class FakeUnitOfWork:
    """`with uow: ...; uow.commit()` over a :class:`FakeDatabase`; what is not committed is thrown away."""

    cases: FakeCaseRepository
    units: FakeUnitRepository
    categories: FakeCategoryRepository
    grids: FakeGridRepository
    users: FakeUserRepository
    campaigns: FakeCampaignRepository
    projects: FakeProjectRepository
    safety: FakeSafetyRepository
    open311: FakeOpen311Repository
    proposals: FakeProposalRepository
    articles: FakeArticleRepository  # 12345 operations (issue 17)
    unit_lookup: FakeUnitLookup
    callbacks: FakeCallbackRepository  # 督办/催办/回访 (issue 15)
    transfers: FakeTransferRepository  # 转办 (issue 17)

    def __init__(self, db: FakeDatabase | None = None, *, write: bool = True) -> None:
        self.db = db if db is not None else FakeDatabase()
        self.write = write
        self.committed = 0  # commits made through this unit of work (truthy once one was)
        self.rolled_back = 0
        self.entered = 0
        self._after_commit: list[Callable[[], None]] = []
        self._outbox: list[tuple[str, dict[str, object]]] = []
        self._begin()

    def __enter__(self) -> FakeUnitOfWork:
        self.entered += 1
        self._after_commit = []
        self._outbox = []
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._begin()  # like session.rollback(): what was not committed is discarded

    def _begin(self) -> None:
        self.rows = _Rows(self.db)
        self.audit = MemoryAuditLog(self.db.audit_log)
        self.cases = FakeCaseRepository(self.rows, self.audit)
        self.units = FakeUnitRepository(self.rows)
        self.safety = FakeSafetyRepository(self.rows, self.audit)
        self.categories = FakeCategoryRepository(self.rows)
        self.grids = FakeGridRepository(self.rows)
        self.users = FakeUserRepository(self.rows)
        self.campaigns = FakeCampaignRepository(self.rows)
        self.projects = FakeProjectRepository(self.rows, self.audit)
        self.open311 = FakeOpen311Repository(self.rows)
        self.proposals = FakeProposalRepository(self.rows, self.audit)
        self.articles = FakeArticleRepository(self.rows, self.audit)  # 12345 operations (issue 17)
        self.unit_lookup = FakeUnitLookup(self.rows)
        self.callbacks = FakeCallbackRepository(self.rows)  # 督办/催办/回访 (issue 15)
        self.transfers = FakeTransferRepository(self.rows)  # 转办 (issue 17)

    def commit(self) -> None:
        changes = self.rows.changes()
        version = _columns(Case).index("version")
        for model, row_id, row, base in changes:
            if model is not Case or base is None:
                continue
            current = self.db.tables[Case].get(row_id)
            if current is not None and current.version != base[version]:  # type: ignore[attr-defined]
                raise Conflict()  # another unit of work changed the case first (the Sql StaleDataError)
            if row.version == base[version] and row_id not in self.rows.unversioned:  # type: ignore[attr-defined]
                row.version += 1  # type: ignore[attr-defined]  (save_alarm_rows already moved it)
        self.audit.seal()
        for model, row_id, row, _ in changes:
            stored = self.db.tables[model][row_id] = clone(row)
            # the working objects stay in use (expire_on_commit=False); later changes are measured from here
            self.rows.base[(model, row_id)] = values(stored)
        self.db.commits += 1
        self.committed += 1
        self.db.jobs.extend(self._outbox)  # jobs commit with the transaction that wrote them
        self._outbox = []
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self.rolled_back += 1
        self._outbox = []
        self._begin()

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._after_commit.append(hook)

    def enqueue(self, task: str, **args: object) -> None:
        self._outbox.append((task, dict(args)))

    @contextmanager
    def savepoint(self) -> Iterator[object]:
        """A nested transaction (the Sql session.begin_nested()): what fails inside is undone — rows added are
        gone, rows changed get their values back in place — and the error goes on; the rest stays."""
        saved = {model: {i: clone(r) for i, r in rows.items()} for model, rows in self.rows.working.items()}
        try:
            yield self
        except BaseException:
            for model, rows in self.rows.working.items():
                for row_id in list(rows):
                    before = saved[model].get(row_id)
                    if before is None:
                        del rows[row_id]
                        self.rows.base.pop((model, row_id), None)
                        continue
                    for key in _columns(model):
                        setattr(rows[row_id], key, getattr(before, key))
            raise


# -- outside ports ---------------------------------------------------------------------------------------
class FakeLocator:
    """The case intake's Locator: point → L3 grid from a fixed rectangle table (gridgov.geo.fixed), address text →
    division from a fixed list of names (the real AddressParser over them). Calls are recorded."""

    def __init__(
        self,
        table: Iterable[tuple[str, tuple[float, float, float, float]]] | None = None,
        names: Iterable[tuple[str, str, int]] = (),
    ) -> None:
        self.lookup = FixedAreaLookup() if table is None else FixedAreaLookup(table)
        self.parser = AddressParser(list(names))
        self.addresses: list[str] = []

    @property
    def calls(self) -> list[tuple[float, float, str]]:
        return self.lookup.calls

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult:
        return self.lookup.locate(lat, lon, crs)

    def parse_address(self, text: str) -> AddressMatch:
        self.addresses.append(text)
        return self.parser.parse(text)


class FakeClassifier:
    """gridgov.classify.ports.Classifier with fixed answers: the first key found in the text names the label,
    else `label`. Each answer has `confidence`, `others` fill the rest of the top 3. Texts are recorded."""

    def __init__(
        self,
        label: str = "H1802",
        confidence: float = 0.9,
        rules: Mapping[str, str] | None = None,
        others: Sequence[str] = ("H1901", "E0102", "C0101"),
        source: Source = "model",
        model_version: str = "fake-1",
    ) -> None:
        self.label, self.confidence, self.rules = label, confidence, dict(rules or {})
        self.others, self.source, self.model_version = tuple(others), source, model_version
        self.texts: list[str] = []

    def predict(self, text: str) -> Prediction:
        self.texts.append(text)
        label = next((lab for key, lab in self.rules.items() if key in text), self.label)
        rest = [o for o in self.others if o != label][:2]
        share = round((1.0 - self.confidence) / max(len(rest), 1), 4)
        top = ((label, self.confidence), *((o, share) for o in rest))
        return Prediction(label, self.confidence, self.model_version, self.source, top)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]


def fixed_clock(at: datetime = START) -> FixedClock:
    """gridgov.clock.FixedClock (set/advance by hand) at a Friday 09:00 before the National Day holiday."""
    return FixedClock(at)


NATIONAL_DAY_2025 = tuple(date(2025, 10, d) for d in range(1, 9))
MAKEUP_DAYS_2025 = (date(2025, 9, 28), date(2025, 10, 11))  # 调休: Sunday 28 Sep and Saturday 11 Oct are worked


def fixed_calendar(
    holidays: Iterable[date] = NATIONAL_DAY_2025, workdays: Iterable[date] = MAKEUP_DAYS_2025
) -> WorkingDays:
    """A working-day calendar with fixed holidays (2025 National Day by default), independent of chinesecalendar."""
    return WorkingDays(holidays=holidays, workdays=workdays)


# -- a tiny world ----------------------------------------------------------------------------------------
CITY = "4101"
DISTRICT = "410102"
STREET = "410102001"
COMMUNITY = "410102001001"
MICRO = "410102001001001"  # the first cell of gridgov.geo.fixed.DEFAULT_TABLE
OTHER_MICRO = "410102001001002"
INSIDE = (34.755, 113.625)  # (lat, lon) inside MICRO's rectangle in the default FakeLocator table
LOCATOR_TABLE = (
    (MICRO, (113.600, 34.740, 113.650, 34.770)),
    (OTHER_MICRO, (113.650, 34.740, 113.700, 34.770)),
)
GRID_NAMES: tuple[tuple[str, str, int], ...] = (
    (DISTRICT.ljust(15, "0"), "中原区", GridLevel.DISTRICT),
    (STREET.ljust(15, "0"), "林山寨街道", GridLevel.STREET),
    (COMMUNITY.ljust(15, "0"), "建设路社区", GridLevel.COMMUNITY),
)


@dataclass
class TinyWorld:
    """A city 城运中心, a district, a street office, a community, two departments, a category of each kind, grids of
    every level, the responsibility rules and a user per role, committed in `db`. Look rows up by the names below."""

    db: FakeDatabase
    units: dict[str, Unit] = field(default_factory=dict)  # city, district, street, community, city-cg, district-cg
    users: dict[str, User] = field(default_factory=dict)  # admin, operator, dispatcher, street, community, dept, …
    categories: dict[str, Category] = field(default_factory=dict)  # service, event, component
    grid_version_id: int = 0
    micro: str = MICRO
    other_micro: str = OTHER_MICRO
    inside: tuple[float, float] = INSIDE

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    @property
    def uow_factory(self) -> Callable[[], FakeUnitOfWork]:
        return self.uow

    def locator(self) -> FakeLocator:
        return FakeLocator(LOCATOR_TABLE, GRID_NAMES)

    def actor(self, name: str) -> Actor:
        """The Actor a user acts as (gridgov.accounts.services.actor_of, without a unit of work)."""
        user = self.users[name]
        unit = self.db.get(Unit, user.unit_id) if user.unit_id is not None else None
        return Actor(
            user_id=user.id,
            role=Role(user.role),
            unit_id=user.unit_id,
            name=user.display_name,
            unit_grid=unit.grid_code if unit is not None else None,
        )


def seed_world(db: FakeDatabase | None = None, now: datetime = START) -> TinyWorld:
    """Build the tiny world of :class:`TinyWorld` (committed) and return it."""
    db = db if db is not None else FakeDatabase()
    world = TinyWorld(db)
    uow = FakeUnitOfWork(db)
    with uow:
        rows = uow.rows

        def unit(key: str, **kw: Any) -> Unit:
            row = make_unit(**kw)
            rows.insert(row)
            world.units[key] = row
            return row

        city = unit(
            "city", code=CITY, name="郑州市城市运行管理中心(12345)", kind=UnitKind.CITY, grid_code=CITY.ljust(15, "0")
        )
        unit(
            "city-cg",
            code=f"{CITY}-cg",
            name="郑州市城市管理局",
            kind=UnitKind.CITY_DEPARTMENT,
            parent_id=city.id,
            department_key="cg",
        )
        district = unit(
            "district",
            code=DISTRICT,
            name="中原区城市运行管理中心",
            kind=UnitKind.DISTRICT,
            parent_id=city.id,
            grid_code=DISTRICT.ljust(15, "0"),
        )
        unit(
            "district-cg",
            code=f"{DISTRICT}-cg",
            name="中原区城市管理局",
            kind=UnitKind.DISTRICT_BUREAU,
            parent_id=district.id,
            department_key="cg",
        )
        street = unit(
            "street",
            code=STREET,
            name="林山寨街道办事处",
            kind=UnitKind.STREET_OFFICE,
            parent_id=district.id,
            grid_code=STREET.ljust(15, "0"),
        )
        unit(
            "community",
            code=COMMUNITY,
            name="建设路社区居委会",
            kind=UnitKind.COMMUNITY,
            parent_id=street.id,
            grid_code=COMMUNITY.ljust(15, "0"),
        )

        for key, cat in {
            # 12345 service: the street handles it, 1 working day to accept, 7 to handle
            "service": make_category(
                code="H1802",
                parent_code="H18",
                name="楼道堆物",
                kind="service",
                response_limit=1,
                response_unit="working_days",
                handle_limit=7,
                handle_unit="working_days",
                department_key="street",
            ),
            # 数字城管 event: the district's 城管 bureau, 2 hours to accept, 4 to handle
            "event": make_category(
                code="E0102",
                parent_code="E01",
                name="暴露垃圾",
                kind="event",
                taxonomy="dcg",
                response_limit=2,
                response_unit="hours",
                handle_limit=4,
                handle_unit="hours",
                department_key="cg",
            ),
            # 数字城管 component, urgent by default
            "component": make_category(
                code="C0101",
                parent_code="C01",
                name="上水井盖",
                kind="component",
                taxonomy="dcg",
                urgency="urgent",
                response_limit=1,
                response_unit="hours",
                handle_limit=24,
                handle_unit="hours",
                department_key="cg",
            ),
            # a consultation answered on the phone
            "consultation": make_category(
                code="H1901",
                parent_code="H19",
                name="政策法规咨询",
                kind="service",
                response_limit=1,
                response_unit="working_days",
                handle_limit=3,
                handle_unit="working_days",
                department_key="zwfw",
            ),
        }.items():
            rows.insert(cat)
            world.categories[key] = cat

        # 权属: 楼道堆物 → the grid's street office; 数字城管 E and C → the district's bureau of 城管; else the street
        rows.insert(make_rule(category_code="H1802", grid_prefix=CITY, target=RuleTarget.STREET))
        for root in ("E01", "C01"):
            rows.insert(
                make_rule(
                    category_code=root,
                    grid_prefix=CITY,
                    target=RuleTarget.DISTRICT_BUREAU,
                    unit_id=world.units["city-cg"].id,
                )
            )
        rows.insert(make_rule(category_code="", grid_prefix=CITY, target=RuleTarget.STREET))

        version = make_grid_version(created_at=now, activated_at=now)
        rows.insert(version)
        world.grid_version_id = version.id
        for code, name, level, parent in (
            (CITY.ljust(15, "0"), "郑州市", GridLevel.CITY, None),
            (DISTRICT.ljust(15, "0"), "中原区", GridLevel.DISTRICT, CITY.ljust(15, "0")),
            (STREET.ljust(15, "0"), "林山寨街道", GridLevel.STREET, DISTRICT.ljust(15, "0")),
            (COMMUNITY.ljust(15, "0"), "建设路社区", GridLevel.COMMUNITY, STREET.ljust(15, "0")),
            (MICRO, "建设路社区第1网格", GridLevel.MICRO, COMMUNITY.ljust(15, "0")),
            (OTHER_MICRO, "建设路社区第2网格", GridLevel.MICRO, COMMUNITY.ljust(15, "0")),
        ):
            rows.insert(make_grid(version_id=version.id, code=code, name=name, level=level, parent_code=parent))

        for name, role, key in (
            ("admin", Role.ADMIN, None),
            ("operator", Role.OPERATOR, "city"),
            ("dispatcher", Role.DISPATCHER, "city"),
            ("street", Role.STREET, "street"),
            ("community", Role.COMMUNITY, "community"),
            ("dept", Role.DEPARTMENT, "district-cg"),
            ("city-dept", Role.DEPARTMENT, "city-cg"),
            ("resident", Role.RESIDENT, None),
            ("resident2", Role.RESIDENT, None),
            ("grid-worker", Role.GRID_WORKER, "community"),
        ):
            user = make_user(username=name, role=role, unit_id=world.units[key].id if key else None, created_at=now)
            rows.insert(user)
            world.users[name] = user
        rows.insert(GridAssignment(user_id=world.users["grid-worker"].id, grid_code=MICRO))
        uow.commit()
    # the world's handles point at the committed rows, read-only for tests
    for mapping, model in ((world.units, Unit), (world.users, User), (world.categories, Category)):
        for key, row in mapping.items():
            mapping[key] = db.get(model, row.id)  # type: ignore[attr-defined]
    return world


def advance(clock: FixedClock, **delta: float) -> datetime:
    """clock.advance(timedelta(**delta)), shorter in tests."""
    return clock.advance(timedelta(**delta))


# --- notify: the message store, its unit of work and a channel -------------------------------------------------


class FakeMessageRepository:
    """The outbox in memory (gridgov.notify.ports.MessageRepository): rows are dicts keyed by id."""

    def __init__(self, rows: dict[int, dict[str, Any]]) -> None:
        self.rows = rows

    def add(self, key: str, channel: str, address: str, not_before: datetime, **extra: Any) -> int:
        mid = len(self.rows) + 1
        self.rows[mid] = {"id": mid, "key": key, "channel": channel, "address": address, "subject": "",
                          "body": "您的问题已立案", "status": "queued", "attempts": 0, "not_before": not_before,
                          "lease_until": None, "answer": "", "gateway_id": "", **extra}  # fmt: skip
        return mid

    def claim(self, now: datetime, limit: int, lease_until: datetime, channels: Any = None) -> list[Any]:
        from gridgov.notify.domain import Channel, MessageStatus
        from gridgov.notify.ports import Outgoing

        out = []
        for r in sorted(self.rows.values(), key=lambda r: (r["not_before"], r["id"])):
            if len(out) >= limit or r["status"] != "queued" or r["not_before"] > now:
                continue
            if r["lease_until"] is not None and r["lease_until"] >= now:
                continue
            if channels is not None and Channel(r["channel"]) not in channels:
                continue
            doubt = r["lease_until"] is not None
            r["lease_until"], r["attempts"] = lease_until, r["attempts"] + 1
            out.append(Outgoing(r["id"], r["key"], Channel(r["channel"]), r["address"], r["subject"], r["body"],
                                MessageStatus(r["status"]), r["attempts"], doubt))  # fmt: skip
        return out

    def record(self, results: Any, now: datetime) -> None:
        for res in results:
            r = self.rows[res.id]
            r.update(status=res.status.value, lease_until=None, not_before=res.retry_at or now,
                     answer=res.answer.text, gateway_id=res.answer.gateway_id)  # fmt: skip


class FakeNotifyUnitOfWork:
    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.messages = FakeMessageRepository(self.rows)
        self.commits = 0

    def __enter__(self) -> FakeNotifyUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        return None

    def after_commit(self, hook: Callable[[], None]) -> None:
        hook()

    def savepoint(self) -> Any:
        from contextlib import nullcontext

        return nullcontext()


class FakeSender:
    """A channel that answers from a script (then accepts), remembers what it was sent, and knows the keys it
    accepted (for lookups)."""

    def __init__(self, channel: Any, script: list[Any] | None = None, known: dict[str, Any] | None = None) -> None:
        self.channel = channel
        self.script = list(script or [])
        self.sent: list[str] = []
        self.known = dict(known or {})
        self.lookups: list[str] = []

    def send(self, message: Any) -> Any:
        from gridgov.notify.domain import Outcome
        from gridgov.notify.ports import Answer

        self.sent.append(message.key)
        step = self.script.pop(0) if self.script else Answer(Outcome.ACCEPTED, f"g{len(self.sent)}", "ok")
        if isinstance(step, Exception):
            raise step
        if step.outcome is Outcome.ACCEPTED:
            self.known[message.key] = step
        return step

    def lookup(self, key: str) -> Any:
        self.lookups.append(key)
        return self.known.get(key)

    def close(self) -> None:
        return None


# -- the admin screen's unit of work ---------------------------------------------------------------------
class FakeAdminRepository:
    """gridgov.admin.ports.AdminRepository over the working copy; every event written is queued in the log."""

    def __init__(self, rows: _Rows, log: AuditLog) -> None:
        self.rows, self.log = rows, log

    def subject(self, kind: str, ref: str) -> AdminSubject:
        found = self.rows.first(AdminSubject, kind=kind, ref=ref)
        if found is None:
            found = AdminSubject(kind=kind, ref=ref, event_count=0, last_event_hash="0" * 64)
            self.rows.insert(found)
        return found

    def add_event(self, event: AdminEvent) -> None:
        self.rows.insert(event)
        sid = event.subject_id
        self.log.queue(PendingLeaf(ADMIN_STREAM, lambda: sid, event.seq, event.hash))

    def tokens_of(self, user_id: int) -> Sequence[ApiToken]:
        return self.rows.where(ApiToken, user_id=user_id)

    def token(self, token_id: int) -> ApiToken | None:
        return self.rows.get(ApiToken, token_id)

    def grids_of(self, user_id: int) -> list[str]:
        return sorted(a.grid_code for a in self.rows.where(GridAssignment, user_id=user_id))

    def set_grids(self, user_id: int, codes: Sequence[str]) -> None:
        if self.rows.where(GridAssignment, user_id=user_id):
            raise NotImplementedError("the fake keeps no deletes: give grids to new users only")
        for code in codes:
            self.rows.insert(GridAssignment(user_id=user_id, grid_code=code))

    def unit_load(self, unit_id: int) -> dict[str, int]:
        return {
            "users": len([u for u in self.rows.where(User, unit_id=unit_id) if u.active]),
            "rules": len(self.rows.where(ResponsibilityRule, unit_id=unit_id)),
            "children": len([u for u in self.rows.where(Unit, parent_id=unit_id) if u.active]),
            "cases": len([c for c in self.rows.where(Case, owner_unit_id=unit_id) if c.status in _OPEN]),
            "tasks": len(
                [t for t in self.rows.where(CaseTask, unit_id=unit_id) if t.status in ("pending", "accepted")]
            ),
        }

    def move_unit_load(self, from_id: int, into_id: int) -> dict[str, int]:
        users = self.rows.where(User, unit_id=from_id)
        rules = self.rows.where(ResponsibilityRule, unit_id=from_id)
        children = self.rows.where(Unit, parent_id=from_id)
        for row in [*users, *rules]:
            row.unit_id = into_id  # type: ignore[attr-defined]
        for unit in children:
            unit.parent_id = into_id
        return {"users": len(users), "rules": len(rules), "children": len(children)}

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        current: int | None = unit_id
        while current is not None:
            if current == ancestor_id:
                return True
            unit = self.rows.get(Unit, current)
            current = unit.parent_id if unit else None
        return False

    def add_unit(self, unit: Unit) -> None:
        self.rows.insert(unit)


class FakeUnitAdminStore:
    """The parts of gridgov.units.ports.UnitAdminStore the admin services use."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def grid_in_active_version(self, code: str) -> bool:
        version = self.rows.first(GridVersion, active=True)
        return version is not None and self.rows.first(Grid, version_id=version.id, code=code) is not None

    def categories(self) -> dict[str, Category]:
        return {c.code: c for c in self.rows.of(Category)}


class FakeAdminUnitOfWork(FakeUnitOfWork):
    """gridgov.admin.ports.AdminUnitOfWork: the fake unit of work with the admin record bound."""

    admin: FakeAdminRepository
    unit_admin: Any

    def _begin(self) -> None:
        super()._begin()
        self.admin = FakeAdminRepository(self.rows, self.audit)
        self.unit_admin = FakeUnitAdminStore(self.rows)
        self.grid_files = None


# -- phone sign-in (gridgov.residents, issue 15) ---------------------------------------------------------------
class FakeCodeStore:
    """gridgov.residents.ports.CodeStore in memory: the rows as the SQL store keeps them (digests only)."""

    def __init__(self) -> None:
        from gridgov.residents.domain import StoredCode

        self.codes: dict[int, StoredCode] = {}
        self.accounts: dict[str, int] = {}
        self.sessions: list[tuple[int, datetime, int]] = []

    def add(self, phone_key: str, digest: str, client: str, now: datetime, expires_at: datetime) -> int:
        from gridgov.residents.domain import StoredCode

        code_id = len(self.codes) + 1
        self.codes[code_id] = StoredCode(code_id, phone_key, digest, expires_at, 0, None)
        return code_id

    def latest(self, phone_key: str) -> Any:
        mine = [c for c in self.codes.values() if c.phone_key == phone_key]
        return max(mine, key=lambda c: c.id) if mine else None

    def count_try(self, code_id: int) -> None:
        c = self.codes[code_id]
        self.codes[code_id] = _tried(c)

    def use(self, code_id: int, now: datetime) -> bool:
        c = self.codes[code_id]
        if c.used_at is not None:
            return False
        from dataclasses import replace

        self.codes[code_id] = replace(c, used_at=now)
        return True

    def account(self, phone_key: str, display_name: str, now: datetime) -> tuple[int, bool]:
        if phone_key in self.accounts:
            return self.accounts[phone_key], False
        self.accounts[phone_key] = 1000 + len(self.accounts)
        return self.accounts[phone_key], True

    def open_session(self, user_id: int, now: datetime, hours: int) -> str:
        self.sessions.append((user_id, now, hours))
        return f"ggs_fake_{len(self.sessions)}"


def _tried(c: Any) -> Any:
    from dataclasses import replace

    return replace(c, tries=c.tries + 1)


class CodeOutbox:
    """gridgov.residents.ports.CodeSender that keeps what it was given to send (the loopback gateway's role)."""

    def __init__(self, accept: bool = True) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.accept = accept

    def send_code(self, mobile: str, text: str, key: str) -> bool:
        self.sent.append((mobile, text, key))
        return self.accept
