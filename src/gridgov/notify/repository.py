"""The SQL adapters: the message store, and the outbox writer the shared unit of work calls at commit over the
case events of its transaction."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy import func, select, true, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gridgov import signing
from gridgov.accounts.models import User
from gridgov.actor import Role
from gridgov.cases.domain import CaseStatus
from gridgov.cases.models import WRITTEN_EVENTS, Case, CaseEvent
from gridgov.categories.models import Category
from gridgov.jobs.ports import Job
from gridgov.notify.domain import (
    BEIJING,
    Audience,
    Budget,
    Channel,
    FollowMode,
    FollowTarget,
    MessageStatus,
    Outcome,
    Planned,
    Policy,
    Recipient,
    beijing_day,
    next_status,
    plan_message,
)
from gridgov.notify.models import Contact, Follow, Message
from gridgov.notify.ports import Answer, MessageRepository, MessageView, Outgoing, Result
from gridgov.notify.rules import RuleBook
from gridgov.transaction import BoundUnitOfWork, Transaction
from gridgov.units.models import Unit

NOTIFY_DELIVER = "gridgov.notify_deliver"  # the delivery job's task name
# a resident's SMS keeps no copy of the number: the address is the case's reporter phone, read when it is sent
# (and shown masked), so an erased reporter is erased from the outbox too
REPORTER_PHONE = "case:reporter_phone"
ERASED = "reporter_erased"
STAFF_ROLES = tuple(r.value for r in Role if r not in (Role.RESIDENT, Role.SYSTEM))


def _view(m: Message, phone: str = "") -> MessageView:
    return MessageView(
        id=m.id,
        case_id=m.case_id,
        event_type=m.event_type,
        channel=Channel(m.channel),
        status=MessageStatus(m.status),
        reason=m.reason,
        address=phone if m.address == REPORTER_PHONE else m.address,
        subject=m.subject,
        body=m.body,
        attempts=m.attempts,
        created_at=m.created_at,
        not_before=m.not_before,
        sent_at=m.sent_at,
        delivered_at=m.delivered_at,
        read_at=m.read_at,
        answer=m.answer,
        idempotency_key=m.idempotency_key,
    )


def _upsert(session: Session, table: Any) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


class SqlMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self, now: datetime, limit: int, lease_until: datetime, channels: Sequence[Channel] | None = None
    ) -> list[Outgoing]:
        """Up to `limit` due messages, leased to this worker until `lease_until` (a worker that dies loses its
        lease; the next claim marks the message in doubt). PostgreSQL: rows other workers hold are skipped."""
        due = (
            select(Message.id, Message.lease_until)
            .where(
                Message.status == MessageStatus.QUEUED.value,
                Message.not_before <= now,
                (Message.lease_until.is_(None)) | (Message.lease_until < now),
            )
            .where(Message.channel.in_([c.value for c in channels]) if channels is not None else true())
            .order_by(Message.not_before, Message.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = self.session.execute(due).all()
        if not rows:
            return []
        doubt = {r.id for r in rows if r.lease_until is not None}
        ids = [r.id for r in rows]
        self.session.execute(
            update(Message)
            .where(Message.id.in_(ids))
            .values(lease_until=lease_until, attempts=Message.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        cols = (Message.id, Message.idempotency_key, Message.channel, Message.address, Message.subject, Message.body)
        stmt = (
            select(*cols, Message.status, Message.attempts, Case.reporter_phone)
            .outerjoin(Case, Case.id == Message.case_id)
            .where(Message.id.in_(ids))
        )
        out = []
        for r in self.session.execute(stmt):
            out.append(
                Outgoing(
                    r.id,
                    r.idempotency_key,
                    Channel(r.channel),
                    (r.reporter_phone or "") if r.address == REPORTER_PHONE else r.address,
                    r.subject,
                    r.body,
                    MessageStatus(r.status),
                    r.attempts,
                    r.id in doubt,
                )
            )
        return sorted(out, key=lambda o: o.id)

    def record(self, results: Sequence[Result], now: datetime) -> None:
        if not results:
            return
        rows = []
        for r in results:
            rows.append(
                {
                    "id": r.id,
                    "status": r.status.value,
                    "lease_until": None,
                    "not_before": r.retry_at or now,
                    "sent_at": now if r.status in (MessageStatus.SENT, MessageStatus.DELIVERED) else None,
                    "delivered_at": now if r.status is MessageStatus.DELIVERED else None,
                    "gateway_id": r.answer.gateway_id[:100],
                    "answer": r.answer.text[:2000],
                }
            )
        self.session.execute(update(Message), rows)

    def receipt(self, key: str, outcome: Outcome, text: str, now: datetime) -> MessageView | None:
        m = self.session.scalar(select(Message).where(Message.idempotency_key == key).with_for_update())
        if m is None:
            return None
        status = next_status(MessageStatus(m.status), outcome)
        m.status = status.value
        m.answer = text[:2000]
        if status is MessageStatus.DELIVERED:
            m.delivered_at = now
        self.session.flush()
        return _view(m)

    def by_key(self, key: str) -> MessageView | None:
        m = self.session.scalar(select(Message).where(Message.idempotency_key == key))
        return _view(m) if m else None

    def of_case(self, case_id: int) -> list[MessageView]:
        phone = self.session.scalar(select(Case.reporter_phone).where(Case.id == case_id)) or ""
        stmt = select(Message).where(Message.case_id == case_id).order_by(Message.id)
        return [_view(m, phone) for m in self.session.scalars(stmt)]

    def inbox(self, user_id: int, limit: int) -> list[MessageView]:
        stmt = (
            select(Message)
            .where(Message.user_id == user_id, Message.channel == Channel.INAPP.value)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return [_view(m) for m in self.session.scalars(stmt)]

    def unread(self, user_id: int) -> int:
        stmt = select(func.count()).where(
            Message.user_id == user_id, Message.channel == Channel.INAPP.value, Message.read_at.is_(None)
        )
        return int(self.session.scalar(stmt) or 0)

    def mark_read(self, user_id: int, ids: Sequence[int] | None, now: datetime) -> int:
        stmt = update(Message).where(
            Message.user_id == user_id, Message.channel == Channel.INAPP.value, Message.read_at.is_(None)
        )
        if ids is not None:
            stmt = stmt.where(Message.id.in_(list(ids)))
        return int(getattr(self.session.execute(stmt.values(read_at=now)), "rowcount", 0) or 0)

    def set_consent(self, recipient_key: str, channel: Channel, consent: bool, now: datetime) -> None:
        stmt = _upsert(self.session, Contact.__table__).values(
            recipient_key=recipient_key, channel=channel.value, address="", consent=consent, changed_at=now
        )
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["recipient_key", "channel"], set_={"consent": consent, "changed_at": now}
            )
        )

    def set_contact(self, recipient_key: str, channel: Channel, address: str, now: datetime) -> None:
        stmt = _upsert(self.session, Contact.__table__).values(
            recipient_key=recipient_key, channel=channel.value, address=address, consent=True, changed_at=now
        )
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["recipient_key", "channel"], set_={"address": address, "changed_at": now}
            )
        )

    def staff_ids(self, usernames: Sequence[str]) -> dict[str, int]:
        stmt = select(User.username, User.id).where(
            User.username.in_(list(usernames)), User.active.is_(True), User.role.in_(STAFF_ROLES)
        )
        return {name: int(uid) for name, uid in self.session.execute(stmt)}

    def contacts(self, recipient_key: str) -> dict[Channel, tuple[str, bool]]:
        rows = self.session.scalars(select(Contact).where(Contact.recipient_key == recipient_key))
        return {Channel(c.channel): (c.address, c.consent) for c in rows if c.channel in Channel._value2member_map_}

    def counts(self) -> dict[str, int]:
        stmt = select(Message.status, func.count()).group_by(Message.status)
        return {s: int(n) for s, n in self.session.execute(stmt)}


class SessionUnitOfWork(Transaction, Protocol):
    session: Session


class SqlNotifyUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work with the message store bound to its session."""

    messages: MessageRepository
    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        self.messages = SqlMessageRepository(self._base.session)


