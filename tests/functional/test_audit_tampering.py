"""Someone who can write to the database but does not hold the key (a DBA, a stolen password, a restored backup)
tampers with the record in 20 ways; `gridgov audit verify` catches every one, and a lawful erasure still verifies.

The cases are made through the HTTP API by a container that holds the key (as GRIDGOV_AUDIT_KEY_PATH gives it to
`gridgov serve`); the checkpoints and the verification go through the `gridgov audit` commands, on SQLite or on
the PostgreSQL of GRIDGOV_TEST_DATABASE_URL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, select, text

from gridgov.audit.domain import event_digest
from gridgov.audit.keys import generate_key
from gridgov.audit.log import Checkpoint, checkpoint_time, entry_hash
from gridgov.audit.merkle import Frontier
from gridgov.audit.sql import LogSettings
from gridgov.cases.audit import CASE_COLUMNS, EVENT_COLUMNS, PERSONAL_COLUMNS, TASK_COLUMNS, verify_all
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.cli import main
from gridgov.db import UTCDateTime

from conftest import Api, World

pytest.importorskip("cryptography")


@dataclass
class Record:
    w: World
    api: Api
    env: dict[str, str]
    key: Path
    checkpoints: Path
    full: int  # a case through the whole loop: return, whistle, ratings, evaluation
    accepted: int  # a case accepted by the street
    fresh: int  # a case just reported
    jobs: int = 1  # `audit verify --jobs`: 1 walks serially, 2 checks the chains and rows in two worker processes

    def cli(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            main, [*args, "--database-url", str(self.w.container.settings.database_url)], env=self.env
        )
        return result.exit_code, result.output

    def verify(self, jobs: int | None = None) -> tuple[int, str]:
        return self.cli("audit", "verify", "--jobs", str(jobs or self.jobs))

    def sql(self, statement: str, **params: Any) -> Any:
        with self.w.container.engine.begin() as conn:
            return conn.execute(text(statement), params)

    def rows(self, statement: str, **params: Any) -> list[Any]:
        with self.w.container.engine.begin() as conn:
            return list(conn.execute(text(statement), params))


def _report(api: Api, w: World, phone: str) -> int:
    body = {
        "title": "楼道里堆满杂物",
        "description": "三楼楼道堆放大量纸箱，堵塞消防通道",
        "source": "web",
        "category_code": "H1802",
        "grid_code": w.grid,
        "reporter_name": "张伟",
        "reporter_phone": phone,
    }
    r = api.post("resident", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture(params=[1, 2], ids=["serial", "jobs2"])
def record(
    api: Api, clean: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Record]:
    w, c = clean, clean.container
    key = tmp_path / "audit" / "ed25519.key"
    signer = generate_key(key)
    monkeypatch.setitem(c.__dict__, "audit_signer", signer)
    monkeypatch.setitem(c.__dict__, "log_settings", LogSettings(c.audit_origin, c.clock.now, signer))
    env = {"GRIDGOV_AUDIT_KEY_PATH": str(key), "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}

    full = _report(api, w, "13812341234")
    api.ok("operator", full, "register")
    api.ok("dispatcher", full, "dispatch")
    w.clock.advance(timedelta(minutes=20))
    api.ok("street", full, "return", reason="应由城管处理")
    api.ok("dispatcher", full, "dispatch", unit_code=w.street_code)
    api.ok("street", full, "accept")
    api.ok("street", full, "whistle", department_codes=[f"{w.district}-cg"], note="需城管联合处置")
    w.clock.advance(timedelta(minutes=10))
    api.ok("dept-cg", full, "check_in")
    api.ok("dept-cg", full, "task_feedback", note="已清理违规堆放")
    w.clock.advance(timedelta(hours=2))
    api.ok("street", full, "handle", note="已清理", evidence=["photo://after-1.jpg"])
    api.ok("street", full, "rate_department", unit_code=f"{w.district}-cg", rating=5)
    api.ok("street", full, "verify", note="现场核查通过")
    w.clock.advance(timedelta(days=1))
    api.ok("resident", full, "evaluate", resolved=True, satisfaction="satisfied", comment="很快")

    accepted = _report(api, w, "13900001111")
    api.ok("operator", accepted, "register")
    api.ok("dispatcher", accepted, "dispatch")
    w.clock.advance(timedelta(minutes=5))
    api.ok("street", accepted, "accept")

    fresh = _report(api, w, "13700002222")
    rec = Record(w, api, env, key, tmp_path / "checkpoints", full, accepted, fresh, jobs=request.param)
    code, out = rec.cli("audit", "checkpoint")
    assert code == 0, out
    code, out = rec.verify()
    assert code == 0, out
    assert "3 个案件" in out and "含最新检查点" in out
    yield rec


def _events(rec: Record, case_id: int) -> list[dict[str, Any]]:
    with rec.w.container.sessions() as s:
        stmt = select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        return [dict(r) for r in s.execute(stmt).mappings()]


def _ref(rec: Record, case_id: int) -> str:
    return str(rec.rows("SELECT tracking_code FROM cases WHERE id = :c", c=case_id)[0][0])


def _digest(ref: str, ev: dict[str, Any], prev: str) -> str:
    fields = {k: ev[k] for k in ("seq", "event_type", "tag", "action", "from_status", "to_status", "actor_id",
                                 "actor_role", "unit_id", "occurred_at", "payload")}  # fmt: skip
    return event_digest(prev_hash=prev, case_ref=ref, **fields)


def _rewrite_chain(rec: Record, case_id: int, from_seq: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Change an event and recompute every hash after it, moving the case's head: a perfect chain."""
    ref, events = _ref(rec, case_id), _events(rec, case_id)
    prev = events[from_seq - 2]["hash"]
    for ev in events[from_seq - 1 :]:
        if ev["seq"] == from_seq:
            change(ev)
        ev["prev_hash"], ev["hash"] = prev, _digest(ref, ev, prev)
        rec.sql(
            "UPDATE case_events SET payload = :p, prev_hash = :ph, hash = :h WHERE id = :i",
            p=json.dumps(ev["payload"], ensure_ascii=False),
            ph=ev["prev_hash"],
            h=ev["hash"],
            i=ev["id"],
        )
        prev = ev["hash"]
    rec.sql("UPDATE cases SET last_event_hash = :h WHERE id = :c", h=prev, c=case_id)


