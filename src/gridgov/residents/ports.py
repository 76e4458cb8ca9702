"""What phone sign-in needs: a store of codes and accounts, something that sends an SMS, and request limits."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from gridgov.residents.domain import StoredCode


class CodeStore(Protocol):
    def add(self, phone_key: str, digest: str, client: str, now: datetime, expires_at: datetime) -> int: ...

    def latest(self, phone_key: str) -> StoredCode | None:
        """The newest code of this number (older ones are void once a newer one is sent)."""
        ...

    def count_try(self, code_id: int) -> None: ...

    def use(self, code_id: int, now: datetime) -> bool:
        """Mark a code used; False when another request used it first (single use across processes)."""
        ...

    def account(self, phone_key: str, display_name: str, now: datetime) -> tuple[int, bool]:
        """The resident user of this number, made on first use: (user id, made now)."""
        ...

    def open_session(self, user_id: int, now: datetime, hours: int) -> str: ...


class CodeSender(Protocol):
    def send_code(self, mobile: str, text: str, key: str) -> bool:
        """Send the text at once (no quiet hours: the person is waiting); False when the gateway refused it."""
        ...
