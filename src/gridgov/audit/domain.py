"""The tamper-evident chain (pure): each event's hash covers its content and the previous hash.

An event is bound to its case by the case's tracking code (known before the case row is written, so the
first event's hash can be stored with the case in one INSERT); the case row keeps the chain's head
(event count and last hash), so deleting the newest event is detected too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_digest(
    *,
    prev_hash: str,
    case_ref: str,
    seq: int,
    event_type: str,
    tag: str,
    action: str,
    from_status: str | None,
    to_status: str,
    actor_id: int | None,
    actor_role: str,
    unit_id: int | None,
    occurred_at: datetime,
    payload: Mapping[str, Any],
) -> str:
    return digest_of(
        prev_hash,
        case_ref,
        seq,
        event_type,
        tag,
        action,
        from_status,
        to_status,
        actor_id,
        actor_role,
        unit_id,
        canonical_time(occurred_at),
        payload,
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_sha256 = hashlib.sha256
encode_canonical = _ENCODER.encode  # the canonical JSON text of a value (what digest_of hashes, piece by piece)


def digest_of(
    prev_hash: str,
    case_ref: str,
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
    payload: Mapping[str, Any],
) -> str:
    """`event_digest` with the time already canonical (the verifier's fast path; the same bytes)."""
    body = _ENCODER.encode(
        [
            prev_hash,
            case_ref,
            seq,
            event_type,
            tag,
            action,
            from_status,
            to_status,
            actor_id,
            actor_role,
            unit_id,
            time_text,
            payload,
        ]
    )
    return _sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    case_id: int
    event_id: int | None
    seq: int
    problem: str


def verify_chain(
    case_id: int,
    case_ref: str,
    events: Iterable[Mapping[str, Any]],
    head_count: int,
    head_hash: str,
) -> ChainProblem | None:
    """The first problem in one case's chain, or None. `events` in seq order, as row mappings."""
    prev = GENESIS
    expected_seq = 1
    for ev in events:
        if ev["seq"] != expected_seq:
            return ChainProblem(case_id, ev["id"], expected_seq, f"事件序号缺失: 应为 {expected_seq}, 实为 {ev['seq']}")
        if ev["prev_hash"] != prev:
            return ChainProblem(case_id, ev["id"], ev["seq"], "前序哈希不符 (前一事件被改动或删除)")
        digest = event_digest(
            prev_hash=ev["prev_hash"],
            case_ref=case_ref,
            seq=ev["seq"],
            event_type=ev["event_type"],
            tag=ev["tag"],
            action=ev["action"],
            from_status=ev["from_status"],
            to_status=ev["to_status"],
            actor_id=ev["actor_id"],
            actor_role=ev["actor_role"],
            unit_id=ev["unit_id"],
            occurred_at=ev["occurred_at"],
            payload=ev["payload"],
        )
        if digest != ev["hash"]:
            return ChainProblem(case_id, ev["id"], ev["seq"], "事件内容与哈希不符 (该事件被改动)")
        prev = ev["hash"]
        expected_seq += 1
    if expected_seq - 1 != head_count or prev != head_hash:
        return ChainProblem(
            case_id, None, expected_seq, f"案件记录有 {head_count} 个事件, 实存 {expected_seq - 1} 个 (末尾事件被删除)"
        )
    return None
