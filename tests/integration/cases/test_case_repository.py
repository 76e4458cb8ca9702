"""SqlCaseRepository's hand-written queries on a real database, each test in a rolled-back transaction.

The same scenarios run against tests/fakes.py's FakeCaseRepository, so the fake the unit tier relies on is held
to the behaviour of the SQL it stands for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.repository import CaseRepository, SqlCaseRepository
from gridgov.errors import Conflict

from factories import AT, make_case, make_event
from fakes import FakeUnitOfWork


@dataclass
class Store:
    repo: CaseRepository
    add: Callable[[Any], None]


@pytest.fixture(params=["sql", "fake"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "sql":
        session: Session = request.getfixturevalue("session")

        def add_sql(row: Any) -> None:
            session.add(row)
            session.flush()

        yield Store(SqlCaseRepository(session), add_sql)
    else:
        uow = FakeUnitOfWork()
        with uow:
            yield Store(uow.cases, uow.cases.rows.insert)


def _columns(row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in row.__table__.columns if c.name != "id"}


def case(store: Store, **kw: Any) -> Case:
    row = make_case(**kw)
    store.add(row)
    return row


def test_due_alarm_rows_are_open_cases_due_by_now_in_keyset_order(store: Store) -> None:
    t = AT
    a = case(store, status="dispatched", next_alarm_at=t + timedelta(minutes=1))
    b = case(store, status="accepted", next_alarm_at=t)
    c = case(store, status="dispatched", next_alarm_at=t)  # same instant as b: the id breaks the tie
    case(store, status="closed", next_alarm_at=t)  # closed: never alarmed
    case(store, status="dispatched", next_alarm_at=t + timedelta(hours=1))  # not yet due
    case(store, status="reported", next_alarm_at=None)
    now = t + timedelta(minutes=5)
    first = store.repo.due_alarm_rows(now, 2, None)
    assert [r.id for r in first] == [b.id, c.id]
    last = first[-1]
    assert last.next_alarm_at is not None
    rest = store.repo.due_alarm_rows(now, 2, (last.next_alarm_at, last.id))
    assert [r.id for r in rest] == [a.id]
    assert store.repo.due_alarm_rows(now, 2, (rest[0].next_alarm_at, rest[0].id)) == []  # type: ignore[arg-type]
    assert first[0].status == "accepted" and first[0].version == 1 and first[0].tracking_code == b.tracking_code


def test_save_alarm_rows_writes_the_alarm_columns_and_moves_the_version(store: Store) -> None:
    row_case = case(store, status="dispatched", next_alarm_at=AT)
    (row,) = store.repo.due_alarm_rows(AT, 10, None)
    row.alarm_level, row.escalation_level, row.next_alarm_at = "red", 1, AT + timedelta(hours=1)
    row.event_count, row.last_event_hash, row.updated_at = 1, "f" * 64, AT + timedelta(minutes=1)
    store.repo.save_alarm_rows([row])
    again = store.repo.alarm_row(row_case.id)
    assert again is not None
    assert (again.alarm_level, again.escalation_level, again.event_count, again.version) == ("red", 1, 1, 2)
    assert again.next_alarm_at == AT + timedelta(hours=1) and again.last_event_hash == "f" * 64
    store.repo.save_alarm_rows([])  # nothing to write is no statement at all


def test_save_alarm_rows_refuses_a_row_read_at_an_older_version(store: Store) -> None:
    row_case = case(store, status="dispatched", next_alarm_at=AT)
    stale = store.repo.alarm_row(row_case.id)
    assert stale is not None
    fresh = store.repo.alarm_row(row_case.id)
    assert fresh is not None
    store.repo.save_alarm_rows([fresh])  # someone else wrote first: version 2
    with pytest.raises(Conflict):
        store.repo.save_alarm_rows([stale])


def test_insert_event_rows_appends_events_given_as_columns(store: Store) -> None:
    row_case = case(store)
    first = make_event(case_id=row_case.id)
    store.add(first)
    store.repo.insert_event_rows([_columns(make_event(case_id=row_case.id, seq=n, hash=f"{n:064d}")) for n in (2, 3)])
    store.repo.insert_event_rows([])
    if isinstance(store.repo, SqlCaseRepository):
        seqs = list(store.repo.session.scalars(select(CaseEvent.seq).where(CaseEvent.case_id == row_case.id)))
    else:
        seqs = [e.seq for e in store.repo.events(row_case.id)]  # type: ignore[attr-defined]
    assert sorted(seqs) == [1, 2, 3]


def test_duplicate_pool_is_recent_open_cases_in_the_box_or_else_the_street(store: Store) -> None:
    street, other = "410102001", "410102002"
    since = AT - timedelta(days=7)
    near = case(store, at=AT - timedelta(days=1), lat=34.75, lon=113.62, grid_code=f"{street}001001")
    newer = case(store, at=AT - timedelta(hours=1), lat=34.751, lon=113.621, grid_code=f"{street}001002")
    case(store, at=AT - timedelta(hours=2), lat=34.75, lon=113.62, status="merged")  # merged: never a candidate
    case(store, at=AT - timedelta(hours=2), lat=34.75, lon=113.62, status="closed")  # closed
    case(store, at=AT - timedelta(days=30), lat=34.75, lon=113.62)  # too old
    far = case(store, at=AT - timedelta(hours=3), lat=34.90, lon=113.90, grid_code=f"{street}002001")
    case(store, at=AT - timedelta(hours=3), grid_code=f"{other}001001")  # another street, no point
    box = (113.61, 34.74, 113.63, 34.76)  # (min_lon, min_lat, max_lon, max_lat)
    pool = store.repo.duplicate_pool(since, box, None, limit=10)
    assert [p.id for p in pool] == [newer.id, near.id]  # newest first
    assert pool[1].lat == 34.75 and pool[1].grid_code == f"{street}001001" and pool[1].title == near.title
    assert [p.id for p in store.repo.duplicate_pool(since, box, None, limit=1)] == [newer.id]
    in_street = store.repo.duplicate_pool(since, None, street, limit=10)
    assert [p.id for p in in_street] == [newer.id, far.id, near.id]
    assert store.repo.duplicate_pool(since, None, None, limit=10) == []


def test_not_enriched_lists_cases_waiting_for_their_proposal(store: Store) -> None:
    waiting = case(store, at=AT - timedelta(minutes=5))
    case(store, at=AT - timedelta(minutes=5), enriched_at=AT)
    case(store, at=AT + timedelta(minutes=5))  # reported after `before`
    assert store.repo.not_enriched(AT, 10) == [waiting.id]
