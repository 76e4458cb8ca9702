"""Items come in: a batch (by session or between sessions), one item registered by the office, a whole batch list
imported all or nothing (every bad line named), a deputy's 社情民意; and the people: members with their sign-in
account, liaison stations on the grid tree, members attached to stations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from gridgov.actor import Actor, Role
from gridgov.clock import SHANGHAI
from gridgov.errors import NotFound, ValidationFailed
from gridgov.logging import get_logger
from gridgov.proposals import events
from gridgov.proposals.domain import (
    AUTHORS,
    BODY_OF_KIND,
    OFFICE,
    Action,
    BatchNotFound,
    Body,
    ImportRefused,
    Kind,
    NotPermitted,
    Status,
)
from gridgov.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalBatch,
    ProposalEvent,
    ProposalMember,
    ProposalStation,
    ProposalStationMember,
)
from gridgov.proposals.ports import ProposalsUnitOfWork

log = get_logger(__name__)

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_AUTHORS = 50


@dataclass(frozen=True, slots=True)
class ProposalDraft:
    batch: str  # the batch's code
    number: str
    kind: str
    title: str
    authors: tuple[str, ...]  # names; the first is the lead author (领衔)
    body: str = ""
    category: str = ""
    focus: bool = False
    focus_leader: str = ""
    grid_code: str | None = None  # 社情民意: where the problem is
    lat: float | None = None  # … and the point, if known (WGS-84)
    lon: float | None = None
    author_body: str | None = None  # npc / cppcc; by default the kind's (建议: npc, 提案: cppcc)
    generated: bool = False
    line: int | None = None  # the line of the imported file it came from


@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None
    message: str
    field: str | None = None


@dataclass
class _Checked:
    kind: Kind
    body: Body
    problems: list[Problem] = field(default_factory=list)


def _check(draft: ProposalDraft) -> _Checked:
    out: list[Problem] = []

    def bad(message: str, name: str) -> None:
        out.append(Problem(draft.line, message, name))

    try:
        kind = Kind(draft.kind)
    except ValueError:
        kind = Kind.SUGGESTION
        bad(f"类型须为 建议 / 提案 / 社情民意: {draft.kind}", "kind")
    try:
        body = Body(draft.author_body) if draft.author_body else BODY_OF_KIND.get(kind, Body.NPC)
    except ValueError:
        body = Body.NPC
        bad(f"提出人类别须为 npc / cppcc: {draft.author_body}", "author_body")
    if not draft.number.strip() or len(draft.number) > 20:
        bad("请填写编号 (至多 20 字)", "number")
    title = draft.title.strip()
    if not title or len(title) > MAX_TITLE:
        bad(f"请填写标题 (至多 {MAX_TITLE} 字)", "title")
    if len(draft.body) > MAX_BODY:
        bad(f"正文不能超过 {MAX_BODY} 字", "body")
    names = [n.strip() for n in draft.authors if n.strip()]
    if not names:
        bad("请填写提出人 (联名的, 领衔人在前)", "authors")
    elif len(names) > MAX_AUTHORS or len(set(names)) != len(names) or any(len(n) > 50 for n in names):
        bad(f"提出人重复、过长或超过 {MAX_AUTHORS} 人", "authors")
    if draft.focus_leader and not draft.focus:
        bad("只有重点建议提案才有领衔督办领导", "focus_leader")
    if kind is Kind.OPINION and not draft.grid_code:
        bad("社情民意须指明所在网格", "grid_code")
    if (draft.lat is None) != (draft.lon is None):
        bad("经纬度须同时填写", "lat")
    return _Checked(kind, body, out)


def _member(uow: ProposalsUnitOfWork, body: Body, name: str, generated: bool) -> ProposalMember:
    member = uow.proposals.member(body.value, name)
    if member is None:
        member = ProposalMember(body=body.value, name=name, delegation="", generated=generated)
        uow.proposals.add_row(member)
    return member


def _build(
    uow: ProposalsUnitOfWork, batch: ProposalBatch, draft: ProposalDraft, checked: _Checked, actor: Actor, now: datetime
) -> tuple[Proposal, list[ProposalEvent], list[ProposalAuthor]]:
    proposal = Proposal(
        batch_id=batch.id,
        number=draft.number.strip(),
        kind=checked.kind.value,
        title=draft.title.strip(),
        body=draft.body.strip(),
        category=draft.category.strip()[:50],
        focus=draft.focus,
        focus_leader=draft.focus_leader.strip()[:50],
        grid_code=draft.grid_code,
        lat=draft.lat,
        lon=draft.lon,
        status=Status.RECEIVED.value,
        generated=draft.generated,
        created_at=now,
        updated_at=now,
        event_count=0,
        last_event_hash="",
        version=1,
    )
    names = [n.strip() for n in draft.authors if n.strip()]
    authors = [
        ProposalAuthor(member_id=_member(uow, checked.body, name, draft.generated).id, lead=i == 0)
        for i, name in enumerate(names)
    ]
    payload = {
        "batch": batch.code,
        "number": proposal.number,
        "kind": proposal.kind,
        "title": proposal.title,
        "authors": names,
        "joint": len(names) > 1,
        "focus": proposal.focus,
        "focus_leader": proposal.focus_leader,
        "generated": proposal.generated,
    }
    first = events.record(proposal, Action.REGISTER, actor, None, Status.RECEIVED, now, payload)
    return proposal, [first], authors


def add_batch(
    uow: ProposalsUnitOfWork, code: str, name: str, held_on: date, actor: Actor, now: datetime, generated: bool = False
) -> int:
    """A new batch: a session's (市十六届人大三次会议) or the items between sessions."""
    if actor.role not in OFFICE:
        raise NotPermitted()
    if not code.strip() or not name.strip():
        raise ValidationFailed("请填写批次编码与名称", field="code")
    with uow:
        if uow.proposals.batch(code.strip()) is not None:
            raise ValidationFailed(f"批次已存在: {code}", field="code")
        batch = ProposalBatch(
            code=code.strip(), name=name.strip(), held_on=held_on, generated=generated, created_at=now
        )
        uow.proposals.add_row(batch)
        uow.commit()
        return batch.id


