"""The cases' part of the city's log (see gridgov.audit and docs/audit.md):

- what a case leaf commits to (`case_states`: the case row, its task rows and, under the case's salt, its
  personal fields, as committed);
- the repository that puts every case event into the log as it is written (`AuditedCaseRepository`);
- `verify_all` (`gridgov audit verify`): the log against its signed head and the checkpoints outside the
  database, every case's chain, and every case and task row re-derived from its events;
- `prove_case` (`gridgov audit prove`): inclusion proofs of a case's events against a published checkpoint.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Boolean, Connection, select
from sqlalchemy.orm import Session

from gridgov.audit.domain import GENESIS, ChainProblem, canonical_time, encode_canonical, verify_chain
from gridgov.audit.log import LEAF_VERSION, Checkpoint, State, Verifier, entry_hash, state_of
from gridgov.audit.merkle import inclusion_proof, levels_of, prefix_root
from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.audit.sql import audit_log, audit_salts, leaf_hashes, read_head
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.cases.repository import SqlCaseRepository
from gridgov.db import UTCDateTime

STREAM = "case"
# streams whose events their own feature checks (`gridgov projects verify`, `gridgov proposals verify`,
# `gridgov knowledge verify`, `gridgov safety verify`); their leaves are hashed and rooted here
OTHER_STREAMS = frozenset({"project", "proposal", "knowledge", "safety_place", "safety_hazard", "safety_plan"})
# the chain checks of those streams, registered by the entry point (gridgov.cli): name → problems as text
FEATURE_CHECKS: dict[str, Callable[[Session], list[str]]] = {}
STATE_VERSION = "1"
_ENCODE = encode_canonical
_quote = encode_basestring  # what the canonical encoder (ensure_ascii=False) writes for a str

# What a case leaf commits to (state version 1). Left out: the row's version counter, updated_at and
# next_alarm_at (the deadline scan moves them without an event), and the smart-dispatch proposal (suggested
# category, confidence, duplicates, needs_review, enriched_at), which is advice, not a fact of the case.
CASE_COLUMNS = (
    "id",
    "tracking_code",
    "source",
    "category_code",
    "urgency",
    "grid_id",
    "grid_code",
    "grid_version_id",
    "lat",
    "lon",
    "input_crs",
    "location_source",
    "location_confidence",
    "reporter_user_id",
    "created_by_id",
    "idempotency_key",
    "category_source",
    "status",
    "status_before_suspend",
    "owner_unit_id",
    "parent_case_id",
    "created_at",
    "registered_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
    "suspended_at",
    "clock_start",
    "clock_due",
    "clock_unit",
    "response_due_at",
    "response_unit",
    "handle_due_at",
    "handle_unit",
    "alarm_level",
    "escalation_level",
    "escalated_to_unit_id",
    "rework_count",
    "return_count",
    "postponed",
    "postpone_request",
    "resolved",
    "satisfaction",
    "evaluated_at",
    "event_count",
    "last_event_hash",
)
# personal data (PIPL): committed only as an HMAC under the case's erasable salt
PERSONAL_COLUMNS = ("title", "description", "address", "reporter_name", "reporter_phone", "request_hash")
TASK_COLUMNS = (
    "id",
    "unit_id",
    "role",
    "status",
    "assigned_at",
    "assigned_by_unit_id",
    "response_due_at",
    "handle_due_at",
    "responded_at",
    "response_late",
    "handled_at",
    "feedback",
    "evidence",
    "return_reason",
    "rework_count",
    "postponed",
    "closed_at",
    "resolved",
    "satisfaction",
    "rating",
    "rating_note",
)
_CASE_SELECT = [getattr(Case, c) for c in CASE_COLUMNS + PERSONAL_COLUMNS]
_TASK_SELECT = [CaseTask.case_id] + [getattr(CaseTask, c) for c in TASK_COLUMNS]


def _state(case: Mapping[Any, Any], tasks: Sequence[Mapping[Any, Any]], salt: bytes) -> State:
    return state_of(
        [(c, case[c]) for c in CASE_COLUMNS],
        [[(c, t[c]) for c in TASK_COLUMNS] for t in tasks],
        [(c, case[c]) for c in PERSONAL_COLUMNS],
        salt,
    )


def _state_text(state: State) -> str:
    return f"{STATE_VERSION}.{state.text()}"


def _parse_state(text: str) -> State | None:
    version, _, rest = text.partition(".")
    return State.parse(rest) if version == STATE_VERSION else None


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def case_states(session: Session, ids: Sequence[int], salts: Mapping[int, bytes]) -> dict[int, str]:
    """The state each case's leaves commit to, read in the sealing transaction (after its last flush)."""
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        tasks: dict[int, list[Mapping[Any, Any]]] = {}
        stmt = select(*_TASK_SELECT).where(CaseTask.case_id.in_(chunk)).order_by(CaseTask.case_id, CaseTask.id)
        for t in session.execute(stmt).mappings():
            tasks.setdefault(t["case_id"], []).append(t)
        for case in session.execute(select(*_CASE_SELECT).where(Case.id.in_(chunk))).mappings():
            out[case["id"]] = _state_text(_state(case, tasks.get(case["id"], []), salts[case["id"]]))
    return out


