"""The city's one append-only log (pure): what a leaf commits to, the signed tree head (checkpoint), and the
digest of a record's projection that each leaf carries.

A leaf names one event of one stream (`case` today; any feature with an event table adds its own stream):
the subject (the case's id), the event's sequence number in the subject's chain, the event's own hash (which
covers its content and the previous event, see gridgov.audit.domain) and the *state*: a digest of the
subject's rows (the case row and its task rows) as they were when the event's transaction committed. The
state part on personal fields is an HMAC under a per-subject salt kept in an erasable table, so a published
leaf says nothing about a reporter and an erasure can make the old digests unlinkable.

A checkpoint (tree head) is the log's size and root at a time, under an origin line, signed with Ed25519 by
a key the database does not hold. The body follows C2SP's tlog-checkpoint note: origin, size, base64 root,
then one extension line with the time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, Protocol

from gridgov.audit.domain import canonical_time
from gridgov.audit.merkle import leaf_hash

LEAF_VERSION = "gridgov-log-v1"


def leaf_input(stream: str, subject_id: int, seq: int, event_hash: str, state: str) -> bytes:
    """The bytes a leaf hashes (with the 0x00 prefix of RFC 6962)."""
    return f"{LEAF_VERSION}\n{stream}\n{subject_id}\n{seq}\n{event_hash}\n{state}".encode()


def entry_hash(stream: str, subject_id: int, seq: int, event_hash: str, state: str) -> bytes:
    return leaf_hash(leaf_input(stream, subject_id, seq, event_hash, state))


# --- the state a leaf carries ---------------------------------------------------------------------------------


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
_quote = encode_basestring  # what _ENCODER writes for a str (ensure_ascii=False: the C escaping)
_KEYS: dict[str, str] = {}  # column name → its pair's opening text, '["name",'


def _value_text(v: Any) -> str:
    """_ENCODER's text for one value, with a datetime as its canonical_time. The common types take the encoder's
    own results (a str its C escaping, an int int.__repr__, None, True and False their literals); every other value
    (a float, a JSON column's dict or list, a subclass) goes through the encoder itself, which is compositional, so
    the text is the one the value has inside an encoded list (tests/unit/audit/test_state_encoding.py)."""
    t = type(v)
    if t is str:
        return _quote(v)
    if v is None:
        return "null"
    if t is int:
        return int.__repr__(v)
    if t is bool:
        return "true" if v else "false"
    if isinstance(v, datetime):
        return _quote(canonical_time(v))
    return _ENCODER.encode(v)


def _canonical(values: Sequence[tuple[str, Any]]) -> bytes:
    """The canonical JSON text of [[name, value], ...]: what
    `_ENCODER.encode([[k, canonical_time(v) if isinstance(v, datetime) else v] for k, v in values])` gives, built
    pair by pair (the verifier re-derives every case and task row this way, see gridgov.cases.audit)."""
    keys, quote, text_of = _KEYS, _quote, _value_text
    parts: list[str] = []
    add = parts.append
    for k, v in values:
        key = keys.get(k)
        if key is None:
            key = keys[k] = f"[{quote(k)},"
        if v is None:  # the two commonest values of a row, inline
            add(f"{key}null]")
        elif type(v) is str:
            add(f"{key}{quote(v)}]")
        else:
            add(f"{key}{text_of(v)}]")
    return f"[{','.join(parts)}]".encode()


@dataclass(frozen=True, slots=True)
class State:
    """Three 128-bit digests: the subject's own row, its child rows (tasks), its personal fields (HMAC)."""

    row: str
    children: str
    personal: str

    def text(self) -> str:
        return f"{self.row}.{self.children}.{self.personal}"

    @classmethod
    def parse(cls, text: str) -> State | None:
        parts = text.split(".")
        if len(parts) != 3:
            return None
        return cls(*parts)

    def differences(self, other: State) -> list[str]:
        """Which parts differ: 'row', 'children', 'personal'."""
        return [name for name in ("row", "children", "personal") if getattr(self, name) != getattr(other, name)]


def state_of(
    row: Sequence[tuple[str, Any]],
    children: Sequence[Sequence[tuple[str, Any]]],
    personal: Sequence[tuple[str, Any]],
    salt: bytes,
) -> State:
    """The digest of a subject's projection: its row's columns, each child row's columns (in id order) and, under
    the subject's salt, its personal columns."""
    child = hashlib.sha256()
    for c in children:
        child.update(hashlib.sha256(_canonical(c)).digest())
    return State(
        hashlib.sha256(_canonical(row)).hexdigest()[:32],
        child.hexdigest()[:32],
        hmac.new(salt, _canonical(personal), hashlib.sha256).hexdigest()[:32],
    )


# --- checkpoints ----------------------------------------------------------------------------------------------


class Signer(Protocol):
    """Holds the private key (a file the database never sees)."""

    @property
    def key_id(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> bytes: ...


class Verifier(Protocol):
    @property
    def key_id(self) -> str: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...


def checkpoint_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head: `size` leaves with root `root` (hex), at `time` (UTC, seconds), for `origin`."""

    origin: str
    size: int
    root: str
    time: str
    key_id: str = ""
    signature: str = ""  # base64 of the Ed25519 signature over body()

    def body(self) -> bytes:
        root_b64 = base64.b64encode(bytes.fromhex(self.root)).decode()
        return f"{self.origin}\n{self.size}\n{root_b64}\ntime {self.time}\n".encode()

    @property
    def signed(self) -> bool:
        return bool(self.signature)

    def sign(self, signer: Signer) -> Checkpoint:
        return replace(self, key_id=signer.key_id, signature=base64.b64encode(signer.sign(self.body())).decode())

    def valid(self, verifier: Verifier) -> bool:
        if not self.signature or self.key_id != verifier.key_id:
            return False
        try:
            signature = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return verifier.verify(self.body(), signature)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root": self.root,
            "time": self.time,
            "key_id": self.key_id,
            "signature": self.signature,
            "note": self.body().decode(),
        }

    @classmethod
    def from_json(cls, data: Mapping[Any, Any]) -> Checkpoint:
        """Raises ValueError on anything malformed."""
        try:
            cp = cls(
                origin=str(data["origin"]),
                size=int(data["size"]),
                root=str(data["root"]),
                time=str(data["time"]),
                key_id=str(data.get("key_id") or ""),
                signature=str(data.get("signature") or ""),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a checkpoint: {exc}") from exc
        if cp.size < 0 or len(bytes.fromhex(cp.root)) != 32:
            raise ValueError("not a checkpoint: bad size or root")
        return cp