def import_proposals(
    uow: ProposalsUnitOfWork,
    drafts: Sequence[ProposalDraft],
    actor: Actor,
    now: datetime,
    problems: Sequence[Problem] = (),
) -> int:
    """Register every item of a list, or none: any problem (the file's own, a bad field, an unknown batch, a
    number already taken or given twice) refuses the whole list, each problem with its line."""
    if actor.role not in OFFICE:
        raise NotPermitted()
    found = list(problems)
    checked = [_check(d) for d in drafts]
    for c in checked:
        found.extend(c.problems)
    with uow:
        batches: dict[str, ProposalBatch] = {}
        seen: dict[tuple[str, str], int | None] = {}
        for d in drafts:
            batch = batches.get(d.batch)
            if batch is None:
                got = uow.proposals.batch(d.batch)
                if got is None:
                    found.append(Problem(d.line, f"批次不存在: {d.batch}", "batch"))
                    continue
                batch = batches[d.batch] = got
            key = (d.batch, d.number.strip())
            if key in seen:
                found.append(Problem(d.line, f"编号 {d.number} 与第 {seen[key]} 行重复", "number"))
            elif uow.proposals.number_taken(batch.id, key[1]):
                found.append(Problem(d.line, f"编号已存在: {d.number}", "number"))
            seen[key] = d.line
        if found:
            found.sort(key=lambda p: p.line or 0)
            raise ImportRefused(
                errors=[{"line": p.line, "message": p.message, "field": p.field} for p in found[:200]],
                count=len(found),
            )
        items = [_build(uow, batches[d.batch], d, c, actor, now) for d, c in zip(drafts, checked, strict=True)]
        uow.proposals.add_many(items)
        uow.commit()
    log.info("proposals_imported", count=len(items))
    return len(items)