class AuditedCaseRepository(SqlCaseRepository):
    """The SQL case repository whose every event write also queues the event's leaf in the log."""

    def __init__(self, session: Session, log: AuditLog) -> None:
        super().__init__(session)
        self.log = log

    def _queue(self, case_id: int | None, seq: int, event_hash: str) -> None:
        self.log.queue(PendingLeaf(STREAM, lambda: case_id, seq, event_hash))

    def add(self, case: Case, first_event: CaseEvent) -> None:
        super().add(case, first_event)
        self._queue(case.id, first_event.seq, first_event.hash)

    def add_event(self, event: CaseEvent) -> None:
        super().add_event(event)
        self._queue(event.case_id, event.seq, event.hash)

    def insert_event_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        super().insert_event_rows(rows)
        for row in rows:
            self._queue(row["case_id"], row["seq"], row["hash"])


# --- verification -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogProblem:
    problem: str


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    log_size: int = 0
    root: str = ""
    head: Checkpoint | None = None
    checkpoint: Checkpoint | None = None  # the newest one outside the database that was checked
    problems: list[ChainProblem | LogProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    more_problems: int = 0  # found after the first stop_after
    # CPU seconds of this process per phase: "log and chains" (every leaf and event, read and hashed), "tree"
    # (the Merkle roots), "outside the log", "case rows" (re-derived), "feature checks" (FEATURE_CHECKS)
    phases: dict[str, float] = field(default_factory=dict)
    roots: dict[int, str] = field(default_factory=dict)  # the tree's root at each checked size

    @property
    def ok(self) -> bool:
        return not self.problems


EVENT_COLUMNS = (
    CaseEvent.id,
    CaseEvent.case_id,
    CaseEvent.seq,
    CaseEvent.tag,
    CaseEvent.event_type,
    CaseEvent.action,
    CaseEvent.from_status,
    CaseEvent.to_status,
    CaseEvent.actor_id,
    CaseEvent.actor_role,
    CaseEvent.unit_id,
    CaseEvent.occurred_at,
    CaseEvent.payload,
    CaseEvent.prev_hash,
    CaseEvent.hash,
)


def verify_case(session: Session, case_id: int) -> ChainProblem | None:
    """One case's chain (for its page)."""
    head = session.execute(
        select(Case.tracking_code, Case.event_count, Case.last_event_hash).where(Case.id == case_id)
    ).first()
    if head is None:
        return None
    rows = session.execute(select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))
    return verify_chain(case_id, head[0], [dict(r) for r in rows.mappings()], head[1], head[2])


@dataclass(slots=True)
class _Trail:
    """What the log and the events say about one case, gathered in log order."""

    seq: int = 0  # the last position of the case's chain in the log
    link: str = GENESIS  # the event hash at that position (as the log has it)
    present: int = 0  # events found
    present_hash: str = GENESIS  # the hash of the last event found
    last_missing: bool = False
    state: str = ""
    status: str | None = None
    reworks: int = 0
    returns: int = 0
    verdict: tuple[Any, Any] | None = None
    late: dict[int, Any] = field(default_factory=dict)
    rating: dict[int, Any] = field(default_factory=dict)


_SEMANTIC_ACTIONS = frozenset({"rework", "return", "evaluate", "accept", "check_in", "cancel_task", "rate_department"})


def _follow(trail: _Trail, action: str, payload: Mapping[Any, Any]) -> None:
    """Re-derive the projected facts from one event (besides the status)."""
    if action == "rework":
        trail.reworks += 1
    elif action == "return":
        trail.returns += 1
    elif action == "evaluate":
        trail.verdict = (payload.get("resolved"), payload.get("satisfaction"))
    if action == "rate_department" and "task_id" in payload:
        trail.rating[payload["task_id"]] = payload.get("rating")
    elif "task_id" in payload and "late" in payload:
        trail.late[payload["task_id"]] = payload["late"]


def _time_text(at: Any, sqlite: bool) -> str:
    """The canonical time text (canonical_time) of a raw occurred_at as this database gives it: SQLite's stored
    text in the format SQLAlchemy writes (naive UTC, microseconds), rewritten; PostgreSQL's to_char (see
    _LogWithEvents), already canonical. Any other value, another text of the same instant included (SQLite
    compares the text), gives its repr, which is no honest event's time, so the event's hash does not match."""
    if type(at) is str:
        if sqlite and len(at) == 26 and at[10] == " ":
            return f"{at[:10]}T{at[11:]}Z"
        if not sqlite and len(at) == 27 and at[10] == "T" and at[26] == "Z":
            return at
    return repr(at)


class _Bodies:
    """The canonical bytes an event's hash covers (gridgov.audit.domain.digest_of), built from pieces each encoded
    by the same encoder, so the bytes are the same: the run of fields that few events differ in (type, tag, action,
    statuses, actor, unit) and each payload's canonical text are encoded once per distinct value as stored. A payload
    arrives as the stored JSON text (both databases, see _LogWithEvents); a key is the exact stored text, and equal
    texts decode to equal values, so the cached canonical text is the one the event's own payload gives."""

    LIMIT = 50_000  # distinct runs / payload texts kept; past it, they are encoded each time

    def __init__(self) -> None:
        self.middle: dict[tuple[Any, ...], str] = {}
        self.payloads: dict[str, str] = {}

    def __call__(
        self,
        prev_hash: str,
        ref: str,
        seq: int,
        event_type: str,
        tag: str,
        action: str,
        from_status: str | None,
        to_status: str,
        actor_id: int | None,
        actor_role: str,
        unit_id: int | None,
        time_text: str,
        payload: Any,
    ) -> bytes:
        enc = _ENCODE
        key = (event_type, tag, action, from_status, to_status, actor_id, actor_role, unit_id)
        middle = self.middle.get(key)
        if middle is None:
            middle = enc(list(key))[1:-1]
            if len(self.middle) < self.LIMIT:
                self.middle[key] = middle
        if isinstance(payload, str):
            text = self.payloads.get(payload)
            if text is None:
                text = enc(json.loads(payload))
                if len(self.payloads) < self.LIMIT:
                    self.payloads[payload] = text
        else:
            text = enc(payload)
        # a str or an int encodes as the encoder's own C string escaping or int's repr; anything else (a column
        # rewritten to another type) through the encoder itself
        head = f"{_quote(prev_hash) if type(prev_hash) is str else enc(prev_hash)},"
        head += f"{_quote(ref) if type(ref) is str else enc(ref)},{seq if type(seq) is int else enc(seq)}"
        return f"[{head},{middle},{_quote(time_text)},{text}]".encode()

    @staticmethod
    def decoded(payload: Any) -> Mapping[Any, Any]:
        """The payload as the facts are folded from it: an object, or {} for anything else."""
        value = json.loads(payload) if isinstance(payload, str) else payload
        return value if isinstance(value, dict) else {}


