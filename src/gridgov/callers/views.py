"""重复来电 (issue 17): the hotline console's 来电人 box (the caller's earlier cases as soon as the phone is typed,
多次来电), its JSON form for scripts, and the case page's 来电人 card with the 重复件 proposal; confirming it merges
the case into the earlier one (并案, the case loop's own `merge`). Thin: look up, assess, draw."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from gridgov.actor import Actor
from gridgov.callers import queries
from gridgov.callers.domain import READ_ROLES, UNMASKED_ROLES, RepeatPolicy, assess
from gridgov.cases.commands import Merge
from gridgov.cases.domain import STATUS_LABELS, CaseStatus
from gridgov.cases.queries import mask_phone
from gridgov.cases.services import apply_action
from gridgov.errors import ValidationFailed
from gridgov.signing import caller_key, normalise_phone
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role
from gridgov.web.render import PageRoute, fragment

router = APIRouter(prefix="/api/v1/hotline", tags=["热线 hotline"])
pages = APIRouter(include_in_schema=False, route_class=PageRoute)
Reader = Annotated[Actor, Depends(require_role(*READ_ROLES))]
MERGEABLE = frozenset({CaseStatus.REPORTED, CaseStatus.REGISTERED, CaseStatus.RETURNED})


class CallerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=30, pattern=r"^[0-9+\- ]*$")
    text: str = Field(default="", max_length=5200)


def policy(container: Runtime) -> RepeatPolicy:
    s = container.settings
    return RepeatPolicy(s.repeat_window_days, s.repeat_frequent_calls, s.repeat_similarity)


def _masked_title(title: str) -> str:
    return (title[:2] + "…") if title else ""


def _shape(rows: list[dict[str, Any]], scores: dict[int, Any], actor: Actor) -> list[dict[str, Any]]:
    unmasked = actor.role in UNMASKED_ROLES
    return [
        {
            "case_id": r["id"],
            "tracking_code": r["tracking_code"],
            "title": r["title"] if unmasked else _masked_title(r["title"]),
            "status": r["status"],
            "status_label": STATUS_LABELS[CaseStatus(r["status"])],
            "created_at": r["created_at"].isoformat(),
            "similarity": scores[r["id"]].similarity if r["id"] in scores else None,
            "repeat_candidate": bool(scores[r["id"]].repeat) if r["id"] in scores else False,
        }
        for r in rows
    ]


def lookup(container: Runtime, actor: Actor, phone: str, text: str, now: datetime) -> dict[str, Any]:
    """A call being taken: the caller's cases in the window, 多次来电, and the case it would repeat."""
    p = policy(container)
    key = caller_key(container.settings.secret_key, phone)
    base = {"phone_masked": mask_phone(normalise_phone(phone)), "window_days": p.window_days}
    if key is None:
        return {**base, "calls": 0, "frequent": False, "earlier": [], "proposed": None, "matched": False}
    with container.sessions() as session:
        rows = queries.earlier_calls(session, key, p.since(now), now)
    found = assess(queries.as_calls(rows), text, now, p, counted=False)
    scores = {m.case_id: m for m in found.matches}
    earlier = _shape(rows, scores, actor)
    return {
        **base,
        "calls": found.calls,
        "frequent": found.frequent,
        "earlier": earlier,
        "proposed": found.proposed,
        "matched": True,
    }


def case_card(container: Runtime, case_id: int, actor: Actor) -> dict[str, Any] | None:
    """The case page's 来电人 card: this caller's other calls in the window, 多次来电, and — while the case may be
    merged — the earlier case it is proposed as a 重复件 of."""
    p = policy(container)
    now = container.clock.now()
    with container.sessions() as session:
        case = queries.case_caller(session, case_id)
        if case is None or not case["caller_key"]:
            return None
        start = min(case["created_at"], now) - (now - p.since(now))
        rows = [r for r in queries.earlier_calls(session, case["caller_key"], start, now) if r["id"] != case_id]
    before = [r for r in rows if r["created_at"] <= case["created_at"]]
    text = f"{case['title']} {case['description'] or ''}"
    proposal = assess(queries.as_calls(before), text, case["created_at"], p, counted=False)
    recent = [r for r in rows if r["created_at"] >= p.since(now)]
    flag = assess(queries.as_calls(recent), "", now, p, counted=False)
    mergeable = CaseStatus(case["status"]) in MERGEABLE and case["parent_case_id"] is None
    scores = {m.case_id: m for m in proposal.matches}
    return {
        "case_id": case_id,
        "calls": flag.calls,
        "frequent": flag.frequent,
        "window_days": p.window_days,
        "earlier": _shape(rows, scores, actor),
        "proposed": proposal.proposed if mergeable else None,
        "may_confirm": actor.role in UNMASKED_ROLES,
    }


@router.post("/caller", summary="来电人: 近期来电、多次来电、疑似重复件 (号码按密钥哈希匹配, 不显示全号)")
def caller(body: CallerIn, container: ContainerDep, actor: Reader) -> dict[str, Any]:
    return lookup(container, actor, body.phone, body.text, container.clock.now())


@pages.post("/hotline/caller", response_class=HTMLResponse)
async def caller_box(request: Request, container: ContainerDep, actor: Reader) -> Response:
    form = await request.form()
    phone = str(form.get("reporter_phone") or "")
    if len(phone) > 30 or any(not (ch.isdigit() or ch in "+- ") for ch in phone):
        raise ValidationFailed("来电号码只能包含数字、+、- 和空格", field="reporter_phone")
    text = f"{form.get('title') or ''} {form.get('description') or ''}"[:5200]
    found = lookup(container, actor, phone, text, container.clock.now())
    return fragment(request, container, "callers/_box.html", caller=found)


@pages.post("/cases/{case_id}/repeat", response_class=HTMLResponse)
async def confirm_repeat(case_id: RowId, request: Request, container: ContainerDep, actor: Reader) -> Response:
    """确认重复件: the case is merged into the earlier one (the case loop's merge, its guard and its event)."""
    form = await request.form()
    raw = str(form.get("into_case_id") or "")
    if not raw.isdigit():
        raise ValidationFailed("请指定原件 into_case_id", field="into_case_id")
    now = container.clock.now()
    apply_action(container.uow(), case_id, Merge(int(raw)), actor, now, container.calendar, container.policy)
    card = case_card(container, case_id, actor)
    events = {"gg-toast": "已确认为重复件, 并入原件"}
    return fragment(request, container, "callers/_card.html", card=card, events=events)
