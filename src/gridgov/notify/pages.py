"""The notify pages: the staff inbox (站内信) and its unread badge in every page's shell, a case's messages for
staff (masked, a partial the case page loads), the unsubscribe link and the one-time rating link of the 结案
message (no account needed: the signed link is the right)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from gridgov import signing
from gridgov.actor import Actor, Role
from gridgov.cases.commands import Evaluate
from gridgov.cases.domain import CaseStatus, Satisfaction
from gridgov.cases.services import apply_action
from gridgov.errors import GridgovError, NotFound
from gridgov.notify.domain import CHANNEL_LABELS, SKIP_LABELS, STATUS_LABELS, Channel, MessageStatus
from gridgov.notify.repository import SqlNotifyUnitOfWork
from gridgov.notify.services import case_messages, inbox, mark_read, my_contacts, set_my_contact, unsubscribe
from gridgov.notify.services.people import CASE_MESSAGE_ROLES
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role
from gridgov.web.render import PageRoute, add_filters, fragment, page, page_actor, render, shell_context

router = APIRouter(include_in_schema=False, route_class=PageRoute)
STAFF = frozenset(r for r in Role if r not in (Role.RESIDENT, Role.SYSTEM))


def _label(mapping: dict[Any, str]) -> Any:
    def label(value: str) -> str:
        for key, text in mapping.items():
            if str(key) == value or getattr(key, "value", None) == value:
                return text
        return value

    return label


add_filters(
    notify_status=_label(dict(STATUS_LABELS)),
    notify_channel=_label(dict(CHANNEL_LABELS)),
    notify_reason=_label(dict(SKIP_LABELS)),
)


def _uow(container: Runtime, write: bool = True) -> SqlNotifyUnitOfWork:
    return SqlNotifyUnitOfWork(container.uow(write=write))


@shell_context
def unread_badge(request: Request, container: Runtime, actor: Actor | None) -> dict[str, Any]:
    """The unread count of the signed-in staff member's inbox, drawn in every page's header."""
    if actor is None or actor.role not in STAFF or actor.user_id is None:
        return {}
    with container.sessions() as session:
        from gridgov.notify.repository import SqlMessageRepository

        return {"notify_unread": SqlMessageRepository(session).unread(actor.user_id)}


@router.get("/notify/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, container: ContainerDep) -> Response:
    def context(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
        rows, unread = inbox(_uow(container, write=False), actor)
        mark_read(_uow(container), actor, [m.id for m in rows if m.read_at is None], container.clock.now())
        return {"messages": rows, "unread_before": unread, "contacts": my_contacts(_uow(container, False), actor)}

    return page(request, container, STAFF, "notify/inbox.html", "站内信", context)


@router.post("/notify/contacts", response_class=HTMLResponse)
async def contact_form(
    request: Request, container: ContainerDep, actor: Annotated[Actor, Depends(require_role(*STAFF))]
) -> Response:
    """我的通知方式: the form on the inbox page sets (or clears) the number or address, and is drawn again."""
    form = await request.form()
    channel, address = str(form.get("channel") or ""), str(form.get("address") or "")
    contacts = set_my_contact(_uow(container), actor, channel, address[:200], container.clock.now())
    said = "已清除" if not contacts.get(channel, {}).get("address") else "已保存"
    events = {"gg-toast": f"{CHANNEL_LABELS.get(Channel(channel), channel)}{said}"}
    return fragment(request, container, "notify/_contacts.html", contacts=contacts, events=events)


@router.get("/notify/cases/{case_id}/messages", response_class=HTMLResponse)
def case_messages_partial(case_id: RowId, request: Request, container: ContainerDep) -> Response:
    actor = page_actor(request, container)
    if actor is None or actor.role not in CASE_MESSAGE_ROLES:
        return fragment(request, container, "notify/_case_messages.html", messages=None)
    return fragment(
        request, container, "notify/_case_messages.html", messages=case_messages(_uow(container, False), case_id, actor)
    )


@router.get("/notify/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, container: ContainerDep, r: str = "", c: str = "", t: str = "") -> Response:
    channel = unsubscribe(_uow(container), container.settings.secret_key, r, c, t, container.clock.now())
    return render(request, container, None, "notify/unsubscribed.html", title="已退订", channel=channel)


def _rating_case(container: Runtime, token: str) -> tuple[int, Any]:
    now = int(container.clock.now().timestamp())
    found = signing.read_rating_token(container.settings.secret_key, token, now)
    if found is None:
        raise NotFound("评价链接无效或已过期")
    case_id, seq = found
    uow = container.uow(write=False)
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound("评价链接无效或已过期")
        snapshot = {
            "id": case.id,
            "tracking_code": case.tracking_code,
            "title": case.title,
            "status": case.status,
            "reporter_user_id": case.reporter_user_id,
            "event_count": case.event_count,
        }
    return seq, snapshot


@router.get("/notify/rate/{token}", response_class=HTMLResponse)
def rate_page(token: str, request: Request, container: ContainerDep) -> Response:
    seq, case = _rating_case(container, token)
    done = case["status"] != CaseStatus.CLOSED.value
    return render(
        request,
        container,
        None,
        "notify/rate.html",
        title="评价办理结果",
        case=case,
        done=done,
        choices=list(Satisfaction),
    )


@router.post("/notify/rate/{token}", response_class=HTMLResponse)
def rate(
    token: str,
    request: Request,
    container: ContainerDep,
    resolved: Annotated[str, Form()],
    satisfaction: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """One evaluation per closure: once rated the case is no longer 已结案, and the link says so."""
    seq, case = _rating_case(container, token)
    if case["status"] != CaseStatus.CLOSED.value:
        return render(
            request, container, None, "notify/rate.html", title="评价办理结果", case=case, done=True, choices=[]
        )
    try:
        choice = Satisfaction(satisfaction)
    except ValueError:
        raise NotFound("没有这个评价选项") from None
    # the reporter's own account when the case has one; else on the reporter's behalf, as a 回访 would record it
    if case["reporter_user_id"] is not None:
        actor = Actor(user_id=case["reporter_user_id"], role=Role.RESIDENT, unit_id=None, name="短信评价链接")
    else:
        actor = Actor(user_id=None, role=Role.OPERATOR, unit_id=None, name="短信评价链接")
    command = Evaluate(resolved=resolved == "yes", satisfaction=choice, comment=f"[短信评价链接] {comment}".strip())
    now: datetime = container.clock.now()
    try:
        apply_action(container.uow(), case["id"], command, actor, now, container.calendar, container.policy)
    except GridgovError:
        raise
    return render(request, container, None, "notify/rate.html", title="评价办理结果", case=case, done=True, thanks=True)


__all__ = ["Channel", "MessageStatus", "router"]