class _Problems:
    def __init__(self, report: AuditReport, stop_after: int) -> None:
        self.report = report
        self.stop_after = stop_after

    def add(self, problem: ChainProblem | LogProblem) -> None:
        if len(self.report.problems) < self.stop_after:
            self.report.problems.append(problem)
        else:
            self.report.more_problems += 1

    def log(self, text: str) -> None:
        self.add(LogProblem(text))

    def case(self, case_id: int, event_id: int | None, seq: int, text: str) -> None:
        self.add(ChainProblem(case_id, event_id, seq, text))


def verify_all(
    session: Session,
    stop_after: int = 100,
    *,
    verifier: Verifier | None = None,
    checkpoints: Sequence[Checkpoint] = (),
    checkpoint_problems: Sequence[str] = (),
    origin: str | None = None,
    jobs: int = 1,
) -> AuditReport:
    """Everything `gridgov audit verify` checks, in one read of the log and one of the cases.

    With `jobs` > 1 (and a database other processes can open) the chains and the case rows are checked by `jobs`
    worker processes, one per range of case ids, on the parent's snapshot (PostgreSQL) or on a read transaction
    of their own (SQLite in WAL mode); this process meanwhile reads the log's leaf hashes, builds the tree and
    checks the head, the checkpoints and the other streams' leaves. The problems found are the same set as the
    serial walk's (see docs/adr/0006-unforgeable-record.md, "Parallel verification")."""
    report = AuditReport()
    clock = time.process_time
    started = clock()
    out = _Problems(report, stop_after)
    url = _shareable_url(session, jobs)
    if url is not None and url.startswith("postgresql"):
        conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        conn = session.connection()
    cps = sorted(checkpoints, key=lambda c: (c.size, c.time))
    head_row = read_head(conn)
    head = None
    if head_row is not None:
        head = Checkpoint(
            head_row["origin"],
            head_row["size"],
            head_row["root"],
            head_row["time"],
            head_row["key_id"],
            head_row["signature"],
        )
    report.head = head
    want_roots = {c.size for c in cps} | ({head.size} if head else set())
    phases = report.phases
    if url is None:
        leaves: list[bytes] = []
        trails = _walk(conn, out, report, None, leaves)
        phases["log and chains"], mark = clock() - started, clock()
        _tree(leaves, want_roots, report)
        del leaves
        roots = report.roots
        phases["tree"], mark = clock() - mark, clock()
        _events_outside_log(conn, out, None)
        _check_head(head, report, out, verifier, origin)
        _check_checkpoints(cps, checkpoint_problems, roots, report, out, verifier, origin)
        phases["outside the log"], mark = clock() - mark, clock()
        _check_cases(conn, trails, report, out, None)
        _deleted_cases(trails, out)
        phases["case rows"], mark = clock() - mark, clock()
    else:
        snapshot = None
        if conn.dialect.name == "postgresql":
            snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar())
        bounds = _case_ranges(conn, jobs)
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(max_workers=len(bounds), mp_context=context) as pool:
            futures = [pool.submit(_verify_range, url, b, snapshot, stop_after) for b in bounds]
            leaves = _log_leaves(conn, out)
            phases["log (parent)"], mark = clock() - started, clock()
            _tree(leaves, want_roots, report)
            del leaves
            phases["tree"], mark = clock() - mark, clock()
            _check_head(head, report, out, verifier, origin)
            _check_checkpoints(cps, checkpoint_problems, report.roots, report, out, verifier, origin)
            phases["outside the log"], mark = clock() - mark, clock()
            for future in futures:
                part = future.result()
                report.events += part.events
                report.cases += part.cases
                report.more_problems += part.more_problems
                for problem in part.problems:
                    out.add(problem)
                for name, seconds in part.phases.items():
                    phases[f"workers: {name}"] = phases.get(f"workers: {name}", 0.0) + seconds
        phases["waiting for the workers"], mark = clock() - mark, clock()
    for name, check in sorted(FEATURE_CHECKS.items()):
        for text in check(session):
            out.log(f"{name}: {text}")
    phases["feature checks"] = clock() - mark
    return report


# case ids lo <= id < hi; None is unbounded
Bounds = tuple[int | None, int | None]
# `--jobs` left to choose: below this size the serial walk is quicker than starting workers
PARALLEL_MIN_LEAVES = 50_000


def default_jobs(log_size: int) -> int:
    """What `gridgov audit verify` runs with when --jobs is not given: a worker per CPU for a big log."""
    return max(1, os.cpu_count() or 1) if log_size >= PARALLEL_MIN_LEAVES else 1