def _recompute_log(rec: Record, keep_signature: bool = True) -> None:
    """Make the log agree with the (tampered) events and recompute the head's tree: all a writer without the key
    can do."""
    frontier = Frontier()
    for idx, stream, subject, seq, state in rec.rows(
        "SELECT idx, stream, subject_id, seq, state FROM audit_log ORDER BY idx"
    ):
        found = rec.rows("SELECT hash FROM case_events WHERE case_id = :c AND seq = :s", c=subject, s=seq)
        event_hash = found[0][0] if found else "0" * 64
        leaf = entry_hash(stream, subject, seq, event_hash, state)
        rec.sql(
            "UPDATE audit_log SET event_hash = :e, leaf_hash = :l WHERE idx = :i", e=event_hash, l=leaf.hex(), i=idx
        )
        frontier.append(leaf)
    sig = "" if not keep_signature else None
    rec.sql(
        "UPDATE audit_head SET size = :n, root = :r, frontier = :f" + (", signature = ''" if sig == "" else ""),
        n=frontier.size,
        r=frontier.root().hex(),
        f=json.dumps(frontier.to_hex()),
    )


# --- the tampering: each returns what verify must say --------------------------------------------------------


def edit_event(rec: Record) -> str:
    rec.sql("UPDATE case_events SET actor_role = 'admin' WHERE case_id = :c AND seq = 3", c=rec.full)
    return "事件内容与哈希不符"


def insert_forged_closing_event(rec: Record) -> str:
    ref, events = _ref(rec, rec.accepted), _events(rec, rec.accepted)
    last = events[-1]
    forged = {**last, "seq": last["seq"] + 1, "event_type": "case_verified", "action": "verify",
              "from_status": "accepted", "to_status": "closed", "payload": {"note": "已办结"}}  # fmt: skip
    forged["hash"] = _digest(ref, forged, last["hash"])
    rec.sql(
        "INSERT INTO case_events (case_id, seq, event_type, tag, action, from_status, to_status, actor_id, actor_role,"
        " unit_id, occurred_at, payload, prev_hash, hash) SELECT case_id, :seq, :et, tag, :a, :fs, :ts, actor_id,"
        " actor_role, unit_id, occurred_at, :p, hash, :h FROM case_events WHERE id = :i",
        seq=forged["seq"], et="case_verified", a="verify", fs="accepted", ts="closed",
        p=json.dumps(forged["payload"], ensure_ascii=False), h=forged["hash"], i=last["id"],
    )  # fmt: skip
    rec.sql(
        "UPDATE cases SET status = 'closed', event_count = :n, last_event_hash = :h WHERE id = :c",
        n=forged["seq"],
        h=forged["hash"],
        c=rec.accepted,
    )
    return "事件不在日志中"


