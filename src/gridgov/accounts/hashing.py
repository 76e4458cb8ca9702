"""The password hasher: argon2id through argon2-cffi, with a dummy verification of the same cost for names
that have no password, so that an unknown user name answers as slowly as a wrong password."""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """gridgov.accounts.ports.PasswordHasher with argon2-cffi's defaults (argon2id)."""

    def __init__(self) -> None:
        self._argon2 = _Argon2()
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        try:
            return self._argon2.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        self.verify(self._dummy_hash(), password)

    def _dummy_hash(self) -> str:
        """A hash of a random secret nobody knows, made with the same parameters as real ones (made once,
        on first use: nothing runs at import time)."""
        if self._dummy is None:
            with self._lock:
                if self._dummy is None:
                    self._dummy = self._argon2.hash(secrets.token_urlsafe(32))
        return self._dummy


ARGON2 = Argon2Hasher()
