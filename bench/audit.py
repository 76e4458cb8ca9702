"""Audit benchmark: `gridgov audit verify` over 1,000,000 events, next to a bare SHA-256 over the same bytes.

    .venv/bin/python bench/audit.py                          # SQLite, 1,000,000 events (100,000 cases × 10)
    .venv/bin/python bench/audit.py --events 200000 --backends sqlite,postgresql
    .venv/bin/python bench/audit.py --smoke                  # 2,000 events, one backend (see _common)

Times are CPU seconds of this process (SQLite runs inside it; on PostgreSQL the server's share is not counted),
so that a busy machine does not bend the ratios; verify's wall time is printed beside them.

The record is written in bulk, batch by batch, exactly as the writers leave it: each case's chain of events
(gridgov.audit.domain.event_digest), its salt, the log's leaves with the case's state (gridgov.cases.audit),
the signed tree head; then one checkpoint outside the database. We time verify_all() in-process (the whole of
`gridgov audit verify`: the log against the head and the checkpoint, every chain, every case row re-derived)
and, in the same run, a bare SHA-256 of each byte string verify must hash (each event's canonical body and each
leaf's input), the floor any verifier pays, and reading the same rows from the database with a SHA-256 of each
(the floor with the database in it). Then what a checkpoint costs: recomputing the tree from the leaves
and the Ed25519 signature, and the signature alone, timed over many runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.audit.domain import GENESIS, canonical_time  # noqa: E402
from gridgov.audit.keys import generate_key  # noqa: E402
from gridgov.audit.log import Checkpoint, checkpoint_time, leaf_input  # noqa: E402
from gridgov.audit.merkle import Frontier, leaf_hash  # noqa: E402
from gridgov.audit.sql import audit_head, audit_log, audit_salts, make_checkpoint  # noqa: E402
from gridgov.audit.store import DirectoryCheckpointStore  # noqa: E402
from gridgov.cases.audit import STREAM, _LogWithEvents, _raw_sql, case_states, verify_all  # noqa: E402
from gridgov.cases.models import Case, CaseEvent  # noqa: E402
from gridgov.cli import main as _cli  # noqa: E402, F401  (registers the row checks verify runs: FEATURE_CHECKS)

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ORIGIN = "gridgov/4101"


def _body(prev: str, ref: str, ev: dict[str, object]) -> bytes:
    """What event_digest hashes (the same canonical JSON)."""
    return json.dumps(
        [prev, ref, ev["seq"], ev["event_type"], ev["tag"], ev["action"], ev["from_status"], ev["to_status"],
         ev["actor_id"], ev["actor_role"], ev["unit_id"], canonical_time(ev["occurred_at"]), ev["payload"]],  # type: ignore[arg-type]
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip


def fill(db: BenchDb, n_cases: int, per_case: int, signer: object, batch: int = 2_000) -> dict[str, float]:
    """n_cases reported cases with per_case events each, in batches of `batch` cases, each batch one transaction.
    Returns the seconds spent and, from the same bytes, the bare SHA-256 time and byte count."""
    c = db.container
    frontier = Frontier()
    bare_s, bare_bytes, hashed = 0.0, 0, 0
    started = time.perf_counter()
    next_id = 1
    for first in range(0, n_cases, batch):
        count = min(batch, n_cases - first)
        cases, events, salts = [], [], []
        bodies: list[bytes] = []
        for i in range(first, first + count):
            case_id, ref = next_id, f"B{i:08d}"
            next_id += 1
            at = START + timedelta(seconds=i)
            prev = GENESIS
            for seq in range(1, per_case + 1):
                ev: dict[str, object] = {
                    "case_id": case_id,
                    "seq": seq,
                    "event_type": "case_reported" if seq == 1 else "case_classified",
                    "tag": "case:created" if seq == 1 else "case:classified",
                    "action": "report_case" if seq == 1 else "classify",
                    "from_status": None if seq == 1 else "reported",
                    "to_status": "reported",
                    "actor_id": None,
                    "actor_role": "system",
                    "unit_id": None,
                    "occurred_at": at + timedelta(milliseconds=seq),
                    "payload": {"source": "hotline"}
                    if seq == 1
                    else {"suggested": "H1802", "confidence": 0.9, "n": seq},
                }
                body = _body(prev, ref, ev)
                bodies.append(body)
                digest = hashlib.sha256(body).hexdigest()
                ev["prev_hash"], ev["hash"] = prev, digest
                events.append(ev)
                prev = digest
            cases.append(
                {
                    "id": case_id, "tracking_code": ref, "title": "基准案件", "description": "楼道堆放杂物",
                    "source": "hotline", "category_code": "H1802", "urgency": "normal", "grid_code": db.grid,
                    "address": "", "location_source": "none", "reporter_name": "张伟", "reporter_phone": "13812341234",
                    "category_source": "reporter", "needs_review": False, "status": "reported", "created_at": at,
                    "updated_at": at, "rework_count": 0, "return_count": 0, "postponed": False,
                    "alarm_level": "none", "escalation_level": 0, "event_count": per_case, "last_event_hash": prev,
                    "version": per_case,
                }
            )  # fmt: skip
            salts.append({"stream": STREAM, "subject_id": case_id, "salt": os.urandom(16).hex()})
        with c.sessions() as s:
            s.execute(insert(Case.__table__), cases)  # type: ignore[arg-type]
            s.execute(insert(CaseEvent.__table__), events)  # type: ignore[arg-type]
            s.execute(insert(audit_salts), salts)
            ids = [row["id"] for row in cases]
            states = case_states(s, ids, {int(r["subject_id"]): bytes.fromhex(str(r["salt"])) for r in salts})
            leaves, inputs = [], []
            for ev in events:
                data = leaf_input(
                    STREAM, int(ev["case_id"]), int(ev["seq"]), str(ev["hash"]), states[int(ev["case_id"])]
                )  # type: ignore[call-overload]
                inputs.append(data)
                leaf = leaf_hash(data)
                leaves.append({"idx": frontier.size, "stream": STREAM, "subject_id": ev["case_id"], "seq": ev["seq"],
                               "event_hash": ev["hash"], "state": states[int(ev["case_id"])], "leaf_hash": leaf.hex()})  # type: ignore[call-overload]  # fmt: skip
                frontier.append(leaf)
            s.execute(insert(audit_log), leaves)
            s.commit()
        t0 = time.process_time()  # the floor: SHA-256 over the same byte strings verify hashes
        for b in bodies:
            hashlib.sha256(b).digest()
        for b in inputs:
            hashlib.sha256(b"\x00" + b).digest()
        bare_s += time.process_time() - t0
        bare_bytes += sum(map(len, bodies)) + sum(map(len, inputs)) + len(inputs)
        hashed += len(bodies) + len(inputs)
    head = Checkpoint(ORIGIN, frontier.size, frontier.root().hex(), checkpoint_time(START)).sign(signer)  # type: ignore[arg-type]
    with c.engine.begin() as conn:
        conn.execute(audit_head.delete())
        conn.execute(
            insert(audit_head).values(
                id=1, origin=head.origin, size=head.size, root=head.root, time=head.time, key_id=head.key_id,
                signature=head.signature, frontier=json.dumps(frontier.to_hex()),
            )
        )  # fmt: skip
        conn.execute(text("ANALYZE"))
    return {"fill_s": time.perf_counter() - started, "bare_s": bare_s, "bare_bytes": bare_bytes, "hashed": hashed}


def read_and_hash(db: BenchDb) -> float:
    """The floor with the database in it: stream the same event and log rows as the driver returns them and
    SHA-256 each row's bytes as stored (CPU seconds)."""
    t0 = time.process_time()
    with db.container.engine.connect() as conn:
        for table in ("case_events", "audit_log"):
            result = conn.execution_options(stream_results=True).exec_driver_sql(f"SELECT * FROM {table}")
            while rows := result.fetchmany(5000):
                for row in rows:
                    hashlib.sha256("\x1f".join(map(str, row)).encode()).digest()
    return time.process_time() - t0


