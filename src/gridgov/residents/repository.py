"""The code store on the database, and the SMS sender through notify's SMS channel (the same port and adapters)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.models import PhoneAccount, User
from gridgov.accounts.services import new_session
from gridgov.actor import Role
from gridgov.notify.domain import Channel, MessageStatus, Outcome
from gridgov.notify.ports import Outgoing, Sender
from gridgov.residents.domain import StoredCode
from gridgov.residents.models import SignInCode


class SqlCodeStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, phone_key: str, digest: str, client: str, now: datetime, expires_at: datetime) -> int:
        with self.sessions.begin() as s:
            row = SignInCode(
                phone_key=phone_key, code_hash=digest, client=client, created_at=now, expires_at=expires_at
            )
            s.add(row)
            s.flush()
            return row.id

    def latest(self, phone_key: str) -> StoredCode | None:
        with self.sessions() as s:
            row = s.scalars(
                select(SignInCode).where(SignInCode.phone_key == phone_key).order_by(SignInCode.id.desc()).limit(1)
            ).first()
            if row is None:
                return None
            return StoredCode(row.id, row.phone_key, row.code_hash, row.expires_at, row.tries, row.used_at)

    def count_try(self, code_id: int) -> None:
        with self.sessions.begin() as s:
            s.execute(update(SignInCode).where(SignInCode.id == code_id).values(tries=SignInCode.tries + 1))

    def use(self, code_id: int, now: datetime) -> bool:
        with self.sessions.begin() as s:
            done = s.execute(
                update(SignInCode).where(SignInCode.id == code_id, SignInCode.used_at.is_(None)).values(used_at=now)
            )
            return bool(getattr(done, "rowcount", 0))

    def account(self, phone_key: str, display_name: str, now: datetime) -> tuple[int, bool]:
        with self.sessions.begin() as s:
            user_id = s.scalar(select(PhoneAccount.user_id).where(PhoneAccount.phone_key == phone_key))
            if user_id is not None:
                return int(user_id), False
            username = f"m_{phone_key[:16]}"
            user = s.scalars(select(User).where(User.username == username)).first()
            made = user is None
            if user is None:
                user = User(
                    username=username, display_name=display_name, role=Role.RESIDENT.value, active=True, created_at=now
                )
                s.add(user)
                s.flush()
            s.add(PhoneAccount(user_id=user.id, phone_key=phone_key, created_at=now))
            return user.id, made

    def open_session(self, user_id: int, now: datetime, hours: int) -> str:
        token, row = new_session(user_id, "phone", now, hours)
        with self.sessions.begin() as s:
            s.add(row)
        return token


class NotifySmsCodeSender:
    """Sends a code through notify's SMS sender at once, outside the outbox: the code must not be stored, and the
    person is waiting (no quiet hours, like an emergency-class message)."""

    def __init__(self, sender: Sender | None) -> None:
        self.sender = sender

    def send_code(self, mobile: str, text: str, key: str) -> bool:
        if self.sender is None:
            return False
        message = Outgoing(
            id=0,
            key=key,
            channel=Channel.SMS,
            address=mobile,
            subject="",
            body=text,
            status=MessageStatus.QUEUED,
            attempts=1,
            in_doubt=False,
        )
        answer = self.sender.send(message)
        return answer.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED)
