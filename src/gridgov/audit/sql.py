"""The log in the database (SQLAlchemy Core): its tables, the writer that seals a transaction's events into it,
and the reader the verifier walks.

The tables are defined on the audit package's own MetaData (the kernel may not import gridgov.db);
gridgov.models copies them into Base.metadata so that Alembic sees them.

- `audit_log`: one row per leaf, `idx` 0, 1, 2, … with no gap; the leaf's fields and its hash.
- `audit_head`: one row, the signed tree head (size, root, time, signature) and the frontier the next writer
  needs. Each writing transaction locks it last (SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer),
  so positions follow commit order and no deadlock can form around it.
- `audit_salts`: one random salt per subject, for the HMAC over its personal fields. Erasable.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.log import Checkpoint, Signer, Verifier, checkpoint_time, entry_hash, state_of
from gridgov.audit.merkle import EMPTY_ROOT, Frontier, levels_of
from gridgov.audit.merkle import prefix_root as merkle_prefix_root
from gridgov.audit.ports import CheckpointStore, PendingLeaf

# the same naming convention as gridgov.db.Base, so the copies in Base.metadata name constraints alike
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

audit_log = Table(
    "audit_log",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("stream", String(20), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_hash", String(64), nullable=False),
    Column("state", String(100), nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    UniqueConstraint("stream", "subject_id", "seq"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("origin", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),
    Column("time", String(40), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("frontier", Text, nullable=False),  # JSON list of hex node hashes
)

audit_salts = Table(
    "audit_salts",
    metadata,
    Column("stream", String(20), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("salt", String(64), nullable=False),
    PrimaryKeyConstraint("stream", "subject_id"),
)

TABLES = (audit_log, audit_head, audit_salts)
HEAD_ID = 1

# stream → (session, subject ids, salts) → {subject id: state text}
StateFunction = Callable[[Session, Sequence[int], Mapping[int, bytes]], Mapping[int, str]]


def _insert_ignore(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def head_checkpoint(row: Mapping[Any, Any]) -> Checkpoint:
    return Checkpoint(row["origin"], row["size"], row["root"], row["time"], row["key_id"], row["signature"])


def _utc_now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LogSettings:
    """What a writing unit of work needs to extend the log: its name, the clock and the key (None: heads unsigned)."""

    origin: str = "gridgov"
    now: Callable[[], datetime] = _utc_now
    signer: Signer | None = None


class SqlAuditLog:
    """The log as one SQL transaction writes it (the adapter of gridgov.audit.ports.AuditLog)."""

    def __init__(
        self,
        session: Session,
        *,
        origin: str,
        now: Callable[[], datetime],
        signer: Signer | None = None,
        states: Mapping[str, StateFunction] | None = None,
    ) -> None:
        self.session = session
        self.origin = origin
        self.now = now
        self.signer = signer
        self.states = dict(states or {})
        self._pending: list[PendingLeaf] = []

    def queue(self, leaf: PendingLeaf) -> None:
        self._pending.append(leaf)

    def pending(self, stream: str) -> list[tuple[int, int]]:
        """(subject id, seq) of the events of `stream` this transaction has written so far (flushes first)."""
        if not any(p.stream == stream for p in self._pending):
            return []
        self.session.flush()
        return [(s, p.seq) for p in self._pending if p.stream == stream and (s := p.subject()) is not None]

    def forget(self, stream: str, subject_id: int) -> None:
        self.session.execute(
            delete(audit_salts).where(audit_salts.c.stream == stream, audit_salts.c.subject_id == subject_id)
        )

    def seal(self) -> None:
        if not self._pending:
            return
        s = self.session
        s.flush()
        entries = []
        for p in self._pending:
            subject = p.subject()
            if subject is None:
                raise RuntimeError("an event reached the log before its subject was written")
            entries.append((p.stream, subject, p.seq, p.event_hash))
        states: dict[tuple[str, int], str] = {}
        for stream in dict.fromkeys(e[0] for e in entries):
            fn = self.states.get(stream)
            if fn is None:
                continue
            ids = list(dict.fromkeys(e[1] for e in entries if e[0] == stream))
            salts = self._salts(stream, ids)
            for subject, text in fn(s, ids, salts).items():
                states[(stream, subject)] = text
        head = lock_head(s, self.origin)
        frontier = Frontier.from_hex(json.loads(head["frontier"]), head["size"])
        rows = []
        for stream, subject, seq, event_hash in entries:
            state = states.get((stream, subject), "")
            leaf = entry_hash(stream, subject, seq, event_hash, state)
            rows.append(
                {
                    "idx": frontier.size,
                    "stream": stream,
                    "subject_id": subject,
                    "seq": seq,
                    "event_hash": event_hash,
                    "state": state,
                    "leaf_hash": leaf.hex(),
                }
            )
            frontier.append(leaf)
        s.execute(insert(audit_log), rows)
        cp = Checkpoint(self.origin, frontier.size, frontier.root().hex(), checkpoint_time(self.now()))
        if self.signer is not None:
            cp = cp.sign(self.signer)
        s.execute(
            update(audit_head)
            .where(audit_head.c.id == HEAD_ID)
            .values(
                origin=cp.origin,
                size=cp.size,
                root=cp.root,
                time=cp.time,
                key_id=cp.key_id,
                signature=cp.signature,
                frontier=json.dumps(frontier.to_hex()),
            )
        )
        self._pending.clear()

    def _salts(self, stream: str, ids: Sequence[int]) -> dict[int, bytes]:
        s = self.session
        found = read_salts(s.connection(), stream, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            dialect = s.get_bind().dialect.name
            s.execute(
                _insert_ignore(dialect, audit_salts),
                [{"stream": stream, "subject_id": i, "salt": secrets.token_hex(16)} for i in missing],
            )
            found.update(read_salts(s.connection(), stream, missing))
        return found


def lock_head(s: Session, origin: str) -> Mapping[Any, Any]:
    """The head row, locked until the transaction ends (created when missing)."""
    stmt = select(audit_head).where(audit_head.c.id == HEAD_ID).with_for_update()
    row = s.execute(stmt).mappings().first()
    if row is None:
        s.execute(
            _insert_ignore(s.get_bind().dialect.name, audit_head),
            [
                {
                    "id": HEAD_ID,
                    "origin": origin,
                    "size": 0,
                    "root": EMPTY_ROOT.hex(),
                    "time": "",
                    "key_id": "",
                    "signature": "",
                    "frontier": "[]",
                }
            ],
        )
        row = s.execute(stmt).mappings().one()
    return row


def read_salts(conn: Connection, stream: str, ids: Sequence[int]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        rows = conn.execute(
            select(audit_salts.c.subject_id, audit_salts.c.salt).where(
                audit_salts.c.stream == stream, audit_salts.c.subject_id.in_(chunk)
            )
        )
        found.update({int(r[0]): bytes.fromhex(r[1]) for r in rows})
    return found


def read_head(conn: Connection) -> Mapping[Any, Any] | None:
    return conn.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).mappings().first()


def leaf_hashes(conn: Connection, limit: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(idx, leaf hash) in log order."""
    stmt = select(audit_log.c.idx, audit_log.c.leaf_hash).order_by(audit_log.c.idx)
    if limit is not None:
        stmt = stmt.where(audit_log.c.idx < limit)
    for idx, leaf in conn.execute(stmt.execution_options(yield_per=10000)):
        yield int(idx), bytes.fromhex(leaf)


