"""The e-mail intake: an aiosmtpd handler that accepts mail for campaign mailboxes only (no relay), stores each
message as a suggestion and answers 250 only after the suggestion is committed. Refusals carry a clear
reason (SMTP replies are ASCII): 550/552 when resending will not help, 451 when it may."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from aiosmtpd.controller import Controller

from gridgov.campaigns.domain import AttachmentTooLarge, ChannelClosed, EmptySuggestion, MalformedMail, OutsideWindow
from gridgov.campaigns.ports import CampaignsUnitOfWork
from gridgov.campaigns.services import DEFAULT_POLICY, IntakePolicy, mailbox_campaign, receive_mail
from gridgov.clock import Clock
from gridgov.errors import GridgovError, NotFound
from gridgov.logging import get_logger

log = get_logger(__name__)


def _ascii(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)[:200]


def refusal(exc: GridgovError) -> str:
    """The SMTP reply for a refused message: permanent, with the reason in words a sender can act on."""
    if isinstance(exc, AttachmentTooLarge):
        limit = exc.details.get("limit")
        return (
            f"552 5.3.4 Attachment too large ({exc.details.get('size', '?')} bytes, limit {limit}); resend without it"
        )
    if isinstance(exc, MalformedMail):
        defects = ", ".join(exc.details.get("defects", [])) or "no headers or empty"
        return f"550 5.6.0 Malformed message, cannot be read: {_ascii(defects)}"
    if isinstance(exc, OutsideWindow):
        return f"550 5.7.1 Campaign is {'not open yet' if exc.details.get('position') == 'early' else 'closed'}"
    if isinstance(exc, ChannelClosed):
        return "550 5.7.1 This campaign does not take suggestions by e-mail"
    if isinstance(exc, EmptySuggestion):
        return "550 5.6.0 Empty suggestion: no subject and no text"
    if isinstance(exc, NotFound):
        return "550 5.1.1 No such campaign mailbox"
    field = exc.details.get("field")
    return f"550 5.6.0 Refused: {_ascii(exc.code)}" + (f" in field {_ascii(str(field))}" if field else "")


class CampaignMailHandler:
    """Each message is stored through `uow_factory`; the mailbox look-ups during RCPT go through
    `read_uow_factory` when given (a read-only unit of work: on SQLite it does not queue behind writers)."""

    def __init__(
        self,
        uow_factory: Callable[[], CampaignsUnitOfWork],
        clock: Clock,
        policy: IntakePolicy = DEFAULT_POLICY,
        *,
        read_uow_factory: Callable[[], CampaignsUnitOfWork] | None = None,
    ) -> None:
        self.uow_factory, self.clock, self.policy = uow_factory, clock, policy
        self.read_uow_factory = read_uow_factory or uow_factory

    def campaign_for(self, address: str) -> str | None:
        return mailbox_campaign(self.read_uow_factory(), address)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        loop = asyncio.get_running_loop()
        try:
            slug = await loop.run_in_executor(None, self.campaign_for, address)
        except Exception:
            log.exception("smtp_lookup_failed")
            return "451 4.3.0 Temporary failure, try again later"
        if slug is None:
            return "550 5.1.1 No such campaign mailbox here (relaying denied)"
        if envelope.rcpt_tos:
            # one campaign per delivery, so a message is stored whole or not at all: the sender's server
            # delivers to the other campaign in a separate transaction
            try:
                first = await loop.run_in_executor(None, self.campaign_for, envelope.rcpt_tos[0])
            except Exception:
                log.exception("smtp_lookup_failed")
                return "451 4.3.0 Temporary failure, try again later"
            if first != slug:
                return "452 4.5.3 One campaign mailbox per message; send to this address separately"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            refs = await loop.run_in_executor(None, partial(self._store_for, list(envelope.rcpt_tos), raw))
        except GridgovError as exc:
            log.info("smtp_refused", code=exc.code)
            return refusal(exc)
        except Exception:
            log.exception("smtp_store_failed")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 OK suggestion {' '.join(refs)}"

    def _store_for(self, rcpts: list[str], raw: bytes) -> list[str]:
        """Store for the one campaign the recipients name (handle_RCPT admits a single campaign)."""
        slugs = {slug for slug in (self.campaign_for(address) for address in rcpts) if slug}
        if len(slugs) != 1:
            raise NotFound("no campaign")
        return [receive_mail(self.uow_factory(), slugs.pop(), raw, self.clock.now(), self.policy).ref]


def controller(handler: CampaignMailHandler, host: str, port: int, max_message_bytes: int) -> Controller:
    """An aiosmtpd Controller (its own thread and event loop); call .start() and .stop()."""
    return Controller(handler, hostname=host, port=port, data_size_limit=max_message_bytes, ident="gridgov campaigns")
