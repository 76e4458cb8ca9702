"""The cases' part of the city's log (see gridgov.audit and docs/audit.md):

- what a case leaf commits to (`case_states`: the case row, its task rows and, under the case's salt, its
  personal fields, as committed);
- the repository that puts every case event into the log as it is written (`AuditedCaseRepository`);
- `verify_all` (`gridgov audit verify`): the log against its signed head and the checkpoints outside the
  database, every case's chain, and every case and task row re-derived from its events;
- `prove_case` (`gridgov audit prove`): inclusion proofs of a case's events against a published checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gridgov.audit.domain import GENESIS, ChainProblem, canonical_time, digest_of, verify_chain
from gridgov.audit.log import Checkpoint, State, Verifier, entry_hash, state_of
from gridgov.audit.merkle import Frontier, inclusion_proof
from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.audit.sql import audit_log, audit_salts, leaf_hashes, read_head
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.cases.repository import SqlCaseRepository

STREAM = "case"
# streams whose events their own feature checks (`gridgov projects verify`, `gridgov proposals verify`,
# `gridgov knowledge verify`, `gridgov safety verify`); their leaves are hashed and rooted here
OTHER_STREAMS = frozenset({"project", "proposal", "knowledge", "safety_place", "safety_hazard", "safety_plan"})
# the chain checks of those streams, registered by the entry point (gridgov.cli): name → problems as text
FEATURE_CHECKS: dict[str, Callable[[Session], list[str]]] = {}
STATE_VERSION = "1"

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


@dataclass
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


def _time_text(at: Any) -> str:
    """canonical_time of a raw occurred_at: SQLite's stored text (naive UTC, microseconds) or a driver datetime."""
    if isinstance(at, str):
        if len(at) == 26 and at[10] == " ":
            return f"{at[:10]}T{at[11:]}Z"
        at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
    return canonical_time(at)


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
) -> AuditReport:
    """Everything `gridgov audit verify` checks, in one read of the log and one of the cases."""
    report = AuditReport()
    out = _Problems(report, stop_after)
    conn = session.connection()
    refs: dict[int, str] = {r[0]: r[1] for r in session.execute(select(Case.id, Case.tracking_code))}
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
    roots: dict[int, str] = {}
    frontier = Frontier()
    if 0 in want_roots:
        roots[0] = frontier.root().hex()
    trails: dict[int, _Trail] = {}
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
        tag,
        event_type,
        action,
        from_status,
        to_status,
        actor_id,
        actor_role,
        unit_id,
        occurred_at,
        payload,
        prev_hash,
        event_hash,
    ) in (log := _LogWithEvents(conn)):
        if idx != frontier.size:
            out.log(f"日志第 {frontier.size} 条缺失, 下一条是第 {idx} 条 (日志被删改)")
        leaf = entry_hash(stream, subject, seq, log_hash, log_state)
        if leaf.hex() != log_leaf:
            out.log(f"日志第 {idx} 条的内容与其哈希不符 (日志被改动)")
        frontier.append(leaf)
        if frontier.size in want_roots:
            roots[frontier.size] = frontier.root().hex()
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
        report.events += 1
        trail.present += 1
        trail.last_missing = False
        if isinstance(payload, str):  # SQLite hands JSON back as text, psycopg already decoded
            payload = json.loads(payload)
        ref = refs.get(subject)
        if prev_hash != trail.link:
            out.case(subject, event_id, seq, "前序哈希不符 (前一事件被改动或删除)")
        elif (
            ref is not None
            and digest_of(
                prev_hash,
                ref,
                ev_seq,
                event_type,
                tag,
                action,
                from_status,
                to_status,
                actor_id,
                actor_role,
                unit_id,
                _time_text(occurred_at),
                payload,
            )
            != event_hash
        ):
            out.case(subject, event_id, seq, "事件内容与哈希不符 (该事件被改动)")
        elif event_hash != log_hash:
            out.case(subject, event_id, seq, f"事件哈希与日志第 {idx} 条不符 (事件链被重写)")
        trail.link = log_hash
        trail.present_hash = event_hash
        trail.status = to_status
        if action in _SEMANTIC_ACTIONS:
            _follow(trail, action, payload or {})
    report.log_size = frontier.size
    report.root = frontier.root().hex()
    _events_outside_log(log, out)
    _check_head(head, report, out, verifier, origin)
    _check_checkpoints(cps, checkpoint_problems, roots, report, out, verifier, origin)
    _check_cases(session, trails, report, out)
    for case_id, trail in sorted(trails.items()):
        out.case(case_id, None, trail.seq, f"案件已不存在, 日志中仍有它的 {trail.seq} 个事件 (案件被删除)")
    for name, check in sorted(FEATURE_CHECKS.items()):
        for text in check(session):
            out.log(f"{name}: {text}")
    return report


_EVENT_RAW = ("id", "case_id", "seq", "tag", "event_type", "action", "from_status", "to_status", "actor_id",
              "actor_role", "unit_id", "occurred_at", "payload", "prev_hash", "hash")  # fmt: skip