def register_proposal(uow: ProposalsUnitOfWork, draft: ProposalDraft, actor: Actor, now: datetime) -> int:
    """One item registered by the office, or a deputy's own 社情民意 (they are its author). Returns its id."""
    if actor.role in AUTHORS:
        if draft.kind != Kind.OPINION.value:
            raise NotPermitted("代表委员在系统中只能直接报送社情民意; 建议、提案由大会秘书处登记")
    elif actor.role not in OFFICE:
        raise NotPermitted()
    with uow:
        if actor.role in AUTHORS:
            me = uow.proposals.member_of_user(actor.user_id or 0)
            if me is None:
                raise NotPermitted("当前账号未登记为代表委员")
            draft = replace(draft, authors=(me.name,), author_body=me.body)
            if not draft.number.strip():  # a deputy's own report is numbered as it comes in
                draft = replace(draft, number=_next_number(uow, draft.batch, now))
        checked = _check(draft)
        if checked.problems:
            p = checked.problems[0]
            raise ValidationFailed(p.message, field=p.field)
        batch = uow.proposals.batch(draft.batch)
        if batch is None:
            raise BatchNotFound(f"批次不存在: {draft.batch}")
        if uow.proposals.number_taken(batch.id, draft.number.strip()):
            raise ValidationFailed(f"编号已存在: {draft.number}", field="number")
        if draft.grid_code is not None and not _grid_exists(uow, draft.grid_code):
            raise ValidationFailed(f"网格不存在: {draft.grid_code}", field="grid_code")
        item = _build(uow, batch, draft, checked, actor, now)
        uow.proposals.add_many([item])
        uow.commit()
        log.info("proposal_registered", proposal_id=item[0].id, kind=item[0].kind)
        return item[0].id


def _next_number(uow: ProposalsUnitOfWork, batch_code: str, now: datetime) -> str:
    """SQ + the day and time it came in (Beijing time), made unique within the batch."""
    base = f"SQ{now.astimezone(SHANGHAI):%y%m%d%H%M%S}"
    batch = uow.proposals.batch(batch_code)
    if batch is None:
        return base
    number, n = base, 1
    while uow.proposals.number_taken(batch.id, number):
        n += 1
        number = f"{base}-{n}"
    return number


def _grid_exists(uow: ProposalsUnitOfWork, code: str) -> bool:
    version = uow.grids.active_version()
    return version is not None and uow.grids.by_code(code, version.id) is not None


def add_member(
    uow: ProposalsUnitOfWork,
    body: str,
    name: str,
    actor: Actor,
    now: datetime,
    username: str | None = None,
    delegation: str = "",
    generated: bool = False,
) -> int:
    """A deputy or committee member, with their sign-in account (a user of role deputy) when they have one."""
    if actor.role not in OFFICE:
        raise NotPermitted()
    try:
        kind = Body(body)
    except ValueError:
        raise ValidationFailed("body 须为 npc / cppcc", field="body") from None
    if not name.strip() or len(name) > 50:
        raise ValidationFailed("请填写姓名 (至多 50 字)", field="name")
    with uow:
        user_id = None
        if username:
            user = uow.users.by_username(username)
            if user is None:
                raise NotFound(f"用户不存在: {username}", field="username")
            if user.role != Role.DEPUTY.value:
                raise ValidationFailed("代表委员的账号须为「人大代表/政协委员」角色", field="username")
            user_id = user.id
        member = uow.proposals.member(kind.value, name.strip())
        if member is None:
            member = ProposalMember(body=kind.value, name=name.strip(), delegation=delegation, generated=generated)
            member.user_id = user_id
            uow.proposals.add_row(member)
        else:
            member.user_id = user_id if user_id is not None else member.user_id
            member.delegation = delegation or member.delegation
        uow.commit()
        return member.id


def add_station(
    uow: ProposalsUnitOfWork,
    name: str,
    grid_code: str,
    actor: Actor,
    address: str = "",
    members: Sequence[int] = (),
    generated: bool = False,
) -> int:
    """人大代表联络站 on a grid of the tree, with the deputies who serve it."""
    if actor.role not in OFFICE:
        raise NotPermitted()
    if not name.strip():
        raise ValidationFailed("请填写联络站名称", field="name")
    with uow:
        if not _grid_exists(uow, grid_code):
            raise ValidationFailed(f"网格不存在: {grid_code}", field="grid_code")
        unknown = [m for m in dict.fromkeys(members) if uow.proposals.member_by_id(m) is None]
        if unknown:
            raise ValidationFailed(f"代表不存在: {', '.join(map(str, unknown))}", field="members")
        station = ProposalStation(name=name.strip(), grid_code=grid_code, address=address, generated=generated)
        uow.proposals.add_row(station)
        for member_id in dict.fromkeys(members):
            uow.proposals.add_row(ProposalStationMember(station_id=station.id, member_id=member_id))
        uow.commit()
        return station.id
