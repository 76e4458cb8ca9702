"""The people's side: a case's messages for staff (masked), the inbox, receipts, contacts and unsubscribing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.notify.domain import SELF_SERVICE_CHANNELS, Channel, Outcome, mask_address, normalise_contact
from gridgov.notify.ports import BadUnsubscribeLink, MessageView, NoSuchMessage, NotifyUnitOfWork
from gridgov.signing import unsubscribe_token_valid

CASE_MESSAGE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.STREET})
STAFF_CONTACT_ROLES = frozenset(r for r in Role if r not in (Role.RESIDENT, Role.SYSTEM))


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


def _staff_key(actor: Actor) -> str:
    """The recipient key of a staff member's own contacts; anyone else is refused."""
    if actor.user_id is None or actor.role not in STAFF_CONTACT_ROLES:
        raise PermissionDenied("只有工作人员可以设置通知方式")
    return f"user:{actor.user_id}"


def _give(uow: NotifyUnitOfWork, key: str, channel: Channel, value: str, now: datetime) -> None:
    """Store (or clear) one contact; giving an address is consent to that channel again."""
    uow.messages.set_contact(key, channel, value, now)
    if value:
        uow.messages.set_consent(key, channel, True, now)


def my_contacts(uow: NotifyUnitOfWork, actor: Actor) -> dict[str, dict[str, object]]:
    """The signed-in staff member's SMS number and e-mail address, with whether each may be used."""
    key = _staff_key(actor)
    with uow:
        held = uow.messages.contacts(key)
    return {
        ch.value: {"address": held.get(ch, ("", True))[0], "consent": held.get(ch, ("", True))[1]}
        for ch in SELF_SERVICE_CHANNELS
    }


def set_my_contact(
    uow: NotifyUnitOfWork, actor: Actor, channel: str, address: str, now: datetime
) -> dict[str, dict[str, object]]:
    """A staff member gives (or clears) the number or address their unit's messages reach them at. Giving one is
    consent to that channel again, after an earlier 退订."""
    key = _staff_key(actor)
    try:
        ch = Channel(channel)
    except ValueError:
        raise ValidationFailed("只能设置短信号码或电子邮箱", field="channel") from None
    value = normalise_contact(ch, address)
    with uow:
        _give(uow, key, ch, value, now)
        uow.commit()
    return my_contacts(uow, actor)


def import_staff_contacts(uow: NotifyUnitOfWork, rows: Sequence[tuple[int, str, str, str]], now: datetime) -> int:
    """Staff contacts in bulk (line, username, SMS number, e-mail; an empty cell leaves that channel as it is):
    every line is checked before anything is stored, and the first bad one is named with its line number."""
    with uow:
        ids = uow.messages.staff_ids([name for _, name, _, _ in rows])
        checked: list[tuple[int, Channel, str]] = []
        for line, name, sms, email in rows:
            if name not in ids:
                raise ValidationFailed(f"第 {line} 行: 没有在职的工作人员账号 {name!r}", field="username")
            for channel, value in ((Channel.SMS, sms), (Channel.EMAIL, email)):
                if not value.strip():
                    continue
                try:
                    checked.append((ids[name], channel, normalise_contact(channel, value)))
                except ValidationFailed as exc:
                    raise ValidationFailed(f"第 {line} 行: {exc.message}", **exc.details) from None
        for uid, channel, value in checked:
            _give(uow, f"user:{uid}", channel, value, now)
        uow.commit()
    return len(checked)
