"""Following a case or an area (issue 15): the follows of a person, and the daily digest the worker sweeps.

Updates as they happen are written by the outbox writer (audience `follower` in rules.csv); this module keeps the
follows and writes the digests. A digest is one 站内信 per follower per Beijing day (its idempotency key is the
person and the day), so a sweep run twice, or by two workers, writes one digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.cases.models import Case, CaseEvent
from gridgov.errors import NotFound
from gridgov.notify.domain import BEIJING, Channel, FollowMode, FollowTarget, MessageStatus, digest_key
from gridgov.notify.models import Follow, Message
from gridgov.notify.repository import Links, _upsert, status_label

DIGEST_EVENT = "follow_digest"
DIGEST_RULE = "follow_digest/follower/inapp"
DIGEST_LINES = 20


def _target(f: Follow) -> FollowTarget:
    return FollowTarget(f.case_id, f.grid_prefix, f.lat, f.lon, f.radius_m)


def follow(
    sessions: sessionmaker[Session], user_id: int, target: FollowTarget, mode: FollowMode, now: datetime
) -> dict[str, Any]:
    """Follow (again: the mode is changed); a case must exist."""
    with sessions.begin() as s:
        if target.case_id is not None and s.get(Case, target.case_id) is None:
            raise NotFound("问题不存在", field="case_id")
        row = s.scalars(select(Follow).where(Follow.user_id == user_id, Follow.target == target.key)).first()
        if row is None:
            row = Follow(
                user_id=user_id,
                target=target.key,
                case_id=target.case_id,
                grid_prefix=target.grid_prefix,
                lat=target.lat,
                lon=target.lon,
                radius_m=target.radius_m,
                mode=mode.value,
                created_at=now,
                digest_until=now,
            )
            s.add(row)
        else:
            row.mode = mode.value
        s.flush()
        return _out(row)


def unfollow(sessions: sessionmaker[Session], user_id: int, follow_id: int) -> None:
    with sessions.begin() as s:
        done = s.execute(delete(Follow).where(Follow.id == follow_id, Follow.user_id == user_id))
        if not getattr(done, "rowcount", 0):
            raise NotFound("没有这条关注")


def of_user(sessions: sessionmaker[Session], user_id: int) -> list[dict[str, Any]]:
    with sessions() as s:
        return [_out(f) for f in s.scalars(select(Follow).where(Follow.user_id == user_id).order_by(Follow.id))]


def following_case(sessions: sessionmaker[Session], user_id: int, case_id: int) -> dict[str, Any] | None:
    with sessions() as s:
        row = s.scalars(select(Follow).where(Follow.user_id == user_id, Follow.target == f"case:{case_id}")).first()
        return _out(row) if row is not None else None


def _out(f: Follow) -> dict[str, Any]:
    mode = FollowMode(f.mode)
    return {
        "id": f.id,
        "target": f.target,
        "label": _target(f).label,
        "case_id": f.case_id,
        "mode": mode.value,
        "mode_label": mode.label,
        "created_at": f.created_at.isoformat(),
    }


def send_digests(sessions: sessionmaker[Session], links: Links, now: datetime, from_hour: int = 8) -> int:
    """Write today's digest for each follower in digest mode with news since their last one: how many were
    written. Idempotent per Beijing day (run twice: one digest); nothing before `from_hour` Beijing time."""
    if now.astimezone(BEIJING).hour < from_hour:
        return 0
    written = 0
    with sessions.begin() as s:
        follows = list(s.scalars(select(Follow).where(Follow.mode == FollowMode.DIGEST.value).order_by(Follow.id)))
        if not follows:
            return 0
        since = min(f.digest_until or f.created_at for f in follows)
        rows = s.execute(
            select(
                CaseEvent.case_id,
                CaseEvent.occurred_at,
                Case.tracking_code,
                Case.status,
                Case.grid_code,
                Case.lat,
                Case.lon,
            )
            .join(Case, Case.id == CaseEvent.case_id)
            .where(CaseEvent.occurred_at > since, CaseEvent.occurred_at <= now)
            .order_by(CaseEvent.id)
        ).all()
        by_user: dict[int, list[Follow]] = {}
        for f in follows:
            by_user.setdefault(f.user_id, []).append(f)
        for user_id, mine in by_user.items():
            news: dict[int, tuple[str, str, int]] = {}
            for case_id, at, code, status, grid, lat, lon in rows:
                for f in mine:
                    if at > (f.digest_until or f.created_at) and _target(f).holds(case_id, grid, lat, lon):
                        _, _, n = news.get(case_id, (code, status, 0))
                        news[case_id] = (code, status, n + 1)
                        break
            if not news:
                continue
            if _write_digest(s, links, user_id, news, now):
                written += 1
                ids = [f.id for f in mine]
                s.execute(update(Follow).where(Follow.id.in_(ids)).values(digest_until=now))
    return written


def _write_digest(s: Session, links: Links, user_id: int, news: dict[int, tuple[str, str, int]], now: datetime) -> bool:
    day = now.astimezone(BEIJING).date().isoformat()
    lines = [
        f"· {code}：{status_label(status)}（{n} 条进展）{links.case(code)}"
        for code, status, n in list(news.values())[:DIGEST_LINES]
    ]
    if len(news) > DIGEST_LINES:
        lines.append(f"……另有 {len(news) - DIGEST_LINES} 件")
    row = {
        "idempotency_key": digest_key(user_id, now),
        "case_id": None,
        "event_id": None,
        "event_type": DIGEST_EVENT,
        "rule_id": DIGEST_RULE,
        "channel": Channel.INAPP.value,
        "recipient_key": f"user:{user_id}",
        "user_id": user_id,
        "address": "",
        "subject": f"关注汇总（{day}）：{len(news)} 件问题有新进展",
        "body": "\n".join(lines),
        "urgent": False,
        "status": MessageStatus.DELIVERED.value,
        "reason": "",
        "attempts": 0,
        "not_before": now,
        "lease_until": None,
        "created_at": now,
        "sent_at": now,
        "delivered_at": now,
        "read_at": None,
        "gateway_id": "",
        "answer": "",
    }
    stmt = _upsert(s, Message.__table__).values(row).on_conflict_do_nothing(index_elements=["idempotency_key"])
    done = s.execute(stmt.returning(Message.__table__.c.id)).first()
    return done is not None
