"""What the proposal services need from storage: the repository, and the unit of work that holds it beside the
case loop's repositories (a 社情民意 becomes a case) in one transaction. The feature's errors live in domain.py
(the guards return them) and are re-exported here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gridgov.cases.ports import CasesUnitOfWork
from gridgov.proposals.domain import BatchNotFound, ImportRefused, LimitPassed, NotPermitted, ProposalNotFound
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

__all__ = [
    "BatchNotFound",
    "ImportRefused",
    "LimitPassed",
    "NotPermitted",
    "ProposalNotFound",
    "ProposalRepository",
    "ProposalsUnitOfWork",
    "Row",
]

# the rows an item's steps add beside its events
Row = (
    ProposalBatch
    | ProposalMember
    | ProposalStation
    | ProposalStationMember
    | ProposalHandler
    | ProposalContact
    | ProposalPromise
    | ProposalRating
)


class ProposalRepository(Protocol):
    def get(self, proposal_id: int) -> Proposal | None: ...
    def add_many(self, items: Sequence[tuple[Proposal, Sequence[ProposalEvent], Sequence[ProposalAuthor]]]) -> None:
        """New items, each with its events and its authors (the rows already hold their chains' heads)."""
        ...

    def add_event(self, event: ProposalEvent) -> None: ...
    def add_row(self, row: Row) -> None:
        """A batch, member, station, handler, contact, promise or rating (flushed: its id is set)."""
        ...

    def batch(self, code: str) -> ProposalBatch | None: ...
    def number_taken(self, batch_id: int, number: str) -> bool: ...
    def member(self, body: str, name: str) -> ProposalMember | None: ...
    def member_of_user(self, user_id: int) -> ProposalMember | None: ...
    def member_by_id(self, member_id: int) -> ProposalMember | None: ...
    def station(self, station_id: int) -> ProposalStation | None: ...
    def authors(self, proposal_id: int) -> Sequence[tuple[ProposalAuthor, ProposalMember]]: ...
    def handlers(self, proposal_id: int) -> Sequence[ProposalHandler]: ...
    def promises(self, proposal_id: int) -> Sequence[ProposalPromise]: ...
    def ratings(self, proposal_id: int) -> Sequence[ProposalRating]: ...


class ProposalsUnitOfWork(CasesUnitOfWork, Protocol):
    """The proposals' repository and the case loop's, in one transaction."""

    @property
    def proposals(self) -> ProposalRepository: ...
