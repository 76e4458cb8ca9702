"""Checking an inclusion proof from `gridgov audit prove` without the database (pure): the checkpoint's signature
under the public key, each event's hash from its content, each leaf's hash from its fields, the audit path from
the leaf to the checkpoint's root, and the events' chain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.audit.domain import event_digest
from gridgov.audit.log import Checkpoint, Verifier, entry_hash
from gridgov.audit.merkle import verify_inclusion


def check_proof(doc: Mapping[str, Any], verifier: Verifier) -> list[str]:
    """The problems found (empty: the proof holds)."""
    problems: list[str] = []
    try:
        cp = Checkpoint.from_json(doc["checkpoint"])
        size, root = int(doc["tree_size"]), str(doc["root"])
        leaves = list(doc["leaves"])
        ref = str(doc["case"]["tracking_code"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"不是 gridgov 的包含证明: {exc}"]
    if not cp.valid(verifier):
        problems.append("检查点签名无效 (不是该公钥签署的)")
    if cp.size != size or cp.root != root:
        problems.append("证明的树大小或树根与检查点不符")
    if not leaves:
        problems.append("证明中没有事件")
    prev_hash: str | None = None
    for item in leaves:
        try:
            index, seq = int(item["index"]), int(item["seq"])
            leaf = entry_hash(str(item["stream"]), int(item["subject_id"]), seq, item["event_hash"], item["state"])
            path = [bytes.fromhex(p) for p in item["audit_path"]]
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"证明条目格式错误: {exc}")
            continue
        if leaf.hex() != item.get("leaf_hash"):
            problems.append(f"第 {seq} 个事件: 叶子哈希与其内容不符")
        if not verify_inclusion(leaf, index, size, path, bytes.fromhex(root)):
            problems.append(f"第 {seq} 个事件: 审计路径不能导出检查点的树根 (不在该日志中)")
        event = item.get("event")
        if event is None:
            problems.append(f"第 {seq} 个事件: 证明未附事件内容")
            continue
        if _event_hash(ref, event) != item["event_hash"] or event.get("hash") != item["event_hash"]:
            problems.append(f"第 {seq} 个事件: 事件内容与哈希不符")
        if prev_hash is not None and event.get("prev_hash") != prev_hash:
            problems.append(f"第 {seq} 个事件: 与前一事件不相连")
        prev_hash = item["event_hash"]
    return problems


def _event_hash(ref: str, event: Mapping[str, Any]) -> str | None:
    try:
        return event_digest(
            prev_hash=event["prev_hash"],
            case_ref=ref,
            seq=event["seq"],
            event_type=event["event_type"],
            tag=event["tag"],
            action=event["action"],
            from_status=event["from_status"],
            to_status=event["to_status"],
            actor_id=event["actor_id"],
            actor_role=event["actor_role"],
            unit_id=event["unit_id"],
            occurred_at=datetime.fromisoformat(event["occurred_at"]),
            payload=event["payload"],
        )
    except (KeyError, TypeError, ValueError):
        return None
