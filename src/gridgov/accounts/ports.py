"""What account services need from storage and from outside: users and tokens, the sign-in throttle, the
password hasher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gridgov.accounts.domain import LoginPolicy
from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.transaction import Transaction
from gridgov.units.ports import UnitRepository


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What authenticating a bearer token needs, read in one query: the token's state, its user's and the
    grid of the user's unit (None where the user has no unit or the token's user is gone)."""

    revoked_at: datetime | None
    expires_at: datetime | None
    scopes: str
    kind: str
    user_id: int | None
    active: bool | None
    role: str | None
    unit_id: int | None
    display_name: str | None
    unit_grid: str | None


class UserRepository(Protocol):
    def get(self, user_id: int) -> User | None: ...
    def by_username(self, username: str) -> User | None: ...
    def add(self, user: User) -> None: ...
    def add_token(self, token: ApiToken) -> None: ...
    def token_by_hash(self, digest: str) -> ApiToken | None: ...
    def grant_by_hash(self, digest: str) -> TokenGrant | None: ...
    def log_view(self, access: PiiAccess) -> None: ...


class AccountsUnitOfWork(Transaction, Protocol):
    @property
    def users(self) -> UserRepository: ...

    @property
    def units(self) -> UnitRepository: ...


@dataclass(frozen=True, slots=True)
class Admission:
    """The throttle's answer before a password is looked at: this is try number `tries` in a row, or, when
    `blocked_until` is set, the try is refused unseen until then."""

    tries: int
    blocked_until: datetime | None = None

    @property
    def admitted(self) -> bool:
        return self.blocked_until is None


class LoginThrottle(Protocol):
    """Failed sign-ins per (user name, client address), kept in the database so that every process sees
    them. Each method runs and commits its own short transaction."""

    def admit(self, username: str, client: str, now: datetime, policy: LoginPolicy) -> Admission:
        """Count a try before its password is checked, atomically, so that parallel tries are counted one by
        one: refused (with until when) while an earlier try's delay runs."""
        ...

    def succeeded(self, username: str, client: str) -> None:
        """The right password: this name and address start again from nothing."""
        ...

    def clear(self, username: str) -> int:
        """Forget every count for this name (an admin's unlock); how many addresses were forgotten."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, encoded: str, password: str) -> bool:
        """Whether the password matches the stored hash (a malformed hash never matches)."""
        ...

    def verify_dummy(self, password: str) -> None:
        """The same work as a verification, for a name with no password: nothing can be learnt from time."""
        ...