def insert_forged_event_into_the_log_too(rec: Record) -> str:
    insert_forged_closing_event(rec)
    ev = _events(rec, rec.accepted)[-1]
    size = rec.rows("SELECT size FROM audit_head")[0][0]
    rec.sql(
        "INSERT INTO audit_log (idx, stream, subject_id, seq, event_hash, state, leaf_hash)"
        " VALUES (:i, 'case', :c, :s, :e, '', :l)",
        i=size, c=rec.accepted, s=ev["seq"], e=ev["hash"],
        l=entry_hash("case", rec.accepted, ev["seq"], ev["hash"], "").hex(),
    )  # fmt: skip
    _recompute_log(rec)  # the head's tree now covers the forged leaf, under the old signature
    return "树头签名无效"


def delete_event(rec: Record) -> str:
    rec.sql("DELETE FROM case_events WHERE case_id = :c AND seq = 4", c=rec.full)
    return "事件已不存在"


def delete_newest_event_and_move_the_head_back(rec: Record) -> str:
    events = _events(rec, rec.accepted)
    rec.sql("DELETE FROM case_events WHERE id = :i", i=events[-1]["id"])
    rec.sql(
        "UPDATE cases SET event_count = :n, last_event_hash = :h, status = :s WHERE id = :c",
        n=len(events) - 1, h=events[-2]["hash"], s=events[-2]["to_status"], c=rec.accepted,
    )  # fmt: skip
    return "事件已不存在"


def reorder_events(rec: Record) -> str:
    rec.sql("UPDATE case_events SET seq = 1000 WHERE case_id = :c AND seq = 2", c=rec.full)
    rec.sql("UPDATE case_events SET seq = 2 WHERE case_id = :c AND seq = 3", c=rec.full)
    rec.sql("UPDATE case_events SET seq = 3 WHERE case_id = :c AND seq = 1000", c=rec.full)
    return "前序哈希不符"


def truncate_the_log(rec: Record) -> str:
    size = rec.rows("SELECT size FROM audit_head")[0][0]
    rec.sql("DELETE FROM audit_log WHERE idx >= :n", n=size - 3)
    return "树头记录日志有"


def truncate_the_log_and_its_head(rec: Record) -> str:
    size = rec.rows("SELECT size FROM audit_head")[0][0]
    for case_id, seq in rec.rows("SELECT subject_id, seq FROM audit_log WHERE idx >= :n", n=size - 3):
        rec.sql("DELETE FROM case_events WHERE case_id = :c AND seq = :s", c=case_id, s=seq)
    rec.sql("DELETE FROM audit_log WHERE idx >= :n", n=size - 3)
    _recompute_log(rec)
    return "短于检查点"


def rewrite_a_chain(rec: Record) -> str:
    _rewrite_chain(rec, rec.full, 3, lambda ev: ev["payload"].update(unit_name="别的单位"))
    return "事件链被重写"


def rewrite_a_chain_and_the_log(rec: Record) -> str:
    rewrite_a_chain(rec)
    _recompute_log(rec)
    return "与检查点"


def rewrite_the_log_and_strip_the_signature(rec: Record) -> str:
    rewrite_a_chain(rec)
    _recompute_log(rec, keep_signature=False)
    return "树头未签名"


def close_a_case_by_update(rec: Record) -> str:
    rec.sql("UPDATE cases SET status = 'closed' WHERE id = :c", c=rec.accepted)
    return "status 为 closed"


def improve_satisfaction(rec: Record) -> str:
    rec.sql("UPDATE cases SET satisfaction = 'very_satisfied' WHERE id = :c", c=rec.full)
    return "resolved/satisfaction"


