"""SqlProposalRepository and the proposals' queries on a real database, each test in a rolled-back transaction.

The repository scenarios run against tests/fakes.py's FakeProposalRepository too, so the fake the unit tier
relies on is held to the SQL it stands for; the scope of the list (a unit sees what is assigned to it, a deputy
their own, a leader everything) and the report are checked on SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from gridgov.actor import Actor, Role
from gridgov.proposals import queries
from gridgov.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalBatch,
    ProposalHandler,
    ProposalMember,
    ProposalPromise,
)
from gridgov.proposals.ports import ProposalRepository
from gridgov.proposals.queries import ProposalFilter
from gridgov.proposals.repository import SqlProposalRepository

from factories import AT, make_unit, make_user
from fakes import FakeUnitOfWork

TABLES = ("proposal_events", "proposal_ratings", "proposal_promises", "proposal_contacts", "proposal_handlers",
          "proposal_authors", "proposals", "proposal_station_members", "proposal_stations", "proposal_members",
          "proposal_batches")  # fmt: skip
TODAY = date(2026, 5, 10)


@pytest.fixture
def hidden(connection: Connection) -> Connection:
    """Other tiers' items hidden inside the rolled-back transaction."""
    for table in TABLES:
        connection.execute(text(f"DELETE FROM {table}"))
    return connection


@dataclass
class Store:
    repo: ProposalRepository
    add: Callable[[Any], None]


@pytest.fixture(params=["sql", "fake"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "sql":
        request.getfixturevalue("hidden")
        session: Session = request.getfixturevalue("session")

        def add_sql(row: Any) -> None:
            session.add(row)
            session.flush()

        yield Store(SqlProposalRepository(session), add_sql)
    else:
        uow = FakeUnitOfWork()
        with uow:
            yield Store(uow.proposals, uow.proposals.rows.insert)


def item(batch_id: int, number: str, **kw: Any) -> Proposal:
    base: dict[str, Any] = dict(
        batch_id=batch_id, number=number, kind="proposal", title=f"提案{number}", status="received",
        created_at=AT, updated_at=AT, event_count=0, last_event_hash="", version=1,
    )  # fmt: skip
    return Proposal(**{**base, **kw})


def test_items_with_their_authors_members_and_promises(store: Store) -> None:
    batch = ProposalBatch(code="B1", name="批次", held_on=date(2026, 1, 1), created_at=AT)
    store.repo.add_row(batch)
    lead, other = ProposalMember(body="cppcc", name="王委员"), ProposalMember(body="cppcc", name="李委员")
    store.repo.add_row(lead)
    store.repo.add_row(other)
    p = item(batch.id, "001")
    store.repo.add_many(
        [(p, [], [ProposalAuthor(member_id=other.id, lead=False), ProposalAuthor(member_id=lead.id, lead=True)])]
    )
    assert store.repo.number_taken(batch.id, "001") and not store.repo.number_taken(batch.id, "002")
    assert store.repo.batch("B1") is not None and store.repo.batch("B2") is None
    assert [(a.lead, m.name) for a, m in store.repo.authors(p.id)] == [(True, "王委员"), (False, "李委员")]
    assert store.repo.member("cppcc", "李委员") is not None and store.repo.member("npc", "李委员") is None
    store.repo.add_row(ProposalPromise(proposal_id=p.id, text="二", due_on=date(2026, 6, 1)))
    store.repo.add_row(ProposalPromise(proposal_id=p.id, text="一", due_on=date(2026, 5, 1)))
    assert [x.text for x in store.repo.promises(p.id)] == ["二", "一"]  # in the order given


def test_the_list_shows_each_person_their_part(hidden: Connection, session: Session) -> None:
    a, b = make_unit(kind="district_bureau"), make_unit(kind="district_bureau")
    user = make_user(username="integration-deputy", role="deputy")
    session.add_all([a, b, user])
    session.flush()
    batch = ProposalBatch(code="B1", name="批次", held_on=date(2026, 1, 1), created_at=AT)
    member = ProposalMember(body="npc", name="王代表", user_id=user.id)
    session.add_all([batch, member])
    session.flush()
    p1 = item(
        batch.id, "1", status="assigned", lead_unit_id=a.id, due_on=date(2026, 4, 30), answer_by=date(2026, 4, 30)
    )
    p2 = item(
        batch.id, "2", status="assigned", lead_unit_id=b.id, due_on=date(2026, 6, 30), answer_by=date(2026, 6, 30)
    )
    session.add_all([p1, p2])
    session.flush()
    session.add_all([
        ProposalHandler(proposal_id=p1.id, unit_id=a.id, role="lead", active=True, assigned_on=date(2026, 1, 31)),
        ProposalHandler(proposal_id=p2.id, unit_id=b.id, role="lead", active=True, assigned_on=date(2026, 1, 31)),
        ProposalHandler(proposal_id=p2.id, unit_id=a.id, role="co", active=True, assigned_on=date(2026, 1, 31)),
        ProposalAuthor(proposal_id=p2.id, member_id=member.id, lead=True),
    ])  # fmt: skip
    session.flush()

    def numbers(actor: Actor, **f: Any) -> list[str]:
        return [i["number"] for i in queries.list_proposals(session, actor, ProposalFilter(**f), TODAY)["items"]]

    assert numbers(Actor(1, Role.LEADER, None)) == ["1", "2"]
    assert numbers(Actor(2, Role.DEPARTMENT, a.id)) == ["1", "2"]  # lead of 1, co-handler of 2
    assert numbers(Actor(3, Role.DEPARTMENT, b.id)) == ["2"]
    assert numbers(Actor(user.id, Role.DEPUTY, None)) == ["2"]
    assert numbers(Actor(9, Role.DEPUTY, None)) == []
    assert numbers(Actor(1, Role.LEADER, None), overdue=True) == ["1"]
    assert numbers(Actor(1, Role.LEADER, None), status="handling", unit=b.code) == ["2"]
    with pytest.raises(queries.ProposalNotFound):
        queries.proposal_detail(session, Actor(3, Role.DEPARTMENT, b.id), p1.id, TODAY)
    with pytest.raises(queries.NotPermitted):
        queries.list_proposals(session, Actor(4, Role.RESIDENT, None), ProposalFilter(), TODAY)
    rep = queries.report(session, "B1", TODAY)
    assert [u["unit"] for u in rep["units"]] == sorted([a.code, b.code])
    assert rep["total"]["due"] == 1 and rep["total"]["on_time"] == 0  # 1 is past its limit, 2 not yet due
