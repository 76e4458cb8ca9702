"""The SQL adapters: the proposal repository (every event it writes is queued as a leaf of the city's log), the
state an item's leaf commits to, and the unit of work that adds the repository to the shared one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.audit.sql import row_states
from gridgov.cases.bound import CaseLoopBoundUnitOfWork
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.errors import DuplicateKey
from gridgov.proposals.events import STREAM
from gridgov.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalBatch,
    ProposalEvent,
    ProposalHandler,
    ProposalMember,
    ProposalPromise,
    ProposalRating,
    ProposalStation,
)
from gridgov.proposals.ports import Row

STATE_VERSION = "q"
# the columns an item's leaf commits to (its row as the event's transaction left it; the authors' names are not
# on the row)
STATE_COLUMNS = (
    "id",
    "batch_id",
    "number",
    "kind",
    "title",
    "category",
    "focus",
    "status",
    "lead_unit_id",
    "assigned_on",
    "answer_by",
    "final_by",
    "due_on",
    "extended",
    "first_answered_on",
    "answered_on",
    "answer_class",
    "public",
    "rehandles",
    "rehandle_by",
    "rating_work",
    "rating_result",
    "closed_on",
    "case_id",
    "generated",
    "event_count",
    "last_event_hash",
)
_STATE_SELECT = [getattr(Proposal, c) for c in STATE_COLUMNS]


proposal_states = row_states(STATE_VERSION, _STATE_SELECT)  # the state each item's leaves commit to


class SqlProposalRepository:
    def __init__(self, session: Session, log: AuditLog | None = None) -> None:
        self.session = session
        self.log = log

    def _queue(self, proposal_id: Callable[[], int | None], seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf(STREAM, proposal_id, seq, event_hash))

    def get(self, proposal_id: int) -> Proposal | None:
        """The item to change, its row locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
        return self.session.execute(
            select(Proposal).where(Proposal.id == proposal_id).with_for_update()
        ).scalar_one_or_none()

    def add_many(self, items: Sequence[tuple[Proposal, Sequence[ProposalEvent], Sequence[ProposalAuthor]]]) -> None:
        self.session.add_all([p for p, _, _ in items])
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc
        for proposal, events, authors in items:
            pid = proposal.id
            for author in authors:
                author.proposal_id = pid
                self.session.add(author)
            for event in events:
                event.proposal_id = pid
                self.session.add(event)
                self._queue(lambda pid=pid: pid, event.seq, event.hash)  # type: ignore[misc]
        self.session.flush()

    def add_event(self, event: ProposalEvent) -> None:
        self.session.add(event)
        pid = event.proposal_id
        self._queue(lambda: pid, event.seq, event.hash)

    def add_row(self, row: Row) -> None:
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    def batch(self, code: str) -> ProposalBatch | None:
        return self.session.execute(select(ProposalBatch).where(ProposalBatch.code == code)).scalar_one_or_none()

    def number_taken(self, batch_id: int, number: str) -> bool:
        stmt = select(Proposal.id).where(Proposal.batch_id == batch_id, Proposal.number == number)
        return self.session.execute(stmt).first() is not None

    def member(self, body: str, name: str) -> ProposalMember | None:
        stmt = select(ProposalMember).where(ProposalMember.body == body, ProposalMember.name == name)
        return self.session.execute(stmt).scalar_one_or_none()

    def member_of_user(self, user_id: int) -> ProposalMember | None:
        stmt = select(ProposalMember).where(ProposalMember.user_id == user_id)
        return self.session.execute(stmt).scalar_one_or_none()

    def member_by_id(self, member_id: int) -> ProposalMember | None:
        return self.session.get(ProposalMember, member_id)

    def station(self, station_id: int) -> ProposalStation | None:
        return self.session.get(ProposalStation, station_id)

    def authors(self, proposal_id: int) -> list[tuple[ProposalAuthor, ProposalMember]]:
        stmt = (
            select(ProposalAuthor, ProposalMember)
            .join(ProposalMember, ProposalMember.id == ProposalAuthor.member_id)
            .where(ProposalAuthor.proposal_id == proposal_id)
            .order_by(ProposalAuthor.lead.desc(), ProposalAuthor.id)
        )
        return [(a, m) for a, m in self.session.execute(stmt).all()]

    def handlers(self, proposal_id: int) -> list[ProposalHandler]:
        stmt = select(ProposalHandler).where(ProposalHandler.proposal_id == proposal_id).order_by(ProposalHandler.id)
        return list(self.session.execute(stmt).scalars())

    def promises(self, proposal_id: int) -> list[ProposalPromise]:
        stmt = select(ProposalPromise).where(ProposalPromise.proposal_id == proposal_id).order_by(ProposalPromise.id)
        return list(self.session.execute(stmt).scalars())

    def ratings(self, proposal_id: int) -> list[ProposalRating]:
        stmt = select(ProposalRating).where(ProposalRating.proposal_id == proposal_id).order_by(ProposalRating.round)
        return list(self.session.execute(stmt).scalars())


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    """The shared SQL unit of work (gridgov.uow.SqlUnitOfWork) as seen from here: its session and its log."""

    session: Session


class SqlProposalsUnitOfWork(CaseLoopBoundUnitOfWork):
    """The shared SQL unit of work from the container with the proposal repository bound to its session and its
    log; the case loop's repositories are the shared unit's own (a 社情民意 becomes a case)."""

    proposals: SqlProposalRepository
    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        log = self._base.audit
        states = getattr(log, "states", None)
        if isinstance(states, dict):  # the SQL log: the state an item's leaf commits to
            states.setdefault(STREAM, proposal_states)
        self.proposals = SqlProposalRepository(self._base.session, log)