# --- a second database as the checkpoint store (a witness that only appends) -----------------------------------

witness_metadata = MetaData(naming_convention=NAMING)
witness_checkpoints = Table(
    "audit_checkpoints",
    witness_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),
    Column("time", String(40), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(200), nullable=False),
)


class SqlCheckpointStore:
    """Checkpoints appended to a table in another database (its own URL; a role there with INSERT and SELECT only
    makes it a witness that cannot forget). The table is created when missing."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.engine = create_engine(url)
        self.name = f"witness database {self.engine.url.render_as_string(hide_password=True)}"
        self._ready = False
        self._problems: list[str] = []

    def _ensure(self) -> None:
        if not self._ready:
            witness_metadata.create_all(self.engine)
            self._ready = True

    def append(self, checkpoint: Checkpoint) -> None:
        self._ensure()
        with self.engine.begin() as conn:
            conn.execute(
                insert(witness_checkpoints).values(
                    origin=checkpoint.origin,
                    size=checkpoint.size,
                    root=checkpoint.root,
                    time=checkpoint.time,
                    key_id=checkpoint.key_id,
                    signature=checkpoint.signature,
                )
            )

    def all(self) -> list[Checkpoint]:
        self._ensure()
        self._problems = []
        found = []
        with self.engine.connect() as conn:
            for r in conn.execute(select(witness_checkpoints).order_by(witness_checkpoints.c.id)).mappings():
                try:
                    found.append(Checkpoint.from_json(r))
                except ValueError as exc:
                    self._problems.append(f"{self.name} #{r['id']}: {exc}")
        return sorted(found, key=lambda c: (c.size, c.time))

    def problems(self) -> list[str]:
        return list(self._problems)

    def close(self) -> None:
        self.engine.dispose()


# --- checkpoints --------------------------------------------------------------------------------------------------


class LogError(Exception):
    """The log is not in a state that may be checkpointed (the message says why, in Chinese)."""


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    checkpoint: Checkpoint
    previous: Checkpoint | None
    adopted: bool  # the head was unsigned and is now signed
    hash_seconds: float  # recomputing the tree from the leaves
    sign_seconds: float  # the Ed25519 signature


def make_checkpoint(
    session: Session,
    *,
    signer: Signer,
    stores: Sequence[CheckpointStore],
    origin: str,
    now: datetime,
    adopt: bool = False,
) -> CheckpointResult:
    """Sign the log's current tree and append the checkpoint to every store outside the database.

    Refuses (LogError) unless the leaves recompute to the signed head, and the newest checkpoint already out is a
    prefix of this tree (its root is the root of the first leaves), so a checkpoint never blesses a rewritten or
    rolled-back log. An unsigned head (a log migrated from before signing, or written without the key) is signed
    only with `adopt`, after `gridgov audit verify` has passed."""
    conn = session.connection()
    verifier = _verifier_of(signer)
    head_row = lock_head(session, origin) if adopt else read_head(conn)
    head = head_checkpoint(head_row) if head_row is not None else Checkpoint(origin, 0, EMPTY_ROOT.hex(), "")
    if head.signed and not head.valid(verifier):
        raise LogError("树头签名无效: 拒绝生成检查点 (请先运行 gridgov audit verify)")
    if not head.signed and head.size and not adopt:
        raise LogError("树头未签名: 确认 gridgov audit verify 通过后, 以 --adopt 签署现有日志")
    previous = [c for store in stores for c in store.all() if c.valid(verifier) and c.origin == origin]
    last = max(previous, key=lambda c: (c.size, c.time)) if previous else None
    started = time.perf_counter()
    # writers may append meanwhile: the head's tree only; the tree a level at a time (merkle.levels_of)
    leaves = [leaf for _, leaf in leaf_hashes(conn, limit=head.size)]
    levels = levels_of(leaves)
    size, tree_root = len(leaves), merkle_prefix_root(levels, len(leaves)).hex()
    earlier = merkle_prefix_root(levels, last.size).hex() if last is not None and last.size <= size else None
    del levels, leaves
    hash_seconds = time.perf_counter() - started
    if size != head.size or tree_root != head.root:
        raise LogError(f"日志 ({size} 条) 与树头 ({head.size} 条) 不符: 拒绝生成检查点")
    if last is not None and (last.size > size or earlier != last.root):
        raise LogError(f"日志与上一个检查点 (大小 {last.size}, {last.time}) 不一致: 日志被改写或回滚, 拒绝生成检查点")
    started = time.perf_counter()
    cp = Checkpoint(origin, head.size, head.root, checkpoint_time(now)).sign(signer)
    sign_seconds = time.perf_counter() - started
    adopted = False
    if not head.signed and head.size:
        session.execute(
            update(audit_head)
            .where(audit_head.c.id == HEAD_ID)
            .values(origin=cp.origin, time=cp.time, key_id=cp.key_id, signature=cp.signature)
        )
        adopted = True
    session.commit()
    for store in stores:
        store.append(cp)
    return CheckpointResult(cp, last, adopted, hash_seconds, sign_seconds)


def _verifier_of(signer: Signer) -> Verifier:
    from gridgov.audit.keys import Ed25519Verifier  # cryptography loads only where a key is used

    return Ed25519Verifier(signer.public_key())


# -- a feature's stream: its chains against the log ------------------------------------------------------------------
EVENT_FIELDS = (
    "id",
    "seq",
    "event_type",
    "tag",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "unit_id",
    "occurred_at",
    "payload",
    "prev_hash",
    "hash",
)  # the columns of a feature's event table that its chain hashes (projects, proposals)


@dataclass
class StreamAudit:
    subjects: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_stream(
    session: Session,
    stream: str,
    heads: Mapping[int, tuple[str, int, str]],
    events: Any,
    noun: str,
    stop_after: int = 100,
) -> StreamAudit:
    """Each subject's hash chain (verify_chain) and its place in the city's log: every event is a leaf of `stream`
    with the same hash, and every such leaf has its event. `heads`: subject id → (reference, event count, last
    hash); `events`: a select of (subject_id, *EVENT_FIELDS) ordered by subject and seq; `noun` names a subject
    in the problems (项目, 建议提案)."""
    report = StreamAudit(subjects=len(heads))
    leaves: dict[tuple[int, int], str] = {
        (int(s), int(q)): h
        for s, q, h in session.execute(
            select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash).where(audit_log.c.stream == stream)
        )
    }
    report.leaves = len(leaves)
    chains: dict[int, list[dict[str, object]]] = {}
    for row in session.execute(events.execution_options(yield_per=5000)).mappings():
        chains.setdefault(int(row["subject_id"]), []).append(dict(row))

    def problem(p: ChainProblem) -> None:
        if len(report.problems) < stop_after:
            report.problems.append(p)

    for sid, (ref, count, head) in sorted(heads.items()):
        chain = chains.pop(sid, [])
        report.events += len(chain)
        found = verify_chain(sid, ref, chain, count, head)
        if found is not None:
            problem(found)
        for ev in chain:
            key = (sid, int(ev["seq"]))  # type: ignore[call-overload]
            if key not in leaves:
                problem(ChainProblem(sid, int(ev["id"]), key[1], "事件不在全市日志中 (事件是绕过系统写入的)"))  # type: ignore[call-overload]
            elif leaves.pop(key) != ev["hash"]:
                problem(ChainProblem(sid, int(ev["id"]), key[1], "事件哈希与全市日志不符 (事件链被重写)"))  # type: ignore[call-overload]
    for sid, chain in chains.items():
        problem(ChainProblem(sid, None, len(chain), f"{noun}已不存在, 其事件仍在 ({noun}被删除)"))
    for (sid, seq), _ in sorted(leaves.items()):
        if sid in heads:
            problem(ChainProblem(sid, None, seq, "全市日志记录着该事件, 事件已不存在 (事件被删除)"))
        else:
            problem(ChainProblem(sid, None, seq, f"全市日志记录着该{noun}的事件, {noun}已不存在 ({noun}被删除)"))
    return report


def row_states(
    version: str, columns: Sequence[Any], chunk: int = 500
) -> Callable[[Session, Sequence[int], Mapping[int, bytes]], dict[int, str]]:
    """The state function of a feature whose subject is one row (projects, proposals): the state each subject's
    leaves commit to, its `columns` (the first is its id) under its salt, read in the sealing transaction after the
    last flush, as `version.` + the state's text."""
    names = [c.key for c in columns]

    def states(session: Session, ids: Sequence[int], salts: Mapping[int, bytes]) -> dict[int, str]:
        out: dict[int, str] = {}
        for i in range(0, len(ids), chunk):
            part = list(ids[i : i + chunk])
            for row in session.execute(select(*columns).where(columns[0].in_(part))).mappings():
                state = state_of([(n, row[n]) for n in names], [], [], salts[row["id"]])
                out[row["id"]] = f"{version}.{state.text()}"
        return out

    return states
