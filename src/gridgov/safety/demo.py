"""Generated 安全生产 data for the demo: a few thousand places spread over the demo city's micro-grids (every one
marked generated), the month's plan, and inspections whose hazards end in every state — 一般 ones fixed on the
spot or waiting, 重大 ones waiting for their plan, being rectified, under 挂牌督办, waiting for review, failed once,
accepted and 销号. Everything goes through the services, so each step is on the record like a real one.
Deterministic for a seed."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridgov.actor import Actor, Role
from gridgov.cases.services import CasePolicy
from gridgov.clock import SHANGHAI, WorkingDays
from gridgov.logging import get_logger
from gridgov.safety.commands import build_command
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import shipped_rules
from gridgov.safety.services import (
    InspectionDraft,
    ItemResult,
    PlaceDraft,
    apply_hazard_action,
    generate_plan,
    record_inspection,
)
from gridgov.safety.services.places import new_place

log = get_logger(__name__)

DEMO_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="演示数据")
WORDS = {
    "small_shop": ("便民超市", "百货店", "烟酒店", "五金店"),
    "small_restaurant": ("烩面馆", "小吃店", "早餐店", "烧烤店"),
    "small_hotel": ("快捷宾馆", "家庭旅馆", "招待所"),
    "small_entertainment": ("KTV", "歌舞厅", "棋牌室"),
    "small_internet_cafe": ("网吧", "电竞馆"),
    "small_beauty_bath": ("美发店", "足浴店", "洗浴中心"),
    "small_workshop": ("服装加工厂", "木器加工坊", "印刷厂"),
    "small_school": ("幼儿园", "培训学校"),
    "small_clinic": ("诊所", "卫生室"),
    "rental_housing": ("出租屋", "群租房"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


@dataclass(frozen=True, slots=True)
class GridBox:
    code: str  # a micro-grid's 15-digit code
    box: tuple[float, float, float, float]  # (min_lat, min_lon, max_lat, max_lon)


@dataclass(frozen=True, slots=True)
class Seeded:
    places: int
    tasks: int
    inspections: int
    hazards: dict[str, int]
    skipped: bool = False


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


def place_drafts(grids: Sequence[GridBox], n: int, seed: int) -> list[tuple[PlaceDraft, str]]:
    rules = shipped_rules()
    rnd = random.Random(seed)
    types = list(rules.types)
    weights = [6 if t.startswith("small_") else 3 if t == "rental_housing" else 1 for t in types]
    out = []
    for i in range(n):
        g = grids[i % len(grids)]
        a, b, c, d = g.box
        t = rnd.choices(types, weights)[0]
        name = rnd.choice(SURNAMES) + "记" + rnd.choice(WORDS.get(t, (rules.types[t].label,)))
        risk = rnd.choices(("red", "orange", "yellow", "blue"), (1, 2, 4, 5))[0]
        out.append(
            (
                PlaceDraft(
                    name=f"{name}{i + 1}号",
                    type_code=t,
                    address=f"演示路{i + 1}号",
                    lat=round(rnd.uniform(a, c), 6),
                    lon=round(rnd.uniform(b, d), 6),
                    risk=risk,
                    responsible_name=rnd.choice(SURNAMES) + "某",
                    responsible_phone=f"13{rnd.randrange(10**8, 10**9)}",
                    generated=True,
                ),
                g.code,
            )
        )
    return out


# the stories a hazard's steps tell, to reach every state: (grade, the actions after it is found)
STORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("general", ("fixed",)),  # 立即整改: 已销号 at once
    ("general", ()),  # 整改中
    ("general", ("report_rectified",)),  # 待验收
    ("general", ("report_rectified", "pass_review")),  # 验收通过待销号
    ("general", ("report_rectified", "pass_review", "close_out")),  # 已销号
    ("major", ()),  # 待制定治理方案
    ("major", ("submit_plan",)),  # 整改中
    ("major", ("submit_plan", "supervise")),  # 挂牌督办, 整改中
    ("major", ("submit_plan", "supervise", "report_rectified", "fail_review")),  # 验收不通过, 退回整改
    (
        "major",
        ("submit_plan", "supervise", "report_rectified", "fail_review", "report_rectified", "pass_review", "close_out"),
    ),  # noqa: E501
)


def seed_safety(
    uow_factory: Callable[[], SafetyUnitOfWork],
    grids: Sequence[GridBox],
    now: datetime,
    calendar: WorkingDays,
    places: int = 3000,
    inspections: int = 120,
    seed: int = 21,
) -> Seeded:
    """The demo's places, the month's plan and inspections with hazards in every state, once (nothing is written
    when generated places exist already)."""
    rules = shipped_rules()
    uow = uow_factory()
    with uow:
        if uow.safety.codes_taken(["CSG000001"]):
            return Seeded(0, 0, 0, {}, skipped=True)
        rows = [
            new_place(d, grid, rules, DEMO_ACTOR, now, f"CSG{i + 1:06d}")
            for i, (d, grid) in enumerate(place_drafts(grids, places, seed))
        ]
        uow.safety.add_places(rows)
        uow.commit()
        chosen = [(p.id, p.type_code) for p, _ in rows if p.place_group == "nine_small"][:inspections]
    local = now.astimezone(SHANGHAI)
    tasks = sum(r.made for r in generate_plan(uow_factory(), f"{local.year}-{local.month:02d}", DEMO_ACTOR, now))
    found, fixed, after = _png((200, 40, 40)), _png((40, 160, 60)), _png((230, 230, 230))
    policy = CasePolicy()
    states: dict[str, int] = {}
    at = now - timedelta(days=2)
    for i, (place_id, type_code) in enumerate(chosen):
        grade, steps = STORIES[i % len(STORIES)]
        items = rules.items_for(type_code)
        code = next(iter(items))
        results = {c: ItemResult("pass") for c in items}
        results[code] = ItemResult(
            "fail",
            grade=grade,
            fixed_on_spot="fixed" in steps,
            photos=(found,),
            fixed_photos=(fixed,) if "fixed" in steps else (),
            note="演示数据",
        )
        draft = InspectionDraft(place_id, results, client_key=f"demo-{seed}-{i}", generated=True)
        done = record_inspection(uow_factory(), draft, DEMO_ACTOR, at, calendar)
        hazard_id = done.hazards[0].hazard_id
        status = done.hazards[0].status
        for step in steps:
            if step == "fixed":
                continue
            params: dict[str, object] = {"note": "演示数据"}
            if step == "submit_plan":
                params |= {
                    "responsible": "经营者 (演示)",
                    "measures": "按检查意见整改",
                    "funds": 5000,
                    "time_limit": (local.date() + timedelta(days=20)).isoformat(),
                    "contingency": "整改期间停止相关作业",
                }
            if step == "report_rectified":
                params["photos"] = [after]
            if step == "fail_review":
                params["note"] = "整改不到位 (演示)"
            status = apply_hazard_action(
                uow_factory, hazard_id, build_command(step, params), DEMO_ACTOR, now, calendar, policy
            )
        key = f"{grade}:{status}"
        states[key] = states.get(key, 0) + 1
    log.info("safety_seeded", places=len(rows), tasks=tasks, inspections=len(chosen))
    return Seeded(len(rows), tasks, len(chosen), states)
