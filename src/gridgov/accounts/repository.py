from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import LoginPolicy
from gridgov.accounts.models import ApiToken, LoginThrottle, PiiAccess, User
from gridgov.accounts.ports import Admission, TokenGrant, UserRepository
from gridgov.db import UTCDateTime
from gridgov.units.models import Unit


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._loaded: tuple[object, ...] = ()

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
        """The token, read in one query with its user and the user's unit: they land in the session, so that
        authentication's `get` of each that follows costs no second and third round trip."""
        stmt = (
            select(ApiToken, User, Unit)
            .outerjoin(User, User.id == ApiToken.user_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(ApiToken.token_hash == digest)
        )
        row = self.session.execute(stmt).first()
        self._loaded = tuple(row) if row is not None else ()  # held: the session's identity map holds weakly
        return row[0] if row is not None else None

    def grant_by_hash(self, digest: str) -> TokenGrant | None:
        """The columns authentication reads, in one Core query on the session's connection: every request
        makes it, and loading three ORM rows for it cost a quarter of the intake path's CPU (issue 13)."""
        row = self.session.connection().execute(_GRANT, {"digest": digest}).first()
        return TokenGrant(**row._asdict()) if row is not None else None

    def log_view(self, access: PiiAccess) -> None:
        self.session.add(access)


_GRANT = (
    select(
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.scopes,
        ApiToken.kind,
        User.id.label("user_id"),
        User.active,
        User.role,
        User.unit_id,
        User.display_name,
        Unit.grid_code.label("unit_grid"),
    )
    .select_from(ApiToken)
    .outerjoin(User, User.id == ApiToken.user_id)
    .outerjoin(Unit, Unit.id == User.unit_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


class SqlLoginThrottle:
    """gridgov.accounts.ports.LoginThrottle in the `login_throttle` table (SQLite and PostgreSQL).

    `admit` is one `UPDATE … SET failures = failures + 1, blocked_until = … WHERE not blocked … RETURNING`:
    the database serialises parallel tries on the row, each sees the count the one before left, and the try
    that reaches the free limit sets the delay in the same statement, so every later try finds the row
    blocked without its password ever being looked at."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One short transaction, committed on the way out (rolled back on an error)."""
        with self._sessions() as session:
            if session.get_bind().dialect.name == "sqlite":  # take the write lock at BEGIN, as units of work do
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            yield session
            session.commit()

    def admit(self, username: str, client: str, now: datetime, policy: LoginPolicy) -> Admission:
        key = (LoginThrottle.username == username, LoginThrottle.client == client)
        stale = now - timedelta(seconds=policy.forget_after_seconds)
        tries = case(
            (or_(LoginThrottle.last_attempt_at.is_(None), LoginThrottle.last_attempt_at < stale), 1),
            else_=LoginThrottle.failures + 1,
        )
        with self._transaction() as s:
            s.execute(self._insert_missing(s, username, client))
            row = s.execute(
                update(LoginThrottle)
                .where(*key, or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now))
                .values(failures=tries, blocked_until=_block_after(tries, now, policy), last_attempt_at=now)
                .returning(LoginThrottle.failures)
            ).first()
            if row is not None:
                return Admission(tries=int(row[0]))
            held = s.execute(select(LoginThrottle.failures, LoginThrottle.blocked_until).where(*key)).one()
            return Admission(tries=int(held[0]), blocked_until=held[1])

    @staticmethod
    def _insert_missing(s: Session, username: str, client: str) -> Any:
        values = {"username": username, "client": client, "failures": 0}
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(LoginThrottle).values(**values).on_conflict_do_nothing()
        if dialect == "sqlite":
            return sqlite.insert(LoginThrottle).values(**values).on_conflict_do_nothing()
        raise NotImplementedError(dialect)

    def succeeded(self, username: str, client: str) -> None:
        with self._transaction() as s:
            s.execute(delete(LoginThrottle).where(LoginThrottle.username == username, LoginThrottle.client == client))

    def clear(self, username: str) -> int:
        with self._transaction() as s:
            done = s.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
            return int(done.rowcount)  # type: ignore[attr-defined]


def _block_after(tries: ColumnElement[Any], now: datetime, policy: LoginPolicy) -> ColumnElement[Any]:
    """blocked_until for the new count, as SQL: none under the free limit, then the policy's delays (a
    CASE over the few steps up to the cap, the same on every database)."""
    steps = policy.steps()
    whens: list[tuple[Any, Any]] = [(tries < policy.free_attempts, literal(None, UTCDateTime()))]
    whens += [(tries == n, literal(now + timedelta(seconds=d), UTCDateTime())) for n, d in steps[:-1]]
    return case(*whens, else_=literal(now + timedelta(seconds=steps[-1][1]), UTCDateTime()))


__all__ = ["UserRepository", "SqlLoginThrottle", "SqlUserRepository"]