_LOG_RAW = ("idx", "stream", "subject_id", "seq", "event_hash", "state", "leaf_hash")
_NO_EVENT = (None,) * (len(_EVENT_RAW) - 1)  # the event part of a row, less its case id
READ_AHEAD = 100_000  # events read past their leaf (concurrent commits reorder ids a little) before a lookup


def _raw(conn: Connection, table: str, columns: Sequence[str], order: str) -> Iterator[tuple[Any, ...]]:
    """Rows as the driver returns them, streamed (the verifier's hot loop: no SQLAlchemy processing per row)."""
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
    if conn.dialect.name == "sqlite":  # sqlite3's own cursor steps through the rows as they are fetched
        cursor = conn.exec_driver_sql(sql).cursor
        while rows := cursor.fetchmany(5000):
            yield from rows
        return
    result = conn.execution_options(stream_results=True).exec_driver_sql(sql)  # a server-side cursor
    while rows := result.fetchmany(5000):
        yield from map(tuple, rows)


class _LogWithEvents:
    """The log in order, each leaf with its case event: two sequential scans (the log by position, the events by
    id, which is nearly the same order) matched on (case, seq), so there is no join and no second pass for the
    events outside the log. What is left of the events at the end is not in the log."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.events = _raw(conn, "case_events", _EVENT_RAW, "id")
        self.ahead: dict[tuple[int, int], tuple[Any, ...]] = {}
        self.taken: set[int] = set()  # events found by lookup, skipped when the scan reaches them

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in _raw(self.conn, "audit_log", _LOG_RAW, "idx"):
            ev = self._find(row[2], row[3]) if row[1] == STREAM else None
            yield row + ((ev[0], *ev[2:]) if ev is not None else _NO_EVENT)

    def _find(self, case_id: int, seq: int) -> tuple[Any, ...] | None:
        key = (case_id, seq)
        ev = self.ahead.pop(key, None)
        if ev is not None:
            return ev
        while len(self.ahead) < READ_AHEAD:
            nxt = next(self.events, None)
            if nxt is None:
                return None
            if nxt[0] in self.taken:
                continue
            if (nxt[1], nxt[2]) == key:
                return nxt
            self.ahead[(nxt[1], nxt[2])] = nxt
        cols = ", ".join(_EVENT_RAW)
        found = self.conn.exec_driver_sql(
            f"SELECT {cols} FROM case_events WHERE case_id = {int(case_id)} AND seq = {int(seq)}"
        ).first()
        if found is None:
            return None
        self.taken.add(found[0])
        return tuple(found)

    def unmatched(self) -> Iterator[tuple[int, int, int]]:
        """(event id, case id, seq) of the events no leaf names."""
        for ev in sorted(self.ahead.values()):
            yield ev[0], ev[1], ev[2]
        for ev in self.events:
            if ev[0] not in self.taken:
                yield ev[0], ev[1], ev[2]


def _events_outside_log(events: _LogWithEvents, out: _Problems) -> None:
    for n, (event_id, case_id, seq) in enumerate(events.unmatched()):
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


def _tasks_by_case(session: Session) -> Iterator[tuple[int, list[Mapping[Any, Any]]]]:
    stmt = select(*_TASK_SELECT).order_by(CaseTask.case_id, CaseTask.id).execution_options(yield_per=5000)
    current: int | None = None
    batch: list[Mapping[Any, Any]] = []
    for t in session.execute(stmt).mappings():
        if t["case_id"] != current:
            if current is not None:
                yield current, batch
            current, batch = t["case_id"], []
        batch.append(t)
    if current is not None:
        yield current, batch


def _check_cases(session: Session, trails: dict[int, _Trail], report: AuditReport, out: _Problems) -> None:
    salts = _all_salts(session)
    tasks = _tasks_by_case(session)
    pending_tasks = next(tasks, None)
    stmt = select(*_CASE_SELECT).order_by(Case.id).execution_options(yield_per=5000)
    for case in session.execute(stmt).mappings():
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
        _check_case(case, own, trail, salts.get(case_id), out)
    while pending_tasks is not None:
        out.case(pending_tasks[0], None, 0, "任务所属案件不存在 (案件被删除)")
        pending_tasks = next(tasks, None)


def _all_salts(session: Session) -> dict[int, bytes]:
    rows = session.execute(select(audit_salts.c.subject_id, audit_salts.c.salt).where(audit_salts.c.stream == STREAM))
    return {int(r[0]): bytes.fromhex(r[1]) for r in rows}


def _check_case(
    case: Mapping[Any, Any], tasks: Sequence[Mapping[Any, Any]], trail: _Trail, salt: bytes | None, out: _Problems
) -> None:
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
    if salt is None:
        out.case(case_id, None, trail.seq, "该案个人信息摘要的盐值缺失 (盐值被删除, 且不是经登记的删除)")
        salt = b""
    now = _state(case, tasks, salt)
    labels = {"row": "案件行", "children": "任务行", "personal": "报案人个人信息"}
    for part in committed.differences(now):
        if part == "personal" and salt == b"":
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