def change_the_reporters_phone(rec: Record) -> str:
    rec.sql("UPDATE cases SET reporter_phone = '13000000000' WHERE id = :c", c=rec.fresh)
    return "报案人个人信息与记录不符"


def move_a_deadline(rec: Record) -> str:
    rec.sql(
        "UPDATE cases SET handle_due_at = response_due_at, clock_due = response_due_at WHERE id = :c", c=rec.accepted
    )
    return "案件行与记录不符"


def clear_a_late_response(rec: Record) -> str:
    rec.sql("UPDATE case_tasks SET response_late = NOT response_late WHERE case_id = :c", c=rec.full)
    return "response_late 为"


def raise_a_rating(rec: Record) -> str:
    rec.sql("UPDATE case_tasks SET rating = 1 WHERE case_id = :c AND rating IS NOT NULL", c=rec.full)
    return "rating 为 1"


def delete_a_case(rec: Record) -> str:
    for table in ("category_labels", "case_tasks", "case_events"):
        rec.sql(f"DELETE FROM {table} WHERE case_id = :c", c=rec.accepted)
    rec.sql("DELETE FROM cases WHERE id = :c", c=rec.accepted)
    return "案件已不存在"


def swap_two_cases_events(rec: Record) -> str:
    a, b = rec.accepted, rec.fresh
    rec.sql("UPDATE case_events SET seq = seq + 1000 WHERE case_id = :a", a=a)
    rec.sql("UPDATE case_events SET case_id = :a WHERE case_id = :b", a=a, b=b)
    rec.sql("UPDATE case_events SET case_id = :b, seq = seq - 1000 WHERE case_id = :a AND seq > 1000", a=a, b=b)
    (ca, ha), (cb, hb) = (
        rec.rows("SELECT event_count, last_event_hash FROM cases WHERE id = :c", c=x)[0] for x in (a, b)
    )
    rec.sql("UPDATE cases SET event_count = :n, last_event_hash = :h WHERE id = :c", n=cb, h=hb, c=a)
    rec.sql("UPDATE cases SET event_count = :n, last_event_hash = :h WHERE id = :c", n=ca, h=ha, c=b)
    return "事件内容与哈希不符"


def forge_a_checkpoint_file(rec: Record) -> str:
    [real] = [json.loads(p.read_text()) for p in rec.checkpoints.glob("*.json")]
    cp = Checkpoint.from_json(real)
    forged = Checkpoint(cp.origin, cp.size + 5, "ab" * 32, cp.time, cp.key_id, cp.signature)
    (rec.checkpoints / "checkpoint-999999999999-forged.json").write_text(json.dumps(forged.to_json()))
    return "伪造的检查点"


def delete_a_salt(rec: Record) -> str:
    rec.sql("DELETE FROM audit_salts WHERE subject_id = :c", c=rec.fresh)
    return "盐值缺失"


TAMPERING = [
    edit_event,
    insert_forged_closing_event,
    insert_forged_event_into_the_log_too,
    delete_event,
    delete_newest_event_and_move_the_head_back,
    reorder_events,
    truncate_the_log,
    truncate_the_log_and_its_head,
    rewrite_a_chain,
    rewrite_a_chain_and_the_log,
    rewrite_the_log_and_strip_the_signature,
    close_a_case_by_update,
    improve_satisfaction,
    change_the_reporters_phone,
    move_a_deadline,
    clear_a_late_response,
    raise_a_rating,
    delete_a_case,
    swap_two_cases_events,
    forge_a_checkpoint_file,
    delete_a_salt,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__ for t in TAMPERING])
def test_tampering_without_the_key_is_caught(record: Record, tamper: Callable[[Record], str]) -> None:
    expected = tamper(record)
    code, out = record.verify()
    assert code == 1, out
    assert expected in out, out
    assert "篡改" in out
    if record.jobs > 1:  # the parallel walk finds the same problems as the serial one (in another order)
        serial_code, serial_out = record.verify(jobs=1)
        assert serial_code == code
        assert sorted(_problem_lines(out)) == sorted(_problem_lines(serial_out))


def _problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("篡改", "另有"))]


