from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.ports import UserRepository


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def by_username(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def add(self, user: User) -> None:
        self.session.add(user)
        self.session.flush()

    def add_token(self, token: ApiToken) -> None:
        self.session.add(token)
        self.session.flush()

    def token_by_hash(self, digest: str) -> ApiToken | None:
        return self.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()


__all__ = ["UserRepository", "SqlUserRepository"]
