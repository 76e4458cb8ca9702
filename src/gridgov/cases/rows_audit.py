"""The 督办 and 催办 rows re-derived from the case events that wrote them, for `gridgov audit verify`.

`case_supervisions` feeds 督办件数 and 督办按期回复率 and `case_urges` the 催办 counts, so an UPDATE of one of those
rows would change a unit's figures without touching a chain. Each row is rebuilt from its case's events — the
events themselves are covered by the chains and the city log — and compared field by field:

- ``supervised`` (supervise) opens 督办 ``supervision_id`` for ``unit_id`` with ``due_at`` and ``note``, issued at the
  event's time by its actor;
- a ``dispatched`` event carrying ``supervision_moved`` re-addresses it to the new unit;
- ``supervision_replied`` answers it (``on_time``, the reply ``note``, the time);
- ``supervision_escalated`` raises its level and names the unit it went to;
- the event that closes the case (an open status before, a closed one after) ends an open one, as the case loop does;
- ``urged`` (urge) writes the 催办 of (``task_id``, ``level``) to ``unit_id`` at the event's time.

The scheduling column ``next_check_at`` is the scan's own bookkeeping and is not compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases.domain import Action, CaseStatus, StatusKind, SupervisionStatus
from gridgov.cases.models import CaseEvent, CaseSupervision, CaseUrge

SUPERVISION_FIELDS = (
    "case_id",
    "unit_id",
    "status",
    "note",
    "issued_at",
    "issued_by_id",
    "issued_by_role",
    "due_at",
    "replied_at",
    "replied_by_id",
    "reply",
    "on_time",
    "escalation_level",
    "escalated_to_unit_id",
)
URGE_FIELDS = ("case_id", "task_id", "unit_id", "level", "urged_at")
WATCHED = (Action.SUPERVISE, Action.REPLY_SUPERVISION, Action.ESCALATE_SUPERVISION, Action.URGE)


def _closed(status: str | None) -> bool:
    try:
        return status is not None and CaseStatus(status).kind is StatusKind.CLOSED
    except ValueError:
        return False


def _time(at: Any) -> str | None:
    """A moment as UTC text, whether it came as an aware or naive (UTC) datetime or as ISO text."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return str(at.isoformat(timespec="microseconds"))


def _norm(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _time(v) if k.endswith("_at") else v for k, v in row.items()}


def _events(session: Session) -> Iterator[CaseEvent]:
    """Every event of the cases that were ever supervised or urged, in chain order."""
    watched = select(CaseEvent.case_id).where(CaseEvent.action.in_([a.value for a in WATCHED])).distinct()
    stmt = select(CaseEvent).where(CaseEvent.case_id.in_(watched)).order_by(CaseEvent.case_id, CaseEvent.seq)
    yield from session.scalars(stmt).yield_per(2000)


def derive(session: Session) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    """The 督办 rows by id and the 催办 rows as tuples of URGE_FIELDS, as the events say they must be."""
    sups: dict[int, dict[str, Any]] = {}
    urges: set[tuple[Any, ...]] = set()
    open_by_case: dict[int, int] = {}
    for ev in _events(session):
        p = ev.payload or {}
        if ev.action == Action.SUPERVISE.value:
            sid = int(p["supervision_id"])
            sups[sid] = {
                "case_id": ev.case_id,
                "unit_id": p.get("unit_id"),
                "status": SupervisionStatus.OPEN.value,
                "note": p.get("note") or "",
                "issued_at": ev.occurred_at,
                "issued_by_id": ev.actor_id,
                "issued_by_role": ev.actor_role,
                "due_at": p.get("due_at"),
                "replied_at": None,
                "replied_by_id": None,
                "reply": "",
                "on_time": None,
                "escalation_level": 0,
                "escalated_to_unit_id": None,
            }
            open_by_case[ev.case_id] = sid
        elif ev.action == Action.REPLY_SUPERVISION.value and int(p.get("supervision_id", 0)) in sups:
            row = sups[int(p["supervision_id"])]
            row.update(
                status=SupervisionStatus.REPLIED.value,
                replied_at=ev.occurred_at,
                replied_by_id=ev.actor_id,
                reply=p.get("note") or "",
                on_time=p.get("on_time"),
            )
            open_by_case.pop(ev.case_id, None)
        elif ev.action == Action.ESCALATE_SUPERVISION.value and int(p.get("supervision_id", 0)) in sups:
            sups[int(p["supervision_id"])].update(
                escalation_level=p.get("level"), escalated_to_unit_id=p.get("to_unit_id")
            )
        elif ev.action == Action.URGE.value:
            urges.add((ev.case_id, p.get("task_id"), p.get("unit_id"), p.get("level"), _time(ev.occurred_at)))
        moved = p.get("supervision_moved") if ev.action == Action.DISPATCH.value else None
        if moved and int(moved.get("supervision_id", 0)) in sups:
            sups[int(moved["supervision_id"])]["unit_id"] = moved.get("to_unit_id")
        if _closed(ev.to_status) and not _closed(ev.from_status) and ev.case_id in open_by_case:
            sups[open_by_case.pop(ev.case_id)]["status"] = SupervisionStatus.ENDED.value
    return {sid: _norm(row) for sid, row in sups.items()}, urges


def problems(session: Session) -> list[str]:
    """Each 督办 or 催办 row that its events do not account for, or that is missing, as one line."""
    expected, urges = derive(session)
    out: list[str] = []
    for sup in session.scalars(select(CaseSupervision).order_by(CaseSupervision.id)):
        row = _norm({f: getattr(sup, f) for f in SUPERVISION_FIELDS})
        want = expected.pop(sup.id, None)
        if want is None:
            out.append(f"督办 {sup.id} (案件 {sup.case_id}): 没有对应的督办事件")
            continue
        diff = [f for f in SUPERVISION_FIELDS if row[f] != want[f]]
        if diff:
            shown = ", ".join(f"{f}={row[f]!r} 应为 {want[f]!r}" for f in diff)
            out.append(f"督办 {sup.id} (案件 {sup.case_id}): 与事件不符: {shown}")
    out.extend(f"督办 {sid} (案件 {want['case_id']}): 事件中有, 表中缺失" for sid, want in sorted(expected.items()))
    seen: set[tuple[Any, ...]] = set()
    for urge in session.scalars(select(CaseUrge).order_by(CaseUrge.id)):
        key = (urge.case_id, urge.task_id, urge.unit_id, urge.level, _time(urge.urged_at))
        if key not in urges:
            out.append(f"催办 {urge.id} (案件 {urge.case_id}): 没有对应的催办事件, 或与事件不符")
        seen.add(key)
    out.extend(f"催办 (案件 {k[0]}, 任务 {k[1]}, {k[3]}): 事件中有, 表中缺失" for k in sorted(urges - seen, key=str))
    return out
