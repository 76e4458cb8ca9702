"""What account services need from storage."""

from __future__ import annotations

from typing import Protocol

from gridgov.accounts.models import ApiToken, User
from gridgov.transaction import Transaction
from gridgov.units.ports import UnitRepository


class UserRepository(Protocol):
    def get(self, user_id: int) -> User | None: ...
    def by_username(self, username: str) -> User | None: ...
    def add(self, user: User) -> None: ...
    def add_token(self, token: ApiToken) -> None: ...
    def token_by_hash(self, digest: str) -> ApiToken | None: ...


class AccountsUnitOfWork(Transaction, Protocol):
    @property
    def users(self) -> UserRepository: ...

    @property
    def units(self) -> UnitRepository: ...