def fetch_only(db: BenchDb) -> float:
    """The rows verify reads, fetched through the driver and nothing else done with them (CPU seconds): the log
    joined to its events (as the walk reads them), the case, task and salt rows. Verify cannot be faster than
    this through this driver, so bare / this is the ceiling of verify / bare."""
    t0 = time.process_time()
    with db.container.engine.connect() as conn:
        for _row in _LogWithEvents(conn):
            pass
        for table in ("cases", "case_tasks", "audit_salts"):
            for _row in _raw_sql(conn, f"SELECT * FROM {table}"):
                pass
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--per-case", type=int, default=10)
    ap.add_argument("--sign-runs", type=int, default=2_000)
    ap.add_argument("--jobs", type=int, default=0, help="worker processes of the parallel verify (default: CPUs)")
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        smoke_kind, admin = smoke_backend()
        apply_smoke(ap, args, events=2_000, backends=smoke_kind, sign_runs=50)
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-bench-audit-"))
    signer = generate_key(tmp / "ed25519.key")
    verifier = signer.verifier()
    print(f"audit benchmark, {os.cpu_count()} CPUs, {args.events:,} events ({args.per_case} per case)")
    for kind in args.backends.split(","):
        with fresh_db(kind, admin=admin) as db:
            n_cases = max(1, args.events // args.per_case)
            filled = fill(db, n_cases, args.per_case, signer)
            events = n_cases * args.per_case
            print(f"{kind}: wrote {events:,} events of {n_cases:,} cases with their log in {filled['fill_s']:.1f} s")
            store = DirectoryCheckpointStore(tmp / f"checkpoints-{kind}")
            with db.container.sessions() as s:
                t0 = time.perf_counter()
                result = make_checkpoint(s, signer=signer, stores=[store], origin=ORIGIN, now=START + timedelta(days=1))
                cp_s = time.perf_counter() - t0
            with db.container.sessions() as s:
                w0, t0 = time.perf_counter(), time.process_time()
                report = verify_all(s, verifier=verifier, checkpoints=store.all(), origin=ORIGIN)
                verify_s, verify_wall = time.process_time() - t0, time.perf_counter() - w0
            if not report.ok or report.events != events:
                raise SystemExit(f"verify found problems on an intact record: {report.problems[:5]}")
            jobs = args.jobs or os.cpu_count() or 1
            with db.container.sessions() as s:
                before = os.times()
                w0 = time.perf_counter()
                par = verify_all(s, verifier=verifier, checkpoints=store.all(), origin=ORIGIN, jobs=jobs)
                par_wall = time.perf_counter() - w0
                after = os.times()
            par_parent = after.user + after.system - before.user - before.system
            par_workers = after.children_user + after.children_system - before.children_user - before.children_system
            if not par.ok or par.events != events:
                raise SystemExit(f"verify --jobs {jobs} found problems on an intact record: {par.problems[:5]}")
            read_s = read_and_hash(db)
            fetch_s = fetch_only(db)
            rate = events / verify_s
            bare_rate = events / filled["bare_s"]
            mb = filled["bare_bytes"] / 1e6
            print(
                f"  verify_all       {verify_s:8.2f} s  {rate:12,.0f} events/s  "
                f"(wall {verify_wall:.2f} s; {report.cases:,} cases, log {report.log_size:,}, "
                f"checkpoint {report.checkpoint is not None})"
            )
            phases = ", ".join(f"{k} {v:.2f}" for k, v in report.phases.items())
            print(f"  verify phases    {phases} (CPU s; load {os.getloadavg()[0]:.1f})")
            print(
                f"  bare SHA-256     {filled['bare_s']:8.2f} s  {bare_rate:12,.0f} events/s  "
                f"({filled['hashed']:,} strings, {mb:,.1f} MB, {mb / max(filled['bare_s'], 1e-9):,.0f} MB/s)"
            )
            par_cpu = par_parent + par_workers
            print(
                f"  verify --jobs {jobs}  {par_wall:8.2f} s  {events / par_wall:12,.0f} events/s  (wall; CPU "
                f"{par_cpu:.2f} s = parent {par_parent:.2f} + workers {par_workers:.2f}; "
                f"load {os.getloadavg()[0]:.1f})"
            )
            phases = ", ".join(f"{k} {v:.2f}" for k, v in par.phases.items())
            print(f"  --jobs phases    {phases} (CPU s, workers summed)")
            print(f"  read + SHA-256   {read_s:8.2f} s  {events / read_s:12,.0f} events/s  (the rows' bytes as stored)")
            print(
                f"  fetch only       {fetch_s:8.2f} s  {events / fetch_s:12,.0f} events/s  (the rows verify reads, "
                f"through the driver, nothing done with them: ceiling of verify / bare "
                f"{100 * filled['bare_s'] / fetch_s:.1f}%)"
            )
            print(
                f"  verify / bare    {100 * rate / bare_rate:.1f}% (goal ≥ 30%); "
                f"verify / read + SHA-256 {100 * read_s / verify_s:.1f}%"
            )
            print(
                f"  --jobs {jobs} / bare  {100 * filled['bare_s'] / par_wall:.1f}% by wall, "
                f"{100 * filled['bare_s'] / par_cpu:.1f}% by CPU (the bare hash on one CPU)"
            )
            print(
                f"  checkpoint       {cp_s * 1000:8.1f} ms  (tree from {result.checkpoint.size:,} leaves "
                f"{result.hash_seconds * 1000:.1f} ms, signature {result.sign_seconds * 1000:.3f} ms)"
            )
    body = Checkpoint(ORIGIN, 10**6, "ab" * 32, checkpoint_time(START)).body()
    t0 = time.perf_counter()
    for _ in range(args.sign_runs):
        sig = signer.sign(body)
    sign_us = (time.perf_counter() - t0) / args.sign_runs * 1e6
    t0 = time.perf_counter()
    for _ in range(args.sign_runs):
        verifier.verify(body, sig)
    check_us = (time.perf_counter() - t0) / args.sign_runs * 1e6
    print(f"Ed25519 per checkpoint: sign {sign_us:.1f} µs, verify {check_us:.1f} µs ({args.sign_runs:,} runs)")


if __name__ == "__main__":
    main()
