"""The log's ports: where events enter it inside a transaction, and where checkpoints go outside the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from gridgov.audit.log import Checkpoint, Signer, Verifier

__all__ = ["AuditLog", "CheckpointStore", "PendingLeaf", "Signer", "Verifier"]


@dataclass(frozen=True, slots=True)
class PendingLeaf:
    """An event written in the current transaction, waiting for its place in the log at commit.

    `subject` is called at commit (a new case has its id only once it is written)."""

    stream: str
    subject: Callable[[], int | None]
    seq: int
    event_hash: str


class AuditLog(Protocol):
    """The append-only log, as one transaction sees it. Events are queued as they are written; at commit the
    log gives them the next positions, commits to their subjects' state and moves the signed tree head, in
    the same transaction."""

    def queue(self, leaf: PendingLeaf) -> None: ...

    def forget(self, stream: str, subject_id: int) -> None:
        """Erase the subject's salt (personal data erased): the digests made with it can no longer be linked to
        any value; the next state is made with a new salt."""
        ...

    def seal(self) -> None:
        """Called by the unit of work just before it commits."""
        ...


class CheckpointStore(Protocol):
    """Outside the database, append-only: a directory of files, a second database, a witness."""

    @property
    def name(self) -> str: ...

    def append(self, checkpoint: Checkpoint) -> None: ...

    def all(self) -> Sequence[Checkpoint]:
        """Every checkpoint that could be read, oldest first (by size, then time); entries that could not be read
        are reported by `problems()`."""
        ...

    def problems(self) -> Sequence[str]:
        """Entries that could not be read as checkpoints (seen by the last `all()`)."""
        ...
