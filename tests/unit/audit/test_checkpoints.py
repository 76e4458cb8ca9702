"""Signed checkpoints (Ed25519, RFC 8032 through `cryptography`), the stores outside the database, the state a
leaf commits to, and proofs checked without the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gridgov.audit.domain import GENESIS, canonical_time, event_digest
from gridgov.audit.keys import (
    Ed25519Signer,
    Ed25519Verifier,
    generate_key,
    load_signer,
    load_verifier,
    parse_public_key,
    public_key_text,
)
from gridgov.audit.log import Checkpoint, entry_hash, state_of
from gridgov.audit.memory import MemoryAuditLog, MemoryLogStore
from gridgov.audit.merkle import inclusion_proof, root
from gridgov.audit.ports import PendingLeaf
from gridgov.audit.proof import check_proof
from gridgov.audit.store import DirectoryCheckpointStore

cryptography = pytest.importorskip("cryptography")
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

# RFC 8032 §7.1, TEST 1
RFC_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC_SIGNATURE = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def _rfc_signer() -> Ed25519Signer:
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC_SECRET)))


def test_the_signer_follows_rfc_8032() -> None:
    signer = _rfc_signer()
    assert signer.public_key().hex() == RFC_PUBLIC
    assert signer.sign(b"").hex() == RFC_SIGNATURE
    assert Ed25519Verifier(bytes.fromhex(RFC_PUBLIC)).verify(b"", bytes.fromhex(RFC_SIGNATURE))
    assert not Ed25519Verifier(bytes.fromhex(RFC_PUBLIC)).verify(b"x", bytes.fromhex(RFC_SIGNATURE))


def test_a_checkpoint_signs_its_note_body_and_any_change_breaks_it() -> None:
    signer = _rfc_signer()
    cp = Checkpoint("gridgov/4101", 8, root([]).hex(), "2026-12-01T20:00:00Z").sign(signer)
    assert cp.body().decode().splitlines() == [
        "gridgov/4101",
        "8",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "time 2026-12-01T20:00:00Z",
    ]
    verifier = signer.verifier()
    assert cp.valid(verifier)
    again = Checkpoint.from_json(json.loads(json.dumps(cp.to_json())))
    assert again == cp and again.valid(verifier)
    for forged in (
        Checkpoint(cp.origin, 9, cp.root, cp.time, cp.key_id, cp.signature),
        Checkpoint(cp.origin, cp.size, "00" * 32, cp.time, cp.key_id, cp.signature),
        Checkpoint(cp.origin, cp.size, cp.root, "2030-01-01T00:00:00Z", cp.key_id, cp.signature),
        Checkpoint(cp.origin, cp.size, cp.root, cp.time, cp.key_id, ""),
        Checkpoint(cp.origin, cp.size, cp.root, cp.time, cp.key_id, "not base64!"),
    ):
        assert not forged.valid(verifier)
    other = Ed25519Signer(Ed25519PrivateKey.generate())
    by_other = Checkpoint(cp.origin, cp.size, cp.root, cp.time).sign(other)
    assert not by_other.valid(verifier)  # signed, but not by the city's key


def test_keygen_writes_a_private_file_the_public_line_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k" / "ed25519.key"
    signer = generate_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    pub = Path(f"{path}.pub").read_text().strip()
    assert pub == public_key_text(signer.public_key()) and parse_public_key(pub) == signer.public_key()
    assert load_signer(path).key_id == signer.key_id
    assert load_verifier(f"{path}.pub").key_id == signer.key_id
    with pytest.raises(FileExistsError):
        generate_key(path)
    with pytest.raises(ValueError):
        parse_public_key("ed25519:AAAA")


def test_the_directory_store_only_adds_files_and_reports_bad_ones(tmp_path: Path) -> None:
    store = DirectoryCheckpointStore(tmp_path)
    signer = _rfc_signer()
    a = Checkpoint("o", 1, "11" * 32, "2026-12-01T20:00:00Z").sign(signer)
    b = Checkpoint("o", 2, "22" * 32, "2026-12-01T20:00:00Z").sign(signer)
    store.append(b)
    store.append(a)
    store.append(a)  # the same name again: a second file, the first untouched
    assert [c.size for c in store.all()] == [1, 1, 2]
    (tmp_path / "checkpoint-x.json").write_text("{")
    store.all()
    assert len(store.problems()) == 1


def test_the_state_changes_with_any_projected_value_and_hides_personal_ones() -> None:
    row, tasks, personal = [("status", "closed")], [[("id", 1), ("rating", 5)]], [("reporter_phone", "13912345678")]
    base = state_of(row, tasks, personal, b"salt")
    assert state_of([("status", "accepted")], tasks, personal, b"salt").differences(base) == ["row"]
    assert state_of(row, [[("id", 1), ("rating", 1)]], personal, b"salt").differences(base) == ["children"]
    assert state_of(row, tasks, [("reporter_phone", "13900000000")], b"salt").differences(base) == ["personal"]
    assert state_of(row, tasks, personal, b"other").differences(base) == ["personal"]  # unlinkable without salt
    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert state_of([("t", at)], [], [], b"").row == state_of([("t", at.astimezone())], [], [], b"").row


def _chain(ref: str, n: int) -> list[dict[str, object]]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = dict(
            seq=seq,
            event_type="case_reported" if seq == 1 else "case_registered",
            tag="case:created",
            action="report_case" if seq == 1 else "register",
            from_status=None,
            to_status="reported",
            actor_id=None,
            actor_role="system",
            unit_id=None,
            occurred_at=datetime(2026, 12, 1, 9, seq, tzinfo=UTC),
            payload={"n": seq},
        )
        digest = event_digest(prev_hash=prev, case_ref=ref, **fields)  # type: ignore[arg-type]
        events.append(
            {**fields, "prev_hash": prev, "hash": digest, "occurred_at": canonical_time(fields["occurred_at"])}
        )  # type: ignore[arg-type]
        prev = digest
    return events


def test_a_proof_checks_without_the_database_and_fails_when_anything_is_changed() -> None:
    signer = _rfc_signer()
    store = MemoryLogStore(origin="gridgov/4101")
    log = MemoryAuditLog(store, time=lambda: "2026-12-01T20:00:00Z", signer=signer)
    for i in range(5):  # other cases' events around it
        log.queue(PendingLeaf("case", lambda i=i: 100 + i, 1, f"{i:064x}"))  # type: ignore[misc]
    events = _chain("GG-1", 3)
    for ev in events:
        log.queue(PendingLeaf("case", lambda: 7, int(ev["seq"]), str(ev["hash"])))  # type: ignore[call-overload]
    log.seal()
    head = store.head
    assert head is not None and head.valid(signer.verifier()) and head.size == 8
    leaves = [e.leaf_hash for e in store.entries]
    doc = {
        "case": {"id": 7, "tracking_code": "GG-1"},
        "tree_size": head.size,
        "root": head.root,
        "checkpoint": head.to_json(),
        "leaves": [
            {
                "index": e.idx,
                "stream": e.stream,
                "subject_id": e.subject_id,
                "seq": e.seq,
                "event_hash": e.event_hash,
                "state": e.state,
                "leaf_hash": e.leaf_hash.hex(),
                "audit_path": [p.hex() for p in inclusion_proof(leaves, e.idx)],
                "event": events[e.seq - 1],
            }
            for e in store.entries
            if e.subject_id == 7
        ],
    }
    assert entry_hash("case", 7, 1, str(events[0]["hash"]), "") == leaves[5]
    verifier = signer.verifier()
    assert check_proof(doc, verifier) == []
    tampered = json.loads(json.dumps(doc))
    tampered["leaves"][1]["event"]["payload"] = {"n": 99}
    assert any("事件内容" in p for p in check_proof(tampered, verifier))
    tampered = json.loads(json.dumps(doc))
    tampered["leaves"][0]["audit_path"][0] = "00" * 32
    assert any("审计路径" in p for p in check_proof(tampered, verifier))
    tampered = json.loads(json.dumps(doc))
    tampered["checkpoint"]["root"] = "11" * 32
    assert any("签名" in p for p in check_proof(tampered, verifier))
    assert any("签名" in p for p in check_proof(doc, Ed25519Signer(Ed25519PrivateKey.generate()).verifier()))
