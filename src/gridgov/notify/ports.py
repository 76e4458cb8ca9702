"""What the notify services need: the message store, the unit of work, and one sender per channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gridgov.errors import GridgovError, NotFound
from gridgov.notify.domain import Channel, MessageStatus, Outcome
from gridgov.transaction import Transaction


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message as a channel sends it: the key travels with it to the gateway."""

    id: int
    key: str
    channel: Channel
    address: str
    subject: str
    body: str
    status: MessageStatus
    attempts: int  # tries so far, this one included
    in_doubt: bool  # an earlier try was cut off (the worker died): the gateway may already have it


@dataclass(frozen=True, slots=True)
class Answer:
    """What a gateway said: the outcome, its id for the message, and its words as it said them."""

    outcome: Outcome
    gateway_id: str = ""
    text: str = ""


class Sender(Protocol):
    channel: Channel

    def send(self, message: Outgoing) -> Answer: ...

    def lookup(self, key: str) -> Answer | None:
        """What the gateway knows of a message by its idempotency key (None: nothing, or it cannot be asked)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Result:
    id: int
    status: MessageStatus
    attempts: int
    answer: Answer
    retry_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    case_id: int | None
    event_type: str
    channel: Channel
    status: MessageStatus
    reason: str
    address: str
    subject: str
    body: str
    attempts: int
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    answer: str
    idempotency_key: str


class MessageRepository(Protocol):
    def claim(
        self, now: datetime, limit: int, lease_until: datetime, channels: Sequence[Channel] | None = None
    ) -> list[Outgoing]:
        """Due messages of `channels` (None: all), leased until `lease_until`."""
        ...

    def record(self, results: Sequence[Result], now: datetime) -> None: ...

    def receipt(self, key: str, outcome: Outcome, text: str, now: datetime) -> MessageView | None: ...

    def by_key(self, key: str) -> MessageView | None: ...

    def of_case(self, case_id: int) -> list[MessageView]: ...

    def inbox(self, user_id: int, limit: int) -> list[MessageView]: ...

    def unread(self, user_id: int) -> int: ...

    def mark_read(self, user_id: int, ids: Sequence[int] | None, now: datetime) -> int: ...

    def set_consent(self, recipient_key: str, channel: Channel, consent: bool, now: datetime) -> None: ...

    def set_contact(self, recipient_key: str, channel: Channel, address: str, now: datetime) -> None: ...

    def staff_ids(self, usernames: Sequence[str]) -> dict[str, int]:
        """The ids of the active staff accounts among `usernames`."""
        ...

    def contacts(self, recipient_key: str) -> dict[Channel, tuple[str, bool]]:
        """The person's contacts: channel → (address, consent)."""
        ...

    def counts(self) -> dict[str, int]: ...


class NotifyUnitOfWork(Transaction, Protocol):
    messages: MessageRepository


class NoSuchMessage(NotFound):
    code = "notify_message_not_found"
    message = "没有这条消息"


class BadUnsubscribeLink(GridgovError):
    status = 400
    code = "notify_bad_unsubscribe_link"
    message = "退订链接无效或已被篡改"
