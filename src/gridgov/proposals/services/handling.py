"""办理: 交办, 退回, 会办意见, 办前面商, 延期说明, 答复 (with its class, publication and promises), 评价 (then
re-handling once, following up the promises, or finishing), 承诺兑现. The guard decides who and when; the
dates are checked against the item's limits (domain.deadlines) here; each step moves the status through the
table and appends its event (a second, automatic event where a rating or the last promise decides what follows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.errors import NotFound, ValidationFailed
from gridgov.logging import get_logger
from gridgov.proposals.commands import (
    Answer,
    Assign,
    Command,
    Explain,
    KeepPromise,
    Rate,
    RecordContact,
    Refer,
    Return,
    SendViews,
    action_of,
)
from gridgov.proposals.domain import (
    OFFICE,
    Action,
    AnswerClass,
    HandlerRole,
    Kind,
    LimitPassed,
    Limits,
    Rating,
    Status,
    add_months,
    after_rating,
    deadlines,
    due_of,
    next_status,
)
from gridgov.proposals.models import Proposal, ProposalContact, ProposalHandler, ProposalPromise, ProposalRating
from gridgov.proposals.ports import ProposalsUnitOfWork
from gridgov.proposals.services.common import guarded, record, today_of

log = get_logger(__name__)

SYSTEM = Actor.system()
Payload = dict[str, Any]


def _move(proposal: Proposal, action: Action) -> Status:
    before = Status(proposal.status)
    proposal.status = next_status(before, action).value
    return before


def _assign(
    uow: ProposalsUnitOfWork,
    p: Proposal,
    c: Assign,
    today: date,
    limits: Limits,
    is_working_day: Callable[[date], bool],
) -> Payload:
    handlers = uow.proposals.handlers(p.id)
    returned = {h.unit_id for h in handlers if h.returned_on is not None}
    lead = uow.units.by_code(c.lead_unit)
    if lead is None:
        raise ValidationFailed(f"单位不存在: {c.lead_unit}", field="lead_unit")
    if lead.id in returned:
        raise ValidationFailed(f"「{lead.name}」已退回该件, 请交办给其他单位", field="lead_unit")
    co = []
    for code in c.co_units:
        unit = uow.units.by_code(code)
        if unit is None:
            raise ValidationFailed(f"单位不存在: {code}", field="co_units")
        co.append(unit)
    for h in handlers:
        h.active = False
    d = deadlines(today, limits, is_working_day)
    p.lead_unit_id, p.assigned_on = lead.id, today
    p.return_by, p.views_by, p.answer_by, p.final_by = d.return_by, d.views_by, d.answer_by, d.final_by
    p.due_on = d.answer_by
    p.contact_by = d.contact_by if Kind(p.kind) is Kind.PROPOSAL else None
    uow.proposals.add_row(
        ProposalHandler(proposal_id=p.id, unit_id=lead.id, role="lead", active=True, assigned_on=today)
    )
    for unit in co:
        uow.proposals.add_row(
            ProposalHandler(proposal_id=p.id, unit_id=unit.id, role="co", active=True, assigned_on=today)
        )
    return {
        "lead_unit": lead.code,
        "co_units": [u.code for u in co],
        "note": c.note,
        "again": bool(handlers),
        "return_by": d.return_by.isoformat(),
        "views_by": d.views_by.isoformat(),
        "contact_by": p.contact_by.isoformat() if p.contact_by else None,
        "answer_by": d.answer_by.isoformat(),
        "final_by": d.final_by.isoformat(),
    }


def _return(uow: ProposalsUnitOfWork, p: Proposal, c: Return, today: date) -> Payload:
    if p.return_by is not None and today > p.return_by:
        raise LimitPassed(f"交办后 {p.return_by.isoformat()} 前可以退回, 已超过期限, 请主办并说明", field="reason")
    unit_id = p.lead_unit_id
    for h in uow.proposals.handlers(p.id):
        if h.active:
            h.active = False
            if h.unit_id == unit_id and h.role == HandlerRole.LEAD.value:
                h.returned_on, h.return_reason = today, c.reason
    p.lead_unit_id, p.due_on = None, None
    return {"unit_id": unit_id, "reason": c.reason}


def _views(uow: ProposalsUnitOfWork, p: Proposal, c: SendViews, actor: Actor, today: date) -> Payload:
    handler = next(
        (h for h in uow.proposals.handlers(p.id) if h.active and h.role == "co" and h.unit_id == actor.unit_id), None
    )
    if handler is None:  # pragma: no cover - the guard checked it
        raise NotFound("会办单位不存在")
    handler.views_on, handler.views_text = today, c.text
    return {"unit_id": actor.unit_id, "text": c.text, "in_time": p.views_by is None or today <= p.views_by}


def _contact(uow: ProposalsUnitOfWork, p: Proposal, c: RecordContact, actor: Actor, today: date) -> Payload:
    if c.on > today:
        raise ValidationFailed("沟通日期不能晚于今天", field="on")
    if p.assigned_on is not None and c.on < p.assigned_on:
        raise ValidationFailed(f"沟通日期不能早于交办日期 {p.assigned_on.isoformat()}", field="on")
    in_time = p.contact_by is None or c.on <= p.contact_by
    assert actor.unit_id is not None
    uow.proposals.add_row(
        ProposalContact(
            proposal_id=p.id, unit_id=actor.unit_id, method=c.method.value, on=c.on, in_time=in_time, note=c.note
        )
    )
    return {"method": c.method.value, "on": c.on.isoformat(), "in_time": in_time, "note": c.note}


def _explain(p: Proposal, c: Explain, today: date) -> Payload:
    if p.answer_by is not None and today > p.answer_by:
        raise LimitPassed(f"延期说明须在答复期限 {p.answer_by.isoformat()} 前送达", field="text")
    p.extended, p.explanation, p.due_on = True, c.text, p.final_by
    return {"text": c.text, "final_by": p.final_by.isoformat() if p.final_by else None}


def _answer(uow: ProposalsUnitOfWork, p: Proposal, c: Answer, today: date) -> Payload:
    due = due_of(p.answer_by, p.final_by, p.extended, p.rehandle_by)
    unkept = [x for x in uow.proposals.promises(p.id) if x.kept_on is None]
    if c.answer_class is AnswerClass.B and not c.promises and not unkept:
        raise ValidationFailed("B 类答复须列明承诺事项及完成时间", field="promises")
    for promise in c.promises:
        if promise.due_on < today:
            raise ValidationFailed("承诺完成日期不能早于今天", field="promises")
    again = p.first_answered_on is not None
    p.first_answered_on = p.first_answered_on or today
    p.answered_on, p.answer_class, p.answer_text = today, c.answer_class.value, c.text
    p.public, p.not_public_reason = c.public, c.not_public_reason
    ids = []
    for promise in c.promises:
        row = ProposalPromise(proposal_id=p.id, text=promise.text, due_on=promise.due_on)
        uow.proposals.add_row(row)
        ids.append(row.id)
    return {
        "answer_class": c.answer_class.value,
        "text": c.text,
        "public": c.public,
        "not_public_reason": c.not_public_reason,
        "promises": [
            {"id": i, "text": pr.text, "due_on": pr.due_on.isoformat()} for i, pr in zip(ids, c.promises, strict=True)
        ],
        "again": again,
        "due": due.isoformat() if due else None,
        "in_time": due is None or today <= due,
    }


def _rate(uow: ProposalsUnitOfWork, p: Proposal, c: Rate, actor: Actor, today: date) -> Payload:
    rounds = len(uow.proposals.ratings(p.id))
    uow.proposals.add_row(
        ProposalRating(
            proposal_id=p.id,
            round=rounds + 1,
            user_id=actor.user_id,
            work=c.work.value,
            result=c.result.value,
            note=c.note,
            rated_on=today,
        )
    )
    p.rating_work, p.rating_result = c.work.value, c.result.value
    return {
        "round": rounds + 1,
        "work": c.work.value,
        "result": c.result.value,
        "note": c.note,
        "entered_by_office": actor.role in OFFICE,
    }


def _keep(uow: ProposalsUnitOfWork, p: Proposal, c: KeepPromise, today: date) -> Payload:
    promise = next((x for x in uow.proposals.promises(p.id) if x.id == c.promise_id), None)
    if promise is None:
        raise ValidationFailed(f"该件没有承诺事项 {c.promise_id}", field="promise_id")
    if promise.kept_on is not None:
        raise ValidationFailed(f"承诺事项已于 {promise.kept_on.isoformat()} 兑现", field="promise_id")
    if c.on > today:
        raise ValidationFailed("兑现日期不能晚于今天", field="on")
    promise.kept_on, promise.note = c.on, c.note
    return {
        "promise_id": promise.id,
        "on": c.on.isoformat(),
        "due_on": promise.due_on.isoformat(),
        "in_time": c.on <= promise.due_on,
        "note": c.note,
    }


def _follow(
    uow: ProposalsUnitOfWork, p: Proposal, action: Action, limits: Limits, today: date, now: datetime
) -> Action | None:
    """The automatic step after a rating or a kept promise (re-handle, follow up, finish), recorded by the system."""
    unkept = sum(1 for x in uow.proposals.promises(p.id) if x.kept_on is None)
    then: Action | None = None
    payload: Payload = {}
    if action is Action.RATE:
        cls = AnswerClass(p.answer_class) if p.answer_class else None
        then = after_rating(
            Rating(p.rating_work or ""), Rating(p.rating_result or ""), p.rehandles, limits, cls, unkept
        )
    elif action is Action.KEEP_PROMISE and Status(p.status) is Status.TRACKING and not unkept:
        then = Action.FINISH
    if then is None:
        return None
    before = _move(p, then)
    if then is Action.REHANDLE:
        p.rehandles += 1
        p.rehandle_by = p.due_on = add_months(today, limits.rehandle_months)
        payload = {"rehandle_by": p.rehandle_by.isoformat(), "round": p.rehandles}
    elif then is Action.TRACK:
        payload = {"unkept": unkept}
    else:
        p.closed_on = today
        payload = {"closed_on": today.isoformat()}
    record(uow, p, then, SYSTEM, before, now, payload)
    return then


def apply_action(
    uow: ProposalsUnitOfWork,
    proposal_id: int,
    command: Command,
    actor: Actor,
    now: datetime,
    limits: Limits,
    is_working_day: Callable[[date], bool],
    expected_version: int | None = None,
) -> int:
    """One person's step on an item. Returns the item's new version. Refusals, in order: no such item (404), a
    stale version (409 conflict), the role and whose item it is (403), the state (409 invalid_transition), then the
    values against the item's limits (422)."""
    act = action_of(command)
    if isinstance(command, Refer):
        raise ValidationFailed("社情民意转为案件由 refer_opinion 办理", field="action")
    today = today_of(now)
    with uow:
        p = guarded(uow, proposal_id, act, actor, expected_version)
        payload: Payload
        if isinstance(command, Assign):
            payload = _assign(uow, p, command, today, limits, is_working_day)
        elif isinstance(command, Return):
            payload = _return(uow, p, command, today)
        elif isinstance(command, SendViews):
            payload = _views(uow, p, command, actor, today)
        elif isinstance(command, RecordContact):
            payload = _contact(uow, p, command, actor, today)
        elif isinstance(command, Explain):
            payload = _explain(p, command, today)
        elif isinstance(command, Answer):
            payload = _answer(uow, p, command, today)
        elif isinstance(command, Rate):
            payload = _rate(uow, p, command, actor, today)
        else:
            payload = _keep(uow, p, command, today)
        before = _move(p, act)
        if act is Action.ANSWER:
            p.due_on = None
        record(uow, p, act, actor, before, now, payload)
        then = _follow(uow, p, act, limits, today, now)
        uow.commit()
        log.info("proposal_action", proposal_id=proposal_id, action=act.value, then=then, status=p.status)
        return p.version