def _shareable_url(session: Session, jobs: int) -> str | None:
    """The URL worker processes open, or None to walk serially (one job, or an in-memory SQLite database)."""
    if jobs <= 1:
        return None
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _range_sql(column: str, bounds: Bounds | None) -> str:
    if bounds is None:
        return ""
    lo, hi = bounds
    return (f" AND {column} >= {int(lo)}" if lo is not None else "") + (
        f" AND {column} < {int(hi)}" if hi is not None else ""
    )


def _case_ranges(conn: Connection, jobs: int) -> list[Bounds]:
    """`jobs` ranges of case ids with about as many cases each, covering every integer (so a leaf, event or task of
    a deleted case, whatever its id, falls in exactly one)."""
    (count,) = conn.exec_driver_sql("SELECT count(*) FROM cases").one()
    cuts: list[int] = []
    for k in range(1, jobs):
        row = conn.exec_driver_sql(f"SELECT id FROM cases ORDER BY id LIMIT 1 OFFSET {int(count) * k // jobs}").first()
        if row is not None and (not cuts or row[0] > cuts[-1]):
            cuts.append(int(row[0]))
    edges: list[int | None] = [None, *cuts, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


@dataclass
class _RangeReport:
    problems: list[ChainProblem | LogProblem]
    more_problems: int
    events: int
    cases: int
    phases: dict[str, float]


def _verify_range(url: str, bounds: Bounds, snapshot: str | None, stop_after: int) -> _RangeReport:
    """A worker: the chains, the events outside the log and the case and task rows of the cases in `bounds`."""
    from gridgov.config import Settings
    from gridgov.db import make_engine

    clock = time.process_time
    started = clock()
    engine = make_engine(Settings.model_construct(database_url=url), nullpool=True)
    report = AuditReport()
    out = _Problems(report, stop_after)
    try:
        with engine.connect() as conn:
            if snapshot is not None:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            trails = _walk(conn, out, report, bounds, None)
            report.phases["chains"], mark = clock() - started, clock()
            _events_outside_log(conn, out, bounds)
            _check_cases(conn, trails, report, out, bounds)
            _deleted_cases(trails, out)
            report.phases["case rows"] = clock() - mark
            conn.rollback()
    finally:
        engine.dispose()
    return _RangeReport(report.problems, report.more_problems, report.events, report.cases, report.phases)


def _log_leaves(conn: Connection, out: _Problems) -> list[bytes]:
    """The parent's share of a parallel verify: every leaf hash in order (the gaps), and the leaves of the streams
    other than the cases' recomputed from their fields (the workers recompute the case leaves)."""
    leaves: list[bytes] = []
    add_leaf, from_hex = leaves.append, bytes.fromhex
    for idx, leaf_hex in _raw_sql(conn, "SELECT idx, leaf_hash FROM audit_log ORDER BY idx"):
        if idx != len(leaves):
            out.log(f"日志第 {len(leaves)} 条缺失, 下一条是第 {idx} 条 (日志被删改)")
        try:
            add_leaf(from_hex(leaf_hex))
        except (TypeError, ValueError):
            add_leaf(b"")  # not a hash at all: its own leaf's check reports it
    cols = ", ".join(_LOG_RAW)
    for idx, stream, subject, seq, log_hash, log_state, log_leaf in _raw_sql(
        conn, f"SELECT {cols} FROM audit_log WHERE stream <> '{STREAM}' ORDER BY idx"
    ):
        if entry_hash(stream, subject, seq, log_hash, log_state).hex() != log_leaf:
            out.log(f"日志第 {idx} 条的内容与其哈希不符 (日志被改动)")
        if stream not in OTHER_STREAMS:
            out.log(f"日志第 {idx} 条属于未知的流 {stream}")
    return leaves


def _tree(leaves: list[bytes], want_roots: set[int], report: AuditReport) -> None:
    levels = levels_of(leaves)
    report.roots = {size: prefix_root(levels, size).hex() for size in want_roots if size <= len(leaves)}
    report.log_size = len(leaves)
    report.root = prefix_root(levels, len(leaves)).hex()


def _deleted_cases(trails: dict[int, _Trail], out: _Problems) -> None:
    for case_id, trail in sorted(trails.items()):
        out.case(case_id, None, trail.seq, f"案件已不存在, 日志中仍有它的 {trail.seq} 个事件 (案件被删除)")


def _walk(
    conn: Connection, out: _Problems, report: AuditReport, bounds: Bounds | None, leaves: list[bytes] | None
) -> dict[int, _Trail]:
    """The log in order with each leaf's event: each leaf's hash against its fields, each chain, each case's facts
    gathered. Serially (`leaves` given) the whole log, collecting the leaf hashes for the tree and checking the
    positions; in a worker only the case leaves of the cases in `bounds`.

    The hot loop: each event's canonical body is built from the same pieces as `_Bodies` builds it, inlined, with
    no call per row but the hashes; the middle run (_MIDDLE) comes as one JSON array from the database, decoded and
    encoded once per distinct array, the payload's canonical text once per distinct stored text."""
    refs: dict[int, str] = dict(
        _raw_sql(conn, f"SELECT id, tracking_code FROM cases WHERE 1 = 1{_range_sql('id', bounds)}")
    )
    whole = leaves is not None
    add_leaf = leaves.append if leaves is not None else None
    sha = hashlib.sha256
    leaf_prefix = f"\x00{LEAF_VERSION}\n"
    body_of = _Bodies()
    runs: dict[str, tuple[list[Any], str]] = {}
    payloads, limit = body_of.payloads, body_of.LIMIT
    enc, quote, loads = _ENCODE, _quote, json.loads
    semantic = _SEMANTIC_ACTIONS
    sqlite = conn.dialect.name == "sqlite"
    trails: dict[int, _Trail] = {}
    n = events = 0
    for (
        idx,
        stream,
        subject,
        seq,
        log_hash,
        log_state,
        log_leaf,
        event_id,
        ev_seq,
        middle_key,
        occurred_at,
        payload,
        prev_hash,
        event_hash,
    ) in _LogWithEvents(conn, bounds):
        if whole and idx != n:
            out.log(f"日志第 {n} 条缺失, 下一条是第 {idx} 条 (日志被删改)")
        n += 1
        # entry_hash(), inlined: the leaf input of gridgov.audit.log.leaf_input under RFC 6962's 0x00 prefix
        leaf = sha(f"{leaf_prefix}{stream}\n{subject}\n{seq}\n{log_hash}\n{log_state}".encode()).digest()
        if leaf.hex() != log_leaf:
            out.log(f"日志第 {idx} 条的内容与其哈希不符 (日志被改动)")
        if add_leaf is not None:
            add_leaf(leaf)
        if stream != STREAM:
            if stream not in OTHER_STREAMS:
                out.log(f"日志第 {idx} 条属于未知的流 {stream}")
            continue
        trail = trails.get(subject)
        if trail is None:
            trail = trails[subject] = _Trail()
        if seq != trail.seq + 1:
            out.case(
                subject, event_id, trail.seq + 1, f"日志中该案事件顺序错乱: 应为第 {trail.seq + 1} 个, 实为第 {seq} 个"
            )
        trail.seq, trail.state = seq, log_state
        if event_id is None:
            out.case(subject, None, seq, f"事件已不存在, 日志第 {idx} 条仍记录着它 (事件被删除)")
            trail.link, trail.last_missing = log_hash, True
            continue
        events += 1
        trail.present += 1
        trail.last_missing = False
        run = runs.get(middle_key)
        if run is None:  # the _MIDDLE columns' values, their canonical text (as _Bodies encodes it)
            values = loads(middle_key)
            run = (values, enc(values)[1:-1])
            if len(runs) < limit:
                runs[middle_key] = run
        values, middle = run
        if prev_hash != trail.link:
            out.case(subject, event_id, seq, "前序哈希不符 (前一事件被改动或删除)")
        elif (ref := refs.get(subject)) is not None:
            # _Bodies.__call__, inlined (the same pieces; the payload cache is its own)
            if type(payload) is str:
                text = payloads.get(payload)
                if text is None:
                    try:
                        text = enc(loads(payload))
                    except (ValueError, RecursionError):  # not JSON (rewritten): no honest body has its repr
                        text = repr(payload)
                    if len(payloads) < limit:
                        payloads[payload] = text
            else:
                text = enc(payload)
            if sqlite and type(occurred_at) is str and len(occurred_at) == 26 and occurred_at[10] == " ":
                time_text = f"{occurred_at[:10]}T{occurred_at[11:]}Z"  # SQLite's stored text, as _time_text
            else:
                time_text = _time_text(occurred_at, sqlite)
            if type(prev_hash) is str and type(ref) is str and type(ev_seq) is int:
                body = f"[{quote(prev_hash)},{quote(ref)},{ev_seq},{middle},{quote(time_text)},{text}]".encode()
            else:  # a column rewritten to another type: the general path
                v = values
                body = body_of(
                    prev_hash, ref, ev_seq, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], time_text, payload
                )
            if sha(body).hexdigest() != event_hash:
                out.case(subject, event_id, seq, "事件内容与哈希不符 (该事件被改动)")
            elif event_hash != log_hash:
                out.case(subject, event_id, seq, f"事件哈希与日志第 {idx} 条不符 (事件链被重写)")
        elif event_hash != log_hash:  # no case row to take the tracking code from (reported with the case rows)
            out.case(subject, event_id, seq, f"事件哈希与日志第 {idx} 条不符 (事件链被重写)")
        trail.link = log_hash
        trail.present_hash = event_hash
        trail.status = values[4]
        if (action := values[2]) in semantic:
            # a payload rewritten to something no writer makes is skipped: its hash check above reports the event
            with contextlib.suppress(TypeError, ValueError, RecursionError):
                _follow(trail, action, body_of.decoded(payload))
    report.events += events
    return trails


