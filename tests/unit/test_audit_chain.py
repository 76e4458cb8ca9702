"""The tamper-evident event chain (gridgov.audit.domain): digests and chain verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gridgov.audit.domain import GENESIS, canonical_time, event_digest, verify_chain
from gridgov.clock import SHANGHAI

CASE_ID = 42
CASE_REF = "20250926-ABCDEF"
T0 = datetime(2025, 9, 30, 10, tzinfo=SHANGHAI)

_STEPS = [
    ("report_case", None, "reported", 7, "resident", None, {"title": "井盖缺失", "phone": "138****1234"}),
    ("register", "reported", "registered", 3, "operator", 1, {"category": "E0501"}),
    ("dispatch", "registered", "dispatched", 4, "dispatcher", 1, {"unit_id": 9, "limit": "1个工作日"}),
]


def _fields(ev: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "prev_hash",
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
    )
    return {k: ev[k] for k in keys}


def build_chain() -> list[dict[str, Any]]:
    """Three events of one case, each hashed over its content and its predecessor's hash."""
    events: list[dict[str, Any]] = []
    prev = GENESIS
    for i, (action, from_s, to_s, actor_id, role, unit_id, payload) in enumerate(_STEPS, start=1):
        ev: dict[str, Any] = {
            "id": 100 + i,
            "prev_hash": prev,
            "seq": i,
            "event_type": f"case_{action}",
            "tag": "case:status:changed",
            "action": action,
            "from_status": from_s,
            "to_status": to_s,
            "actor_id": actor_id,
            "actor_role": role,
            "unit_id": unit_id,
            "occurred_at": T0 + timedelta(minutes=10 * i),
            "payload": payload,
        }
        ev["hash"] = event_digest(case_ref=CASE_REF, **_fields(ev))
        prev = ev["hash"]
        events.append(ev)
    return events


def test_intact_chain_verifies() -> None:
    events = build_chain()
    assert verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"]) is None


def test_empty_chain_with_empty_head_verifies() -> None:
    assert verify_chain(CASE_ID, CASE_REF, [], head_count=0, head_hash=GENESIS) is None


def test_edited_payload_is_reported_on_that_event() -> None:
    events = build_chain()
    events[1]["payload"] = {"category": "E0502"}
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert (problem.case_id, problem.event_id, problem.seq) == (CASE_ID, 102, 2)
    assert "被改动" in problem.problem


def test_edited_actor_is_reported_on_that_event() -> None:
    events = build_chain()
    events[0]["actor_role"] = "admin"
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert (problem.event_id, problem.seq) == (101, 1)


def test_edited_event_with_recomputed_hash_breaks_the_next_link() -> None:
    events = build_chain()
    events[0]["payload"] = {"title": "改过的标题"}
    events[0]["hash"] = event_digest(case_ref=CASE_REF, **_fields(events[0]))
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert (problem.event_id, problem.seq) == (102, 2)
    assert "前序哈希不符" in problem.problem


def test_deleted_middle_event_is_reported() -> None:
    events = build_chain()
    del events[1]
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert problem.event_id == 103
    assert problem.seq == 2
    assert "序号缺失" in problem.problem


def test_deleted_middle_event_with_renumbered_seq_is_still_reported() -> None:
    events = build_chain()
    del events[1]
    events[1]["seq"] = 2
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert problem.event_id == 103
    assert "前序哈希不符" in problem.problem


def test_deleted_last_event_is_reported_against_the_head() -> None:
    events = build_chain()
    head_hash = events[-1]["hash"]
    del events[-1]
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=head_hash)
    assert problem is not None
    assert problem.event_id is None
    assert problem.seq == 3
    assert "案件记录有 3 个事件" in problem.problem
    assert "实存 2 个" in problem.problem
    assert "末尾事件被删除" in problem.problem


def test_deleted_last_event_with_head_count_lowered_is_caught_by_the_head_hash() -> None:
    events = build_chain()
    head_hash = events[-1]["hash"]
    del events[-1]
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=2, head_hash=head_hash)
    assert problem is not None
    assert problem.event_id is None


def test_chain_of_another_case_does_not_verify() -> None:
    events = build_chain()
    problem = verify_chain(CASE_ID + 1, CASE_REF + "X", events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None
    assert problem.event_id == 101


def test_digest_ignores_payload_key_order() -> None:
    ev = build_chain()[2]
    reordered = dict(reversed(list(ev["payload"].items())))
    assert event_digest(case_ref=CASE_REF, **{**_fields(ev), "payload": reordered}) == ev["hash"]


def test_digest_depends_on_the_instant_not_its_time_zone() -> None:
    ev = build_chain()[0]
    in_utc = ev["occurred_at"].astimezone(UTC)
    assert event_digest(case_ref=CASE_REF, **{**_fields(ev), "occurred_at": in_utc}) == ev["hash"]
    later = ev["occurred_at"] + timedelta(microseconds=1)
    assert event_digest(case_ref=CASE_REF, **{**_fields(ev), "occurred_at": later}) != ev["hash"]


def test_digest_is_a_sha256_hex_string() -> None:
    digest = build_chain()[0]["hash"]
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_canonical_time_is_utc_with_microseconds() -> None:
    assert canonical_time(datetime(2025, 10, 1, 0, 0, 0, 5, tzinfo=SHANGHAI)) == "2025-09-30T16:00:00.000005Z"


def test_edited_tag_is_reported_on_that_event() -> None:
    events = build_chain()
    events[1]["tag"] = "case:deadline"
    problem = verify_chain(CASE_ID, CASE_REF, events, head_count=3, head_hash=events[-1]["hash"])
    assert problem is not None and (problem.event_id, problem.seq) == (102, 2)
