"""Generated 建议提案 for the demo: one session's batch (市十六届人大三次会议) of a few hundred items, every one marked
generated, in every state an item rests in — waiting to be assigned, returned, being handled, extended, answered,
re-handled after an 不满意, B-class promises followed up, finished, and 社情民意 referred to the case loop.

Every step goes through the real services (the same guards, limits and record as a person's), each with its own
date, so the items' deadlines, records and metrics are what the rules make of them. Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from gridgov.actor import Actor, Role
from gridgov.cases.services import CasePolicy
from gridgov.clock import SHANGHAI
from gridgov.logging import get_logger
from gridgov.proposals import services
from gridgov.proposals.commands import Refer, build_command
from gridgov.proposals.domain import Limits
from gridgov.proposals.ports import ProposalsUnitOfWork

log = get_logger(__name__)

OFFICE = Actor(user_id=None, role=Role.PROPOSAL_OFFICE, unit_id=None, name="demo")
BATCH = "S16-3"
BATCH_NAME = "市十六届人大三次会议 (演示)"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "秀兰", "志强", "丽华", "海燕", "国庆", "文军", "春梅", "晓东", "红霞", "振华", "玉兰")
TOPICS = (
    ("城乡建设", "老旧小区改造", "加快老旧小区燃气管道和雨污管网改造"),
    ("交通", "公交线路", "优化公交线路, 增设社区微循环公交"),
    ("教育", "学位供给", "增加城区公办学位, 缓解入学难"),
    ("医疗卫生", "社区医疗", "提升社区卫生服务中心的诊疗能力"),
    ("生态环境", "黑臭水体", "治理城郊结合部黑臭水体"),
    ("民生保障", "养老服务", "发展社区嵌入式养老服务"),
    ("城市管理", "停车难", "挖潜老旧小区周边停车资源"),
    ("安全生产", "电动车充电", "建设电动自行车集中充电设施, 消除飞线充电隐患"),
    ("经济发展", "营商环境", "压缩企业开办和工程审批时限"),
    ("文化旅游", "夜间经济", "培育特色夜间消费街区"),
)
OPINIONS = ("小区门口路灯损坏", "背街小巷垃圾清运不及时", "学校周边占道经营", "人行道井盖缺失", "楼道堆放杂物")
# the state each generated item is left in, and how many in a hundred
STATES = (
    ("received", 6),
    ("assigned", 18),
    ("returned", 3),
    ("extended", 6),
    ("answered", 14),
    ("rehandling", 4),
    ("tracking", 12),
    ("closed", 32),
    ("referred", 5),
)


@dataclass(frozen=True, slots=True)
class Seeded:
    items: int
    states: dict[str, int]
    skipped: bool = False


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), SHANGHAI)


def seed_proposals(
    uow_factory: Callable[[], ProposalsUnitOfWork],
    unit_codes: Sequence[str],
    grid_codes: Sequence[str],
    now: datetime,
    limits: Limits,
    is_working_day: Callable[[date], bool],
    policy: CasePolicy | None = None,
    deputy_username: str | None = None,
    count: int = 300,
    seed: int = 20260120,
    opinion_category: str | None = None,
    points: Mapping[str, tuple[float, float]] | None = None,
) -> Seeded:
    """One batch of `count` items spread over every state (once: a second run finds the batch and stops)."""
    with uow_factory() as uow:
        if uow.proposals.batch(BATCH) is not None:
            return Seeded(0, {}, skipped=True)
    rng = random.Random(seed)
    today = now.astimezone(SHANGHAI).date()
    held = today - timedelta(days=200)
    services.add_batch(uow_factory(), BATCH, BATCH_NAME, held, OFFICE, _at(held), generated=True)
    deputies = [f"{_name(rng)}{i:02d}" for i in range(40)]
    members = [f"{_name(rng)}{i:02d}" for i in range(40)]
    for i, name in enumerate(deputies):
        user = deputy_username if i == 0 else None
        services.add_member(uow_factory(), "npc", name, OFFICE, _at(held), user, "演示代表团", generated=True)
    for name in members:
        services.add_member(uow_factory(), "cppcc", name, OFFICE, _at(held), None, "演示界别", generated=True)
    for i, grid in enumerate(grid_codes[:6]):
        first = uow_factory()
        with first:
            ids = [m.id for name in deputies[i * 5 : i * 5 + 5] if (m := first.proposals.member("npc", name))]
        services.add_station(
            uow_factory(), f"第{i + 1}人大代表联络站 (演示)", grid, OFFICE, f"演示地址{i + 1}号", ids, generated=True
        )
    # the states interleaved by their share, so that any run of a dozen items has every state
    plan = [s for _, s in sorted(((k + 0.5) / n, state) for state, n in STATES for k in range(n))]
    made: dict[str, int] = {}
    for i in range(count):
        state = plan[i % len(plan)]
        if state == "referred" and (policy is None or not grid_codes):
            state = "received"
        try:
            _one(uow_factory, i, state, rng, deputies, members, unit_codes, grid_codes, today, held, limits,
                 is_working_day, policy, opinion_category, points or {})  # fmt: skip
        except Exception:  # pragma: no cover - the generator's dates are meant to fit the rules
            log.exception("proposal_demo_failed", n=i, state=state)
            raise
        made[state] = made.get(state, 0) + 1
    log.info("proposals_seeded", items=count, **made)
    return Seeded(count, made)


def _one(
    uow_factory: Callable[[], ProposalsUnitOfWork],
    i: int,
    state: str,
    rng: random.Random,
    deputies: Sequence[str],
    members: Sequence[str],
    unit_codes: Sequence[str],
    grid_codes: Sequence[str],
    today: date,
    held: date,
    limits: Limits,
    is_working_day: Callable[[date], bool],
    policy: CasePolicy | None,
    opinion_category: str | None,
    points: Mapping[str, tuple[float, float]],
) -> None:
    opinion = state == "referred" or (state == "received" and i % 3 == 0 and bool(grid_codes))
    kind = "opinion" if opinion else ("proposal" if i % 5 in (1, 3) else "suggestion")
    pool = members if kind == "proposal" else deputies
    authors = tuple(rng.sample(list(pool), 1 if rng.random() < 0.7 else rng.randint(2, 5)))
    if i == 0:  # the demo deputy's own items: the first of each kind that is theirs
        authors = (deputies[0], *authors[1:])
    category, short, text = TOPICS[i % len(TOPICS)]
    title = (
        f"关于{OPINIONS[i % len(OPINIONS)]}的社情民意"
        if opinion
        else f"关于{text.split(',')[0]}的{'提案' if kind == 'proposal' else '建议'}"
    )
    focus = not opinion and i % 13 == 0
    grid = rng.choice(list(grid_codes)) if opinion else None
    draft = services.ProposalDraft(
        batch=BATCH,
        number=f"{i + 1:04d}",
        kind=kind,
        title=title,
        authors=authors,
        body=f"{text}。(演示数据, 由程序生成)",
        category=category,
        focus=focus,
        focus_leader=f"{rng.choice(SURNAMES)}副市长" if focus else "",
        grid_code=grid,
        lat=points[grid][0] if grid is not None and grid in points else None,
        lon=points[grid][1] if grid is not None and grid in points else None,
        author_body="npc" if opinion else None,
        generated=True,
    )
    pid = services.register_proposal(uow_factory(), draft, OFFICE, _at(held))
    if state == "received":
        return
    if state == "referred":
        assert policy is not None
        services.refer_opinion(uow_factory, pid, Refer(opinion_category), OFFICE, _at(held + timedelta(days=3)), policy)
        return

    def step(who: Actor, action: str, day: date, **params: Any) -> None:
        services.apply_action(uow_factory(), pid, build_command(action, params), who, _at(day), limits, is_working_day)

    lead, *others = rng.sample(list(unit_codes), min(len(unit_codes), 3))
    co = others[:1] if rng.random() < 0.4 else []
    unit = _unit_actor(uow_factory, lead)
    if state in ("assigned", "returned"):
        assigned = today - timedelta(days=rng.randint(3, 9) if state == "returned" else rng.randint(10, 80))
    elif state == "extended":
        assigned = today - timedelta(days=rng.randint(100, 140))
    else:
        assigned = held + timedelta(days=rng.randint(5, 15))
    step(OFFICE, "assign", assigned, lead_unit=lead, co_units=co)
    if state == "returned":
        step(unit, "return", min(today, assigned + timedelta(days=rng.randint(1, 3))), reason="不属于本单位职责 (演示)")
        return
    contact_day = min(today, assigned + timedelta(days=rng.randint(3, 30)))
    if rng.random() < 0.8:
        method = rng.choice(["meeting", "visit", "phone"])
        step(unit, "record_contact", contact_day, method=method, on=contact_day.isoformat(), note="办前沟通 (演示)")
    if co and rng.random() < 0.8:
        step(_unit_actor(uow_factory, co[0]), "send_views", contact_day, text="会办意见 (演示)")
    if state == "assigned":
        return
    answer_day = min(today - timedelta(days=40), assigned + timedelta(days=rng.randint(20, 100)))
    if state == "extended" or rng.random() < 0.1:
        explained = min(today, assigned + timedelta(days=rng.randint(40, 85)))
        step(unit, "explain", explained, text="须列入年度计划, 申请延期 (演示)")
        if state == "extended":
            return
        answer_day = max(answer_day, explained + timedelta(days=5))
    if state == "tracking":
        cls = "B"
    elif state == "closed":
        cls = rng.choice("AAABBCD")
    else:
        cls = rng.choice("AABCD")
    promises = [
        {"text": "按计划完成整改 (演示)", "due_on": (answer_day + timedelta(days=rng.randint(20, 25))).isoformat()}
    ]
    if cls == "B" and state == "tracking":
        promises = [
            {"text": "列入明年计划实施 (演示)", "due_on": (today + timedelta(days=rng.randint(30, 200))).isoformat()}
        ]
    public = rng.random() < 0.9
    step(
        unit,
        "answer",
        answer_day,
        answer_class=cls,
        text=f"{CLASS_TEXT[cls]} (演示)",
        public=public,
        not_public_reason="" if public else "涉及尚未公开的规划 (演示)",
        promises=promises if cls == "B" else [],
    )
    if state == "answered":
        return
    author = _author_actor(uow_factory, pid)  # the author, or the office entering the author's 征询意见表
    if cls == "B" and state == "closed":
        step(unit, "keep_promise", answer_day + timedelta(days=15), promise_id=_first_promise(uow_factory, pid),
             on=(answer_day + timedelta(days=15)).isoformat())  # fmt: skip
    if state == "rehandling":
        step(author, "rate", answer_day + timedelta(days=10), work="basically", result="dissatisfied", note="演示")
        return
    work = rng.choice(["satisfied", "satisfied", "satisfied", "basically"])
    result = rng.choice(["satisfied", "satisfied", "basically", "basically"])
    step(author, "rate", answer_day + timedelta(days=10), work=work, result=result)


CLASS_TEXT = {"A": "已解决", "B": "已列入计划, 正在解决", "C": "受条件限制暂不能解决, 原因如下", "D": "留作参考"}


def _unit_actor(uow_factory: Callable[[], ProposalsUnitOfWork], code: str) -> Actor:
    with uow_factory() as uow:
        unit = uow.units.by_code(code)
        assert unit is not None, code
        unit_id = unit.id
    return Actor(user_id=None, role=Role.DEPARTMENT, unit_id=unit_id, name="demo")


def _author_actor(uow_factory: Callable[[], ProposalsUnitOfWork], pid: int) -> Actor:
    """The lead author where they have an account; generated members have none: the office enters their rating."""
    with uow_factory() as uow:
        user_id = uow.proposals.authors(pid)[0][1].user_id
    if user_id is None:
        return OFFICE
    return Actor(user_id=user_id, role=Role.DEPUTY, unit_id=None, name="demo")


def _first_promise(uow_factory: Callable[[], ProposalsUnitOfWork], pid: int) -> int:
    with uow_factory() as uow:
        promise_id = uow.proposals.promises(pid)[0].id
    return promise_id