_LOG_RAW = ("idx", "stream", "subject_id", "seq", "event_hash", "state", "leaf_hash")
# the run of event columns between the seq and the time in the hashed body (digest_of's order), which few events
# differ in: read as one JSON array made by the database (a key of the walk's cache), decoded once per distinct
# array. For the values these columns hold (text, integers, NULL) the array decodes to exactly the stored values;
# a REAL or other value rewritten into one decodes to a float or fails, never to the text or integer it replaces,
# so the body it gives cannot be an honest one (tests/unit/audit/test_verify_fast_paths.py,
# tests/integration/cases/test_audit_fast_paths.py).
_MIDDLE = ("event_type", "tag", "action", "from_status", "to_status", "actor_id", "actor_role", "unit_id")


def _raw_sql(conn: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows as the driver returns them, streamed (the verifier's hot loop: no SQLAlchemy processing per row)."""
    return _described_sql(conn, sql)[1]


def _described_sql(conn: Connection, sql: str) -> tuple[Sequence[Sequence[Any]], Iterator[tuple[Any, ...]]]:
    """The driver's cursor description and its rows, streamed: sqlite3's own cursor steps through the rows as
    they are fetched; on PostgreSQL a server-side cursor."""
    if conn.dialect.name == "sqlite":
        cursor = conn.exec_driver_sql(sql).cursor
        return cursor.description, _fetched(cursor.fetchmany)
    result = conn.execution_options(stream_results=True).exec_driver_sql(sql)
    return result.cursor.description, map(tuple, _fetched(result.fetchmany))


def _fetched(fetchmany: Callable[[int], Sequence[Any]]) -> Iterator[Any]:
    while rows := fetchmany(5000):
        yield from rows


class _LogWithEvents:
    """The log in order, each leaf with its case event, in one read: the log by position joined to the events on
    (case, seq) inside the database (its unique index on both sides), so the verifier's Python sees each row once
    and matches nothing itself. `unmatched` then reads the events no leaf names (an anti-join on the same index).
    On PostgreSQL the payload comes as its stored text and the time as canonical text, as SQLite gives them."""

    def __init__(self, conn: Connection, bounds: Bounds | None = None) -> None:
        self.conn = conn
        self.bounds = bounds

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        """Rows of _LOG_RAW, then the event's id, seq, the _MIDDLE run as one JSON array, occurred_at, payload,
        prev_hash and hash."""
        middle = ", ".join(f"e.{c}" for c in _MIDDLE)
        raw = {"id": "e.id", "seq": "e.seq", "middle": f"json_array({middle})"}
        raw |= {c: f"e.{c}" for c in ("occurred_at", "payload", "prev_hash", "hash")}
        if self.conn.dialect.name == "postgresql":  # the text, as SQLite stores it: no driver decoding per row
            raw["middle"] = f"json_build_array({middle})::text"
            raw["payload"] = "e.payload::text"
            raw["occurred_at"] = """to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        cols = ", ".join(f"l.{c}" for c in _LOG_RAW) + ", " + ", ".join(raw.values())
        where = "" if self.bounds is None else f" WHERE l.stream = '{STREAM}'{_range_sql('l.subject_id', self.bounds)}"
        sql = (
            f"SELECT {cols} FROM audit_log l LEFT JOIN case_events e"
            f" ON l.stream = '{STREAM}' AND e.case_id = l.subject_id AND e.seq = l.seq{where} ORDER BY l.idx"
        )
        return _raw_sql(self.conn, sql)

    def unmatched(self) -> Iterator[tuple[int, int, int]]:
        """(event id, case id, seq) of the events no leaf names."""
        sql = (
            "SELECT e.id, e.case_id, e.seq FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM audit_log l"
            f" WHERE l.stream = '{STREAM}' AND l.subject_id = e.case_id AND l.seq = e.seq)"
            f"{_range_sql('e.case_id', self.bounds)} ORDER BY e.id"
        )
        return _raw_sql(self.conn, sql)


def _events_outside_log(conn: Connection, out: _Problems, bounds: Bounds | None) -> None:
    for n, (event_id, case_id, seq) in enumerate(_LogWithEvents(conn, bounds).unmatched()):
        if n > out.stop_after:
            break
        out.case(case_id, event_id, seq, "事件不在日志中 (事件是绕过系统写入的)")


def _check_head(
    head: Checkpoint | None, report: AuditReport, out: _Problems, verifier: Verifier | None, origin: str | None
) -> None:
    if head is None:
        if report.log_size:
            out.log("日志没有树头 (树头被删除)")
        return
    if head.size != report.log_size:
        out.log(f"树头记录日志有 {head.size} 条, 实有 {report.log_size} 条 (日志被截断或未经签名追加)")
    elif head.root != report.root:
        out.log("日志重算的树根与树头不符 (日志被改写)")
    if origin is not None and head.size and head.origin != origin:
        out.log(f"树头属于 {head.origin}, 不是本系统的日志 {origin}")
    if verifier is None:
        if head.size:
            report.notes.append("未配置公钥 (GRIDGOV_AUDIT_KEY_PATH / GRIDGOV_AUDIT_PUBLIC_KEY): 未校验签名")
        return
    if not head.signed:
        if head.size:
            out.log("树头未签名 (由未持有密钥的进程写入, 或被伪造)")
    elif not head.valid(verifier):
        out.log("树头签名无效 (树头被伪造)")


def _check_checkpoints(
    cps: Sequence[Checkpoint],
    unreadable: Sequence[str],
    roots: Mapping[int, str],
    report: AuditReport,
    out: _Problems,
    verifier: Verifier | None,
    origin: str | None,
) -> None:
    for text in unreadable:
        out.log(f"检查点无法读取: {text}")
    valid = []
    for cp in cps:
        name = f"检查点 (大小 {cp.size}, {cp.time})"
        if verifier is not None and not cp.valid(verifier):
            out.log(f"{name} 签名无效 (伪造的检查点)")
            continue
        if origin is not None and cp.origin != origin:
            out.log(f"{name} 属于 {cp.origin}, 不是本系统的日志")
            continue
        valid.append(cp)
    if not valid:
        if not cps:
            report.notes.append("尚无库外检查点 (gridgov audit checkpoint): 回滚到旧副本无法发现")
        return
    report.checkpoint = valid[-1]
    for cp in valid:
        name = f"检查点 (大小 {cp.size}, {cp.time})"
        if cp.size > report.log_size:
            out.log(f"日志只有 {report.log_size} 条, 短于{name} (日志被截断或回滚到旧副本)")
        elif roots.get(cp.size) != cp.root:
            out.log(f"日志的前 {cp.size} 条与{name}不一致 (日志被改写)")


_CASE_NAMES = CASE_COLUMNS + PERSONAL_COLUMNS
_TASK_NAMES = ("case_id", *TASK_COLUMNS)


def _datetime_text(process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """A UTCDateTime column's value as the state encodes it (canonical_time), from what the driver returns:
    SQLite's stored text in the format SQLAlchemy writes ('YYYY-MM-DD HH:MM:SS.ffffff', naive UTC) rewritten
    directly, which maps distinct texts to distinct results, so it equals the honest value's only when the text is
    the honest text; an aware datetime (PostgreSQL) through canonical_time; a naive one through the column's own
    result processing. Any other text, and any value that processing refuses, gives its repr, which is no honest
    value's text, so the row check reports it."""

    def convert(v: Any) -> Any:
        if v is None:
            return None
        if type(v) is str:
            # SQLite's text, by the walk's rule for occurred_at: any other text, even of the same instant ('T', an
            # offset, no microseconds), gives its repr, since SQLite compares the text (deadline, overdue queries)
            return _time_text(v, True)
        if type(v) is datetime and v.tzinfo is not None:
            return canonical_time(v)
        try:
            out = process(v) if process is not None else v
        except (TypeError, ValueError):
            return repr(v)
        return canonical_time(out) if isinstance(out, datetime) else repr(out)

    return convert


def _strict_bool(v: Any) -> Any:
    """A Boolean column's value: PostgreSQL's bool as it is, SQLite's integer 0 or 1 as False or True, and
    anything else (2, '', 'false', 0.5: values SQLAlchemy would read as a bool, but that `IS 1` / `IS 0` in the
    metrics queries read otherwise) as its repr, which matches no honest state."""
    if type(v) is bool:
        return v
    if type(v) is int and (v == 0 or v == 1):
        return v == 1
    return repr(v)


def _lenient(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A column's result processing, with a value it refuses (text rewritten into a JSON column) kept as its repr:
    it matches no honest state, so the row check reports it instead of verify stopping on it."""

    def convert(v: Any) -> Any:
        try:
            return process(v)
        except (TypeError, ValueError):
            return repr(v)

    return convert


def _rows(
    conn: Connection, table: Any, names: Sequence[str], bounds: Bounds | None, key: str, order: str
) -> Iterator[dict[str, Any]]:
    """A table's rows as name → value, the values as the ORM's column types give them (each column's own result
    processing, the driver's column type given) except that a UTCDateTime comes as its canonical text (what the
    state encodes), read through the driver's cursor with no SQLAlchemy work per row (the verifier reads every
    case and task row)."""
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
        f" WHERE 1 = 1{_range_sql(key, bounds)} ORDER BY {order}"
    )
    description, rows = _described_sql(conn, sql)
    converters: list[Callable[[Any], Any] | None] = []
    for name, column in zip(names, description, strict=True):
        col_type = table.c[name].type
        process = col_type.dialect_impl(conn.dialect).result_processor(conn.dialect, column[1])
        if isinstance(col_type, UTCDateTime):
            converters.append(_datetime_text(process))
        elif isinstance(col_type, Boolean):
            converters.append(_strict_bool)
        else:
            converters.append(None if process is None else _lenient(process))
    plan = [(i, names[i], c) for i, c in enumerate(converters) if c is not None]
    for row in rows:
        out = dict(zip(names, row, strict=True))
        for i, name, convert in plan:
            if (v := row[i]) is not None:
                out[name] = convert(v)
        yield out


def _in(column: Any, bounds: Bounds | None) -> list[Any]:
    lo, hi = bounds or (None, None)
    return ([column >= lo] if lo is not None else []) + ([column < hi] if hi is not None else [])


def _tasks_by_case(conn: Connection, bounds: Bounds | None) -> Iterator[tuple[int, list[Mapping[Any, Any]]]]:
    current: int | None = None
    batch: list[Mapping[Any, Any]] = []
    for row in _rows(conn, CaseTask.__table__, _TASK_NAMES, bounds, "case_id", "case_id, id"):
        if row["case_id"] != current:
            if current is not None:
                yield current, batch
            current, batch = row["case_id"], []
        batch.append(row)
    if current is not None:
        yield current, batch


def _check_cases(
    conn: Connection, trails: dict[int, _Trail], report: AuditReport, out: _Problems, bounds: Bounds | None
) -> None:
    salts = _all_salts(conn, bounds)
    tasks = _tasks_by_case(conn, bounds)
    pending_tasks = next(tasks, None)
    for case in _rows(conn, Case.__table__, _CASE_NAMES, bounds, "id", "id"):
        case_id = case["id"]
        report.cases += 1
        while pending_tasks is not None and pending_tasks[0] < case_id:
            out.case(pending_tasks[0], None, 0, "任务所属案件不存在 (案件被删除)")
            pending_tasks = next(tasks, None)
        own: list[Mapping[Any, Any]] = []
        if pending_tasks is not None and pending_tasks[0] == case_id:
            own = pending_tasks[1]
            pending_tasks = next(tasks, None)
        trail = trails.pop(case_id, None)
        if trail is None:
            out.case(case_id, None, 0, "案件不在日志中 (案件是绕过系统写入的)")
            continue
        _check_case(case, own, trail, salts.get(case_id, _NO_SALT), out)
    while pending_tasks is not None:
        out.case(pending_tasks[0], None, 0, "任务所属案件不存在 (案件被删除)")
        pending_tasks = next(tasks, None)


def _all_salts(conn: Connection, bounds: Bounds | None) -> dict[Any, bytes | None]:
    """Each case's salt; None for one that is not hex (rewritten: reported by _check_case)."""
    sc = audit_salts.c
    rows = conn.execute(select(sc.subject_id, sc.salt).where(sc.stream == STREAM, *_in(sc.subject_id, bounds)))
    out: dict[Any, bytes | None] = {}
    for subject, text in rows:
        try:
            out[subject] = bytes.fromhex(text)
        except (TypeError, ValueError):
            out[subject] = None
    return out


_NO_SALT = b"\x00no salt"  # the case has no salt row (never a salt: those are hex-decoded bytes)


def _check_case(
    case: Mapping[Any, Any], tasks: Sequence[Mapping[Any, Any]], trail: _Trail, salt: bytes | None, out: _Problems
) -> None:
    """`salt`: the case's salt, _NO_SALT when it has no salt row, None when its salt is not hex."""
    case_id = case["id"]
    if case["event_count"] != trail.present or case["last_event_hash"] != trail.present_hash:
        why = "末尾事件被删除" if trail.last_missing else "链头被改动"
        out.case(
            case_id,
            None,
            trail.present + 1,
            f"案件记录有 {case['event_count']} 个事件, 实存 {trail.present} 个 ({why})",
        )
    fields: list[str] = []
    if trail.status is not None and case["status"] != trail.status:
        fields.append(f"status 为 {case['status']}, 事件推出 {trail.status}")
    if case["rework_count"] != trail.reworks:
        fields.append(f"rework_count 为 {case['rework_count']}, 事件推出 {trail.reworks}")
    if case["return_count"] != trail.returns:
        fields.append(f"return_count 为 {case['return_count']}, 事件推出 {trail.returns}")
    verdict = trail.verdict or (None, None)
    if (case["resolved"], case["satisfaction"]) != verdict:
        fields.append(
            f"resolved/satisfaction 为 {case['resolved']}/{case['satisfaction']}, 事件推出 {verdict[0]}/{verdict[1]}"
        )
    for t in tasks:
        if t["id"] in trail.late and t["response_late"] != trail.late[t["id"]]:
            fields.append(f"任务 {t['id']} response_late 为 {t['response_late']}, 事件推出 {trail.late[t['id']]}")
        if t["id"] in trail.rating and t["rating"] != trail.rating[t["id"]]:
            fields.append(f"任务 {t['id']} rating 为 {t['rating']}, 事件推出 {trail.rating[t['id']]}")
    for text in fields:
        out.case(case_id, None, trail.seq, f"案件数据与事件不符: {text} (案件或任务行被改动)")
    if not trail.state:
        return  # committed before the log recorded states (migrated history)
    committed = _parse_state(trail.state)
    if committed is None:
        out.case(case_id, None, trail.seq, f"日志中该案状态摘要无法识别: {trail.state[:20]}")
        return
    # without its salt the personal part cannot be checked: the salt's own problem is reported instead (an empty
    # salt is a salt: the HMAC under it differs from the committed one, so it is caught as a changed part)
    personal = True
    if salt is _NO_SALT:
        out.case(case_id, None, trail.seq, "该案个人信息摘要的盐值缺失 (盐值被删除, 且不是经登记的删除)")
        personal = False
    elif salt is None:
        out.case(case_id, None, trail.seq, "该案个人信息摘要的盐值无法读取 (盐值被改动)")
        personal = False
    now = _state(case, tasks, salt if personal and salt is not None else b"")
    labels = {"row": "案件行", "children": "任务行", "personal": "报案人个人信息"}
    for part in committed.differences(now):
        if part == "personal" and not personal:
            continue
        out.case(case_id, None, trail.seq, f"{labels[part]}与记录不符 (在最后一个事件之后被改动)")


# --- inclusion proofs -----------------------------------------------------------------------------------------


def event_fields(ev: Mapping[Any, Any]) -> dict[str, Any]:
    """An event as a proof carries it: what its hash covers."""
    return {
        "prev_hash": ev["prev_hash"],
        "seq": ev["seq"],
        "event_type": ev["event_type"],
        "tag": ev["tag"],
        "action": ev["action"],
        "from_status": ev["from_status"],
        "to_status": ev["to_status"],
        "actor_id": ev["actor_id"],
        "actor_role": ev["actor_role"],
        "unit_id": ev["unit_id"],
        "occurred_at": canonical_time(ev["occurred_at"]),
        "payload": ev["payload"],
        "hash": ev["hash"],
    }


def prove_case(session: Session, case_id: int, checkpoint: Checkpoint) -> dict[str, Any]:
    """Inclusion proofs of the case's events in the tree of `checkpoint`, with the events themselves, so that anyone
    holding the public key can check them (gridgov.audit.proof.check_proof) without the database."""
    conn = session.connection()
    ref = session.execute(select(Case.tracking_code).where(Case.id == case_id)).scalar()
    lg = audit_log.c
    entries = (
        conn.execute(select(audit_log).where(lg.stream == STREAM, lg.subject_id == case_id).order_by(lg.idx))
        .mappings()
        .all()
    )
    events = {
        r["seq"]: r for r in session.execute(select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id)).mappings()
    }
    size = checkpoint.size
    leaves = [leaf for _, leaf in leaf_hashes(conn, limit=size)]
    proved, pending = [], []
    for e in entries:
        if e["idx"] >= size:
            pending.append(e["seq"])
            continue
        item: dict[str, Any] = {
            "index": e["idx"],
            "stream": e["stream"],
            "subject_id": e["subject_id"],
            "seq": e["seq"],
            "event_hash": e["event_hash"],
            "state": e["state"],
            "leaf_hash": e["leaf_hash"],
            "audit_path": [p.hex() for p in inclusion_proof(leaves, e["idx"], size)] if len(leaves) == size else [],
        }
        if e["seq"] in events:
            item["event"] = event_fields(events[e["seq"]])
        proved.append(item)
    return {
        "format": "gridgov-inclusion-proof-v1",
        "case": {"id": case_id, "tracking_code": ref},
        "tree_size": size,
        "root": checkpoint.root,
        "checkpoint": checkpoint.to_json(),
        "leaves": proved,
        "not_yet_checkpointed": pending,
    }
