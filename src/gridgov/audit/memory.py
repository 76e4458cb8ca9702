"""The in-memory log (the fake of gridgov.audit.ports.AuditLog): the same positions, leaf hashes and signed head as
the SQL log, without a database. States come from an optional function of the subject id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gridgov.audit.log import Checkpoint, Signer, entry_hash
from gridgov.audit.merkle import Frontier
from gridgov.audit.ports import PendingLeaf


@dataclass(frozen=True, slots=True)
class Entry:
    idx: int
    stream: str
    subject_id: int
    seq: int
    event_hash: str
    state: str
    leaf_hash: bytes


@dataclass
class MemoryLogStore:
    """What the fake database keeps across units of work."""

    origin: str = "gridgov/test"
    entries: list[Entry] = field(default_factory=list)
    frontier: Frontier = field(default_factory=Frontier)
    head: Checkpoint | None = None
    salts: dict[tuple[str, int], bytes] = field(default_factory=dict)


class MemoryAuditLog:
    def __init__(
        self,
        store: MemoryLogStore,
        *,
        time: Callable[[], str] = lambda: "",
        signer: Signer | None = None,
        state: Callable[[str, int], str] | None = None,
    ) -> None:
        self.store = store
        self.time = time
        self.signer = signer
        self.state = state
        self._pending: list[PendingLeaf] = []
        self._forgotten: list[tuple[str, int]] = []

    def queue(self, leaf: PendingLeaf) -> None:
        self._pending.append(leaf)

    def forget(self, stream: str, subject_id: int) -> None:
        self._forgotten.append((stream, subject_id))

    def seal(self) -> None:
        for key in self._forgotten:
            self.store.salts.pop(key, None)
        self._forgotten.clear()
        if not self._pending:
            return
        for p in self._pending:
            subject = p.subject()
            if subject is None:
                raise RuntimeError("an event reached the log before its subject was written")
            state = self.state(p.stream, subject) if self.state else ""
            leaf = entry_hash(p.stream, subject, p.seq, p.event_hash, state)
            self.store.entries.append(
                Entry(self.store.frontier.size, p.stream, subject, p.seq, p.event_hash, state, leaf)
            )
            self.store.frontier.append(leaf)
        head = Checkpoint(self.store.origin, self.store.frontier.size, self.store.frontier.root().hex(), self.time())
        self.store.head = head.sign(self.signer) if self.signer else head
        self._pending.clear()