def test_rolling_back_to_an_older_consistent_copy_is_caught(record: Record) -> None:
    """The whole database goes back to how it was at the first checkpoint (a restored backup, or a writer who
    kept a copy); the checkpoint directory outside has a newer checkpoint."""
    rec = record
    tables = {
        "cases": "id",
        "case_tasks": "id",
        "case_events": "id",
        "audit_log": "idx",
        "audit_head": "id",
        "audit_salts": "subject_id",
    }
    snapshot = {t: [dict(r._mapping) for r in rec.rows(f"SELECT * FROM {t}")] for t in tables}
    rec.w.clock.advance(timedelta(minutes=30))
    rec.api.ok("street", rec.accepted, "handle", note="已处理")
    rec.api.ok("operator", rec.fresh, "register")
    code, out = rec.cli("audit", "checkpoint")
    assert code == 0, out
    assert rec.verify()[0] == 0
    for table, pk in tables.items():  # back to the old copy: newer rows go, older rows get their old values
        old = {r[pk]: r for r in snapshot[table]}
        for now in [dict(r._mapping) for r in rec.rows(f"SELECT * FROM {table}")]:
            key = now[pk]
            if key not in old:
                rec.sql(f"DELETE FROM {table} WHERE {pk} = :k", k=key)
                continue
            changed = {c: v for c, v in old[key].items() if now[c] != v}
            if changed:
                sets = ", ".join(f"{c} = :{c}" for c in changed)
                rec.sql(f"UPDATE {table} SET {sets} WHERE {pk} = :k", k=key, **changed)
    code, out = rec.verify()
    assert code == 1, out
    assert "短于检查点" in out and "回滚" in out, out


def test_a_lawful_erasure_still_verifies(record: Record) -> None:
    rec = record
    code, out = rec.cli("pii", "erase", "--phone", "13700002222")
    assert code == 0, out
    assert rec.rows("SELECT reporter_phone FROM cases WHERE id = :c", c=rec.fresh)[0][0] == ""
    code, out = rec.verify()
    assert code == 0, out
    # the erased phone's old digest can no longer be tried against candidates: its salt is gone
    rec.sql("UPDATE cases SET reporter_phone = '13700002222' WHERE id = :c", c=rec.fresh)
    code, out = rec.verify()
    assert code == 1 and "报案人个人信息与记录不符" in out, out


def test_a_checkpoint_is_refused_once_the_log_was_rewritten(record: Record) -> None:
    rewrite_a_chain(record)
    _recompute_log(record)
    code, out = record.cli("audit", "checkpoint")
    assert code == 1 and "树头签名无效" in out, out


def test_a_proof_of_a_case_checks_without_the_database(record: Record, tmp_path: Path) -> None:
    rec = record
    code, out = rec.cli("audit", "prove", str(rec.full))
    assert code == 0, out
    doc = json.loads(out)
    assert doc["published_checkpoint"] is True and doc["tree_size"] >= len(doc["leaves"]) > 10
    assert {"index", "leaf_hash", "audit_path", "event"} <= set(doc["leaves"][0])
    proof = tmp_path / "proof.json"
    proof.write_text(out)
    pub = f"{rec.key}.pub"
    result = CliRunner().invoke(main, ["audit", "check-proof", str(proof), "--public-key", pub])
    assert result.exit_code == 0, result.output
    doc["leaves"][2]["event"]["payload"]["note"] = "改过"
    proof.write_text(json.dumps(doc, ensure_ascii=False))
    result = CliRunner().invoke(main, ["audit", "check-proof", str(proof), "--public-key", pub])
    assert result.exit_code == 1 and "事件内容与哈希不符" in result.output


def test_checkpoint_times_are_utc_seconds() -> None:
    from datetime import UTC, datetime

    assert checkpoint_time(datetime(2026, 12, 1, 20, 0, 1, 999, tzinfo=UTC)) == "2026-12-01T20:00:01Z"


