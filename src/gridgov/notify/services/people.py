"""The people's side: a case's messages for staff (masked), the inbox, receipts, contacts and unsubscribing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied
from gridgov.notify.domain import Channel, Outcome, mask_address
from gridgov.notify.ports import BadUnsubscribeLink, MessageView, NoSuchMessage, NotifyUnitOfWork
from gridgov.signing import unsubscribe_token_valid

CASE_MESSAGE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.STREET})


def case_messages(uow: NotifyUnitOfWork, case_id: int, actor: Actor) -> list[MessageView]:
    """The messages a case caused, addresses masked (138****5678), for the command centre and supervisors."""
    if actor.role not in CASE_MESSAGE_ROLES:
        raise PermissionDenied("只有指挥中心、领导和街道可以查看案件的通知记录")
    with uow:
        rows = uow.messages.of_case(case_id)
    return [replace(m, address=mask_address(m.channel, m.address)) for m in rows]


def inbox(uow: NotifyUnitOfWork, actor: Actor, limit: int = 50) -> tuple[list[MessageView], int]:
    if actor.user_id is None:
        return [], 0
    with uow:
        return uow.messages.inbox(actor.user_id, limit), uow.messages.unread(actor.user_id)


def mark_read(uow: NotifyUnitOfWork, actor: Actor, ids: Sequence[int] | None, now: datetime) -> int:
    if actor.user_id is None:
        return 0
    with uow:
        n = uow.messages.mark_read(actor.user_id, ids, now)
        uow.commit()
    return n


def record_receipt(uow: NotifyUnitOfWork, key: str, delivered: bool, text: str, now: datetime) -> MessageView:
    """A gateway's delivery report (回执) for the message with this idempotency key."""
    with uow:
        view = uow.messages.receipt(key, Outcome.DELIVERED if delivered else Outcome.REJECTED, text, now)
        if view is None:
            raise NoSuchMessage()
        uow.commit()
    return view


def unsubscribe(
    uow: NotifyUnitOfWork, secret: str, recipient_key: str, channel: str, token: str, now: datetime
) -> Channel:
    """The link in every message: stops that channel to that person (consent withdrawn, PIPL art. 15)."""
    try:
        ch = Channel(channel)
    except ValueError:
        raise BadUnsubscribeLink() from None
    if not unsubscribe_token_valid(secret, recipient_key, ch.value, token):
        raise BadUnsubscribeLink()
    with uow:
        uow.messages.set_consent(recipient_key, ch, False, now)
        uow.commit()
    return ch


def set_contact(uow: NotifyUnitOfWork, recipient_key: str, channel: Channel, address: str, now: datetime) -> None:
    with uow:
        uow.messages.set_contact(recipient_key, channel, address, now)
        uow.commit()