# --- the outbox writer ------------------------------------------------------------------------------------------


def phone_key(secret: str, phone: str) -> str:
    """A resident known only by a phone number: named by a keyed digest (the number itself is in no key or link)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "phone:" + hmac.new(secret.encode(), f"phone:{digits}".encode(), hashlib.sha256).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Links:
    base_url: str  # the public address printed in messages, e.g. https://12345.example.gov.cn
    secret: str
    city: str

    def case(self, tracking_code: str) -> str:
        return f"{self.base_url}/track?code={quote(tracking_code)}"

    def staff_case(self, case_id: int) -> str:
        return f"{self.base_url}/cases/{case_id}"

    def rating(self, case_id: int, seq: int, issued_at: int) -> str:
        return f"{self.base_url}/notify/rate/{signing.rating_token(self.secret, case_id, seq, issued_at)}"

    def unsubscribe(self, recipient_key: str, channel: Channel) -> str:
        token = signing.unsubscribe_token(self.secret, recipient_key, channel.value)
        return f"{self.base_url}/notify/unsubscribe?r={quote(recipient_key)}&c={channel.value}&t={token}"


def _when(at: str | datetime | None) -> str:
    if at is None or at == "":
        return ""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment.astimezone(BEIJING).strftime("%m月%d日 %H:%M")


class OutboxWriter:
    """Called by the shared unit of work just before it commits, with the (case id, seq) of the case events of
    its transaction: writes the messages the rules ask for in that same transaction, and returns the delivery
    job to enqueue with them (nothing when no message is due)."""

    def __init__(self, book: RuleBook, policy: Policy, links: Links) -> None:
        self.book = book
        self.policy = policy
        self.links = links

    def __call__(self, session: Session, keys: Sequence[tuple[int, int]]) -> list[Job]:
        if not keys:
            return []
        types = self.book.event_types | {ERASED}
        # the transaction's own events are in its session: when none of them is of a type a rule (or erasure)
        # names — a batch of new cases, say — nothing is due, and the query below is skipped
        written = {
            (o.case_id, o.seq): o.event_type for o in list(session.identity_map.values()) if isinstance(o, CaseEvent)
        }
        written.update(session.info.get(WRITTEN_EVENTS, {}))  # and those written with Core (intake's group commit)
        if all(k in written and written[k] not in types for k in keys):
            return []
        events: list[CaseEvent] = []
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            stmt = select(CaseEvent).where(
                tuple_(CaseEvent.case_id, CaseEvent.seq).in_(chunk), CaseEvent.event_type.in_(types)
            )
            events.extend(session.scalars(stmt))
        erased = {e.case_id for e in events if e.event_type == ERASED}
        if erased:  # the reporter's identity erased (PIPL): so is any address their messages were given
            session.execute(
                update(Message)
                .where(Message.case_id.in_(erased), Message.recipient_key.like("phone:%"))
                .values(address="", recipient_key="phone:erased")
                .execution_options(synchronize_session=False)
            )
        events = [e for e in events if e.event_type != ERASED]
        if not events:
            return []
        return self.write(session, sorted(events, key=lambda e: e.id))

    def write(self, session: Session, events: Sequence[CaseEvent]) -> list[Job]:
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_({e.case_id for e in events})))}
        unit_codes: set[str] = set()
        for e in events:
            p = e.payload or {}
            unit_codes.update(str(p[k]) for k in ("unit_code", "to_unit_code") if p.get(k))
            unit_codes.update(str(d.get("unit_code")) for d in p.get("departments", []) if isinstance(d, dict))
        units_by_code = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(unit_codes)))}
        unit_ids = {u.id for u in units_by_code.values()} | {c.owner_unit_id for c in cases.values() if c.owner_unit_id}
        units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        people: dict[int, list[int]] = {}
        for uid, unit_id in session.execute(
            select(User.id, User.unit_id).where(
                User.unit_id.in_(unit_ids), User.active.is_(True), User.role.in_(STAFF_ROLES)
            )
        ):
            if unit_id is not None:
                people.setdefault(unit_id, []).append(uid)
        codes = {c.category_code for c in cases.values() if c.category_code}
        categories = dict(session.execute(select(Category.code, Category.name).where(Category.code.in_(codes))).all())

        followers = (
            followers_now(session, list(cases.values()))
            if any(r.audience is Audience.FOLLOWER for e in events for r in self.book.for_event(e.event_type))
            else {}
        )

        wanted: list[tuple[CaseEvent, Any, Recipient, Unit | None]] = []
        for e in events:
            case = cases[e.case_id]
            for rule in self.book.for_event(e.event_type):
                if rule.audience is Audience.FOLLOWER:
                    owner = units.get(case.owner_unit_id) if case.owner_unit_id else None
                    wanted.extend(
                        (e, rule, Recipient(f"user:{uid}", "", uid), owner) for uid in followers.get(case.id, [])
                    )
                    continue
                for recipient, unit in self._recipients(
                    rule.audience, rule.channel, e, case, units_by_code, units, people
                ):
                    wanted.append((e, rule, recipient, unit))
        if not wanted:
            return []
        rkeys = {w[2].key for w in wanted}
        contacts = {
            (c.recipient_key, c.channel): c
            for c in session.scalars(select(Contact).where(Contact.recipient_key.in_(rkeys)))
        }
        first = min(e.occurred_at for e in events)
        start, _ = beijing_day(first)
        budget = Budget(self.policy.daily_cap)
        for key, n in session.execute(
            select(Message.recipient_key, func.count())
            .where(
                Message.recipient_key.in_(rkeys),
                Message.created_at >= start,
                Message.channel != Channel.INAPP.value,
                Message.status != MessageStatus.SKIPPED.value,
            )
            .group_by(Message.recipient_key)
        ):
            budget.counts[key] = int(n)

        rows: list[dict[str, Any]] = []
        due = False
        for e, rule, recipient, unit in wanted:
            case = cases[e.case_id]
            contact = contacts.get((recipient.key, rule.channel.value))
            if rule.channel is not Channel.INAPP and contact is not None and contact.address:
                recipient = Recipient(recipient.key, contact.address, recipient.user_id)
            if rule.channel in (Channel.EMAIL, Channel.WECHAT) and (contact is None or not contact.address):
                continue  # nowhere to send: no row (a staff member without an e-mail, a resident without WeChat)
            if rule.channel is Channel.SMS and not recipient.address:
                continue
            values = self._values(e, case, unit, categories, recipient, rule.channel)
            if rule.audience is Audience.FOLLOWER:  # the public progress page: a follower may not see the case
                values["link"] = self.links.case(case.tracking_code)
                values["status"] = status_label(case.status)
            planned = plan_message(
                event_id=e.id,
                rule=rule,
                recipient=recipient,
                template=self.book.templates[rule.template],
                values=values,
                consented=contact.consent if contact is not None else True,
                budget=budget,
                emergency=case.urgency == "emergency",
                now=e.occurred_at,
                policy=self.policy,
            )
            rows.append(self._row(planned, e, case))
            due = due or (planned.status is MessageStatus.QUEUED and rule.channel is not Channel.INAPP)
        if rows:
            stmt = _upsert(session, Message.__table__).on_conflict_do_nothing(index_elements=["idempotency_key"])
            session.execute(stmt, rows)
        return [Job(NOTIFY_DELIVER, {}, lock=NOTIFY_DELIVER)] if due else []

    def _recipients(
        self,
        audience: Audience,
        channel: Channel,
        e: CaseEvent,
        case: Case,
        by_code: dict[str, Unit],
        units: dict[int, Unit],
        people: dict[int, list[int]],
    ) -> list[tuple[Recipient, Unit | None]]:
        p = e.payload or {}
        if audience is Audience.REPORTER:
            if not case.reporter_phone:
                return []  # anonymous: no contact, nothing to tell
            owner = units.get(case.owner_unit_id) if case.owner_unit_id else None
            key = phone_key(self.links.secret, case.reporter_phone)
            address = REPORTER_PHONE if channel is Channel.SMS else ""
            return [(Recipient(key, address, case.reporter_user_id), owner)]
        if audience is Audience.ISSUER:
            uid = p.get("issued_by_id")
            owner = units.get(case.owner_unit_id) if case.owner_unit_id else None
            return [(Recipient(f"user:{uid}", "", int(uid)), owner)] if isinstance(uid, int) else []
        targets: list[Unit] = []
        if audience is Audience.OWNER_UNIT and case.owner_unit_id in units:
            targets = [units[case.owner_unit_id]]
        elif audience is Audience.TARGET_UNIT:
            code = p.get("to_unit_code") or p.get("unit_code")
            targets = [by_code[code]] if code in by_code else []
        elif audience is Audience.SUMMONED:
            targets = [by_code[d["unit_code"]] for d in p.get("departments", []) if d.get("unit_code") in by_code]
        return [(Recipient(f"user:{uid}", "", uid), unit) for unit in targets for uid in people.get(unit.id, [])]

    def _values(
        self,
        e: CaseEvent,
        case: Case,
        unit: Unit | None,
        categories: dict[str, str],
        recipient: Recipient,
        channel: Channel,
    ) -> dict[str, str]:
        p = e.payload or {}
        resident = recipient.key.startswith("phone:")
        due = p.get("report_due_at") or p.get("due_at") or p.get("deadline") or p.get("response_due_at")
        values = {
            "city": self.links.city,
            "tracking_code": case.tracking_code,
            "title": case.title[:40],
            "category": categories.get(case.category_code or "", ""),
            "unit_name": str(p.get("to_unit_name") or (unit.name if unit else "") or p.get("unit_name") or ""),
            "due_at": _when(due),
            "level": str(p.get("level", "")),
            "note": str(p.get("note") or "")[:60],
            "link": self.links.case(case.tracking_code) if resident else self.links.staff_case(case.id),
            "unsubscribe_link": self.links.unsubscribe(recipient.key, channel),
        }
        if e.event_type in ("case_verified", "case_closed_directly"):
            values["rating_link"] = self.links.rating(case.id, e.seq, int(e.occurred_at.timestamp()))
        return values

    def _row(self, planned: Planned, e: CaseEvent, case: Case) -> dict[str, Any]:
        status = planned.status
        delivered = None
        if status is MessageStatus.QUEUED and planned.rule.channel is Channel.INAPP:
            status, delivered = MessageStatus.DELIVERED, e.occurred_at  # the inbox is the delivery
        return {
            "idempotency_key": planned.key,
            "case_id": case.id,
            "event_id": e.id,
            "event_type": e.event_type,
            "rule_id": planned.rule.id,
            "channel": planned.rule.channel.value,
            "recipient_key": planned.recipient.key,
            "user_id": planned.recipient.user_id if planned.rule.channel is Channel.INAPP else None,
            "address": planned.recipient.address,
            "subject": planned.subject[:200],
            "body": planned.body,
            "urgent": planned.urgent,
            "status": status.value,
            "reason": planned.reason,
            "attempts": 0,
            "not_before": planned.not_before,
            "lease_until": None,
            "created_at": e.occurred_at,
            "sent_at": delivered,
            "delivered_at": delivered,
            "read_at": None,
            "gateway_id": "",
            "answer": "",
        }


def status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status


def followers_now(session: Session, cases: Sequence[Case]) -> dict[int, list[int]]:
    """Who follows each case with updates as they happen: the case itself, or a grid subtree or a radius holding
    it (active accounts only; one entry per person however many of their follows hold the case)."""
    ids = [c.id for c in cases]
    rows = session.execute(
        select(Follow.user_id, Follow.case_id, Follow.grid_prefix, Follow.lat, Follow.lon, Follow.radius_m)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.mode == FollowMode.NOW.value,
            User.active.is_(True),
            (Follow.case_id.in_(ids)) | Follow.case_id.is_(None),
        )
    ).all()
    out: dict[int, list[int]] = {}
    for case in cases:
        seen: list[int] = []
        for uid, case_id, prefix, lat, lon, radius in rows:
            target = FollowTarget(case_id, prefix, lat, lon, radius)
            if uid not in seen and target.holds(case.id, case.grid_code, case.lat, case.lon):
                seen.append(uid)
        if seen:
            out[case.id] = seen
    return out


def lease(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)


__all__ = ["NOTIFY_DELIVER", "Answer", "OutboxWriter", "SqlMessageRepository", "SqlNotifyUnitOfWork"]
