"""The verifier's hot loop builds each event's hashed body from the stored columns by its own route (the middle run
of columns read as one JSON array made by the database, the payload's stored text re-encoded once per distinct
text, the time from its stored text): on varied events written and hashed as the writers do
(gridgov.audit.domain.event_digest), on SQLite or the PostgreSQL of GRIDGOV_TEST_DATABASE_URL, it must find every
chain intact, and it must still catch a changed character in any column the body covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, text

from gridgov.audit.domain import GENESIS, event_digest
from gridgov.audit.log import entry_hash
from gridgov.audit.sql import audit_log
from gridgov.cases.audit import STREAM, AuditReport, _Problems, _walk
from gridgov.cases.models import Case, CaseEvent

from conftest import World

SHANGHAI = timezone(timedelta(hours=8))
STRINGS = ["reported", "已受理", 'quo"te', "back\\slash", "new\nline\ttab", "ctl\x01\x1f\x7f", "😀 emoji", "\u2028", ""]
PAYLOADS: list[dict[str, Any]] = [
    {},
    {"source": "hotline"},
    {"z": 1, "a": [1, 2.5, None, True, False], "m": {"y": "中文", "b": {"deep": 'x\\y"z'}}},
    {"task_id": 7, "late": True, "note": "超期 😀\n第二行"},
    {"float": 0.1, "tiny": 1e-7, "big": 1e20, "neg": -3.25, "int": 2**62, "zero": 0},
    {"键": "值", "emoji😀": ["\u2028", "\x00", "\t"]},
    {"suggested": "H1802", "confidence": 0.9, "n": 3},
]


def _events(units: list[int], actor: int) -> list[dict[str, Any]]:
    """Varied event columns: every string above in each text column of the middle run, NULLs, real ids."""
    start = datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)
    out = []
    for i in range(40):
        s = STRINGS[i % len(STRINGS)]
        out.append(
            {
                "event_type": f"t{s}"[:40],
                "tag": STRINGS[(i + 3) % len(STRINGS)][:40],
                "action": ["classify", "rework", "return", "evaluate", "accept", s][i % 6][:30],
                "from_status": None if i % 4 == 0 else STRINGS[(i + 1) % len(STRINGS)][:20],
                "to_status": STRINGS[(i + 2) % len(STRINGS)][:20] or "reported",
                "actor_id": None if i % 3 else actor,
                "actor_role": STRINGS[(i + 5) % len(STRINGS)][:20],
                "unit_id": None if i % 2 else units[i % len(units)],
                # microseconds 0 and not, a zone other than UTC
                "occurred_at": start + timedelta(seconds=i * 7919, microseconds=(i * 104729) % 1_000_000 * (i % 2)),
                "payload": PAYLOADS[i % len(PAYLOADS)],
            }
        )
    return out


def _write(w: World) -> int:
    """Three cases with the varied events, their chains hashed by event_digest, and their leaves."""
    at = datetime(2026, 3, 1, tzinfo=UTC)
    with w.container.engine.begin() as conn:
        units = [int(r[0]) for r in conn.execute(text("SELECT id FROM units ORDER BY id LIMIT 3"))]
        actor = int(next(iter(w.users.values())))
        idx, count = 0, 0
        for k, ref in enumerate(["FP00000001", "FP-中文-2", 'FP"3\\'], start=1):
            events, prev = [], GENESIS
            for seq, ev in enumerate(_events(units, actor)[k:], start=1):
                digest = event_digest(prev_hash=prev, case_ref=ref, seq=seq, **ev)
                events.append({**ev, "seq": seq, "prev_hash": prev, "hash": digest})
                prev = digest
            (case_id,) = conn.execute(
                insert(Case.__table__).returning(Case.__table__.c.id),
                {
                    "tracking_code": ref, "title": "快速路径", "description": "", "source": "hotline",
                    "urgency": "normal", "grid_code": w.grid, "address": "", "location_source": "none",
                    "reporter_name": "", "reporter_phone": "", "category_source": "reporter", "needs_review": False,
                    "status": "reported", "created_at": at, "updated_at": at, "rework_count": 0, "return_count": 0,
                    "postponed": False, "alarm_level": "none", "escalation_level": 0, "event_count": len(events),
                    "last_event_hash": prev, "version": 1,
                },
            ).one()  # fmt: skip
            conn.execute(insert(CaseEvent.__table__), [{**ev, "case_id": case_id} for ev in events])
            leaves = []
            for ev in events:
                leaf = entry_hash(STREAM, case_id, ev["seq"], ev["hash"], "")
                leaves.append(
                    {"idx": idx, "stream": STREAM, "subject_id": case_id, "seq": ev["seq"],
                     "event_hash": ev["hash"], "state": "", "leaf_hash": leaf.hex()}
                )  # fmt: skip
                idx += 1
            conn.execute(insert(audit_log), leaves)
            count += len(events)
    return count


def _chain_problems(w: World, serial: bool = True) -> tuple[int, list[str]]:
    with w.container.engine.connect() as conn:
        report = AuditReport()
        out = _Problems(report, 100)
        if serial:
            _walk(conn, out, report, None, [])
        else:  # a worker's share: the case leaves of a range of case ids
            _walk(conn, out, report, (None, None), None)
    return report.events, [getattr(p, "problem", "") for p in report.problems]


def test_the_walk_hashes_the_bytes_event_digest_hashes(clean: World) -> None:
    count = _write(clean)
    assert _chain_problems(clean) == (count, [])
    assert _chain_problems(clean, serial=False) == (count, [])


@pytest.mark.parametrize(
    "column, value",
    [
        ("event_type", "'tX'"),
        ("tag", "tag || ' '"),
        ("action", "'rate_department'"),
        ("from_status", "'reported'"),
        ("to_status", "to_status || '.'"),
        ("actor_role", "'admin'"),
        ("unit_id", "(SELECT max(id) FROM units)"),
        ("payload", """'{"z": 1}'"""),
        ("occurred_at", "occurred_at"),  # rewritten below by a microsecond
    ],
)
def test_a_changed_column_of_the_body_is_caught(clean: World, column: str, value: str) -> None:
    _write(clean)
    with clean.container.engine.begin() as conn:
        event_id = conn.execute(text("SELECT min(id) FROM case_events WHERE seq = 5")).scalar_one()
        if column == "occurred_at":
            old = conn.execute(text("SELECT occurred_at FROM case_events WHERE id = :i"), {"i": event_id}).scalar_one()
            moved = (old if isinstance(old, datetime) else datetime.fromisoformat(old)) + timedelta(microseconds=1)
            conn.execute(text("UPDATE case_events SET occurred_at = :t WHERE id = :i"), {"t": moved, "i": event_id})
        else:
            conn.execute(text(f"UPDATE case_events SET {column} = {value} WHERE id = :i"), {"i": event_id})
    _, problems = _chain_problems(clean)
    assert problems == ["事件内容与哈希不符 (该事件被改动)"]