def test_the_worker_checkpoints_to_the_directory_and_a_witness_database(
    record: Record, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridgov.worker import CheckpointScheduler

    rec, c = record, record.w.container
    witness = f"sqlite:///{tmp_path / 'witness.db'}"
    monkeypatch.setattr(
        c,
        "settings",
        c.settings.model_copy(update={"audit_checkpoint_dir": str(rec.checkpoints), "audit_witness_url": witness}),
    )
    rec.api.ok("operator", rec.fresh, "register")
    CheckpointScheduler(c).run_once()
    assert len(list(rec.checkpoints.glob("checkpoint-*.json"))) == 2
    rec.env["GRIDGOV_AUDIT_WITNESS_URL"] = witness
    code, out = rec.verify()
    assert code == 0, out
    size = rec.rows("SELECT size FROM audit_head")[0][0]
    assert f"含最新检查点 (大小 {size}," in out
    for file in rec.checkpoints.glob("checkpoint-*.json"):  # the directory is lost; the witness still has it
        file.unlink()
    rec.sql("DELETE FROM audit_log WHERE idx >= :n", n=size - 1)
    rec.sql("UPDATE audit_head SET size = :n", n=size - 1)
    code, out = rec.verify()
    assert code == 1 and "短于检查点" in out, out


def _changed(value: Any, column: Any) -> Any:
    """Another value of the column's type: what a writer without the key would put there."""
    if value is None or (column.foreign_keys and column.nullable):
        return _a_value(column) if value is None else None
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.001
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, str):
        return value[:-1] + ("x" if value[-1:] != "x" else "y") if value else "x"
    if isinstance(value, list):
        return [*value, "photo://forged.jpg"]
    if isinstance(value, dict):
        return {**value, "forged": True}
    raise AssertionError(f"no change for {column.name}: {value!r}")


def _a_value(column: Any) -> Any:
    if isinstance(column.type, JSON):
        return {"x": 1}
    if isinstance(column.type, UTCDateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    samples: dict[type, Any] = {bool: True, int: 1, float: 0.5, str: "x"}
    return samples[column.type.python_type]


def test_every_projected_column_rewritten_is_caught(record: Record) -> None:
    """Each column a case leaf commits to, of the case row and of its task rows, rewritten alone (the type kept,
    as an UPDATE by someone without the key would): the row check finds it, serially and in workers. The verifier
    reads these rows through the driver with its own conversion (gridgov.cases.audit._rows), so this pins that
    conversion to the ORM's types column by column, datetimes, booleans and JSON included."""
    rec, c = record, record.w.container
    cases, tasks = Case.__table__, CaseTask.__table__
    targets: list[tuple[Any, Any, str]] = [(cases, rec.full, n) for n in CASE_COLUMNS + PERSONAL_COLUMNS if n != "id"]
    with c.engine.connect() as conn:
        task_ids = [int(i) for i in conn.execute(select(tasks.c.id).where(tasks.c.case_id == rec.full)).scalars()]
    assert len(task_ids) >= 2  # the street's task and the summoned department's
    targets += [(tasks, t, n) for t in task_ids for n in TASK_COLUMNS if n != "id"]
    missed = []
    for table, row_id, name in targets:
        column = table.c[name]
        with c.engine.begin() as conn:
            before = conn.execute(select(column).where(table.c.id == row_id)).scalar()
            conn.execute(table.update().where(table.c.id == row_id).values({name: _changed(before, column)}))
        try:
            with c.sessions() as s:
                report = verify_all(s, jobs=rec.jobs)
            if not any(getattr(p, "case_id", None) == rec.full for p in report.problems):
                missed.append(f"{table.name}.{name}")
        finally:
            with c.engine.begin() as conn:
                conn.execute(table.update().where(table.c.id == row_id).values({name: before}))
    assert not missed, missed
    with c.sessions() as s:
        assert verify_all(s, jobs=rec.jobs).ok


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("cases", "postpone_request", "{not json"),
        ("cases", "registered_at", "not a time"),
        ("case_tasks", "evidence", "["),
    ],
)
def test_a_column_rewritten_to_text_its_type_cannot_read_is_reported(
    record: Record, table: str, column: str, value: str
) -> None:
    """SQLite keeps any text in any column: a JSON or datetime column rewritten to text its type cannot decode is
    reported as a changed row, and verify does not stop on it."""
    rec = record
    if rec.w.container.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses such text in a json or timestamptz column")
    key = "id" if table == "cases" else "case_id"
    rec.sql(f"UPDATE {table} SET {column} = :value WHERE {key} = :id", value=value, id=rec.full)
    code, out = rec.verify()
    assert code == 1, out
    assert "Traceback" not in out
    assert ("案件行" if table == "cases" else "任务行") + "与记录不符" in out, out


