"""Ed25519 keys for the log's tree heads and checkpoints (the `cryptography` package).

The private key lives in a file named by settings (`GRIDGOV_AUDIT_KEY_PATH`), never in the database; its public
half sits beside it as `<key>.pub`, one line `ed25519:<base64 of the 32 raw bytes>`, which is what a verifier or
anyone checking a proof needs."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "ed25519:"


def key_id_of(public: bytes) -> str:
    return hashlib.sha256(b"gridgov-audit-key\n" + public).hexdigest()[:16]


def public_key_text(public: bytes) -> str:
    return PREFIX + base64.b64encode(public).decode()


def parse_public_key(text: str) -> bytes:
    """`ed25519:<base64>` (or the path of a file holding it) → the 32 raw bytes. Raises ValueError."""
    value = text.strip()
    if not value.startswith(PREFIX):
        path = Path(value)
        if not path.is_file():
            raise ValueError(f"not a public key or key file: {text}")
        value = path.read_text(encoding="ascii").strip()
    if not value.startswith(PREFIX):
        raise ValueError("a public key reads ed25519:<base64>")
    raw = base64.b64decode(value[len(PREFIX) :], validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return raw


class Ed25519Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id_of(self._public)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key(self) -> bytes:
        return self._public

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self._public)


class Ed25519Verifier:
    def __init__(self, public: bytes) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(public)
        self.public = public
        self.key_id = key_id_of(public)

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def public_path(key_path: str | Path) -> Path:
    return Path(f"{key_path}.pub")


def generate_key(path: str | Path) -> Ed25519Signer:
    """A new key pair: the private key (PKCS#8 PEM, mode 0600) at `path`, the public line at `path.pub`.
    Refuses to overwrite an existing key."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    signer = Ed25519Signer(key)
    public_path(target).write_text(public_key_text(signer.public_key()) + "\n", encoding="ascii")
    return signer


def load_signer(path: str | Path) -> Ed25519Signer:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"not an Ed25519 private key: {path}")
    return Ed25519Signer(key)


def load_verifier(text_or_path: str | Path) -> Ed25519Verifier:
    return Ed25519Verifier(parse_public_key(str(text_or_path)))