# (name, databases it applies to, statements (`:full` / `:accepted` bound), what verify must print). Found by an
# attack on the verifier (2026-12-07): each verified clean or stopped with a traceback before.
ATTACKS: list[tuple[str, tuple[str, ...], list[str], str]] = [
    (
        "an_empty_salt_and_a_new_phone",
        ("sqlite", "postgresql"),
        [
            "UPDATE audit_salts SET salt = '' WHERE stream = 'case' AND subject_id = :full",
            "UPDATE cases SET reporter_phone = '13000000000', reporter_name = '李四' WHERE id = :full",
        ],
        "报案人个人信息与记录不符",
    ),
    (
        "a_salt_that_is_not_hex",
        ("sqlite", "postgresql"),
        ["UPDATE audit_salts SET salt = 'zz' WHERE stream = 'case' AND subject_id = :full"],
        "盐值无法读取",
    ),
    ("a_boolean_of_2", ("sqlite",), ["UPDATE cases SET resolved = 2 WHERE id = :full"], "与记录不符"),
    (
        "a_boolean_of_empty_text",
        ("sqlite",),
        ["UPDATE case_tasks SET response_late = '' WHERE case_id = :full AND response_late = 0"],
        "任务行与记录不符",
    ),
    (
        "a_deadline_as_the_same_instant_in_another_zone",  # SQLite compares the text: no longer overdue
        ("sqlite",),
        [
            "UPDATE cases SET clock_due = strftime('%Y-%m-%d %H:%M:%S', clock_due, '+14 hours')"
            " || substr(clock_due, 20) || '+14:00' WHERE id = :accepted"
        ],
        "案件行与记录不符",
    ),
    (
        "a_time_in_canonical_text",
        ("sqlite",),
        ["UPDATE cases SET created_at = replace(created_at, ' ', 'T') || 'Z' WHERE id = :full"],
        "案件行与记录不符",
    ),
    (
        "an_event_time_as_the_same_instant_in_other_text",
        ("sqlite",),
        ["UPDATE case_events SET occurred_at = replace(occurred_at, ' ', 'T') WHERE case_id = :full AND seq = 2"],
        "事件内容与哈希不符",
    ),
    (
        "an_event_time_that_is_no_time",
        ("sqlite",),
        ["UPDATE case_events SET occurred_at = 'garbage' WHERE case_id = :full AND seq = 2"],
        "事件内容与哈希不符",
    ),
    (
        "a_payload_that_is_not_json",
        ("sqlite",),
        ["UPDATE case_events SET payload = '{' WHERE case_id = :full AND seq = 3"],
        "事件内容与哈希不符",
    ),
    (
        "a_payload_that_is_not_an_object",
        ("sqlite", "postgresql"),
        ["UPDATE case_events SET payload = '5' WHERE case_id = :full AND action = 'accept'"],
        "事件内容与哈希不符",
    ),
    (
        "a_blob_in_an_event_column",
        ("sqlite",),
        ["UPDATE case_events SET tag = CAST(tag AS BLOB) WHERE case_id = :full AND seq = 2"],
        "记录中有无法读取的值, 校验中止",
    ),
]


@pytest.mark.parametrize(("name", "databases", "statements", "expected"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_an_attack_on_the_verifier_is_caught_with_a_report(
    record: Record, name: str, databases: tuple[str, ...], statements: list[str], expected: str
) -> None:
    rec = record
    dialect = rec.w.container.engine.dialect.name
    if dialect not in databases:
        pytest.skip(f"{dialect} refuses the value this attack writes")
    for statement in statements:
        params = {k: v for k, v in {"full": rec.full, "accepted": rec.accepted}.items() if f":{k}" in statement}
        assert rec.sql(statement, **params).rowcount >= 1, statement
    code, out = rec.verify()
    assert code == 1, out
    assert expected in out, out
    assert "Traceback" not in out
    if name == "a_blob_in_an_event_column":  # the stop keeps --json's shape
        code, out = rec.cli("audit", "verify", "--json", "--jobs", str(rec.jobs))
        doc = json.loads(out)
        assert code == 1 and doc["ok"] is False and expected in doc["problems"][0]
        assert {"cases", "events", "log_size", "root", "checkpoint", "notes"} <= doc.keys()
