"""Demo data: one user and token per role, and sample cases driven through the real services
(so every sample has a genuine event chain) into every state of the loop."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.models import User
from gridgov.accounts.services import actor_of, add_user, issue_token, set_password
from gridgov.bootstrap import Container
from gridgov.cases.guards import verifier_roles
from gridgov.cases.services import CaseDraft, apply_action, build_command, report_case
from gridgov.categories.models import Category
from gridgov.errors import GridgovError
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid
from gridgov.units.models import GridAssignment, Unit

ROLE_FOR_KIND = {
    "city_department": Role.DEPARTMENT,
    "district_bureau": Role.DEPARTMENT,
    "street_office": Role.STREET,
    "community": Role.COMMUNITY,
}

SAMPLES = [
    ("人行道井盖缺失", "人行道上的污水井盖丢了，晚上很危险，请尽快处理。", "E04"),
    ("小区门口垃圾堆积", "小区东门外垃圾三天没人清运，气味很大。", "E01"),
    ("电线杆上电线裸露", "路边电线杆下方有高压线外皮破损裸露，孩子们经常经过。", "C01"),
    ("机动车占用盲道停放", "商铺门口长期有车辆占用盲道和人行道。", "E05"),
    ("工地夜间施工扰民", "夜里十二点以后还在施工，噪音很大影响休息。", "E03"),
    ("路灯不亮", "主干道旁连续五盏路灯不亮，夜间出行不安全。", "C01"),
    ("护栏损坏", "交通护栏被撞坏倒在路边，有安全隐患。", "C02"),
    ("小广告乱贴", "楼道和电线杆上贴满了小广告。", "E02"),
    ("绿地被毁种菜", "小区公共绿地被人挖开种菜。", "E01"),
    ("道路积水", "下雨后路口积水很深，车辆和行人无法通行。", "E04"),
    ("楼道堆放杂物", "三楼楼道堆满纸箱和旧家具，堵住了消防通道。", "H18"),
    ("邻里噪音纠纷", "楼上住户每天深夜装修敲打，多次沟通无果。", "H18"),
]

CONSULTATIONS = [
    ("咨询养老保险转移", "从外省调到郑州工作，养老保险关系怎么转移？", "H19"),
    ("咨询居住证办理", "办理居住证需要准备哪些材料，去哪里办？", "H19"),
]

# final stage of each sample case, with weights (every state of the loop appears)
STAGES = [
    ("reported", 6),
    ("registered", 5),
    ("rejected", 3),
    ("direct_closed", 4),
    ("dispatched", 8),
    ("returned", 3),
    ("accepted", 10),
    ("whistle", 4),
    ("postponed", 3),
    ("handled", 7),
    ("reworked", 3),
    ("closed", 12),
    ("evaluated", 25),
    ("reopened", 2),
    ("suspended", 3),
    ("merged", 2),
]


@dataclass
class DemoWorld:
    tokens: dict[str, str]
    grid_code: str
    usernames: dict[str, str]  # who → the username to sign in with (the grid worker's is generated)


DEMO_PASSWORD = "gridgov-demo"  # the demo database only: every demo user signs in with it


def _unit(c: Container, code: str) -> Unit:
    with c.sessions() as s:
        unit = s.scalars(select(Unit).where(Unit.code == code)).one()
        s.expunge(unit)
        return unit


def create_demo_users(c: Container, now: datetime) -> DemoWorld:
    """Users for every role around one street of 金水区, each with a fresh token."""
    with c.sessions() as s:
        grid = (
            s.scalars(
                select(Grid).where(Grid.level == int(GridLevel.MICRO), Grid.code.like("410105%")).order_by(Grid.code)
            ).first()
            or s.scalars(select(Grid).where(Grid.level == int(GridLevel.MICRO)).order_by(Grid.code)).one()
        )
        worker = s.scalars(
            select(User)
            .join(GridAssignment, GridAssignment.user_id == User.id)
            .where(GridAssignment.grid_code == grid.code)
        ).first()
        city = s.scalars(select(Unit).where(Unit.kind == "city")).one()
        city_code = city.code
        grid_code = grid.code
        worker_name = worker.username if worker else None
    people = [
        ("admin", Role.ADMIN, None),
        ("leader", Role.LEADER, None),
        ("resident", Role.RESIDENT, None),
        ("operator", Role.OPERATOR, city_code),
        ("dispatcher", Role.DISPATCHER, city_code),
        ("street", Role.STREET, grid_code[:9]),
        ("community", Role.COMMUNITY, grid_code[:12]),
        ("dept-cg", Role.DEPARTMENT, f"{grid_code[:6]}-cg"),
        ("dept-zj", Role.DEPARTMENT, f"{grid_code[:6]}-zj"),
        ("dept-sthj", Role.DEPARTMENT, f"{grid_code[:6]}-sthj"),
        ("dept-city-cg", Role.DEPARTMENT, f"{city_code}-cg"),
        ("deputy", Role.DEPUTY, None),
        ("proposal-office", Role.PROPOSAL_OFFICE, None),
    ]
    tokens: dict[str, str] = {}
    with c.sessions() as s:
        have = set(s.scalars(select(User.username)))
    for username, role, unit in people:
        if username not in have:
            add_user(c.uow(), username, role.value, unit, now, display_name=f"演示{role.label}")
        tokens[username] = issue_token(c.uow(), username, now, name="demo")
        set_password(c.uow(), username, DEMO_PASSWORD)
    usernames = {name: name for name, _, _ in people}
    if worker_name:
        tokens["grid-worker"] = issue_token(c.uow(), worker_name, now, name="demo")
        set_password(c.uow(), worker_name, DEMO_PASSWORD)
        usernames["grid-worker"] = worker_name
    return DemoWorld(tokens=tokens, grid_code=grid_code, usernames=usernames)


def seed_cases(
    c: Container, n: int, now: datetime, seed: int = 20261127, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """`n` sample cases spread over the last 40 days, each driven to a stage through the services."""
    rng = random.Random(seed)
    with c.sessions() as s:
        grids = list(s.scalars(select(Grid.code).where(Grid.level == int(GridLevel.MICRO))))
        leaves = {}
        for prefix in {p for _, _, p in SAMPLES} | {"H19"}:
            leaves[prefix] = list(s.scalars(select(Category.code).where(Category.parent_code == prefix)))
        users = {u.username: u for u in s.scalars(select(User).where(User.generated.is_(False)))}
        for u in users.values():
            s.expunge(u)
    op = _actor(c, users["operator"])
    dispatcher = _actor(c, users["dispatcher"])
    resident = _actor(c, users["resident"])
    stages = [name for name, _ in STAGES]
    weights = [w for _, w in STAGES]
    staff: dict[int, Actor] = {}
    shapes: dict[str, Any] = {}
    made: dict[str, int] = {}
    last_open: int | None = None
    for i in range(n):
        stage = rng.choices(stages, weights)[0]
        title, text, prefix = rng.choice(CONSULTATIONS if stage == "direct_closed" else SAMPLES)
        grid = rng.choice(grids)
        lat, lon = _point_in(c, grid, rng, shapes)
        category = rng.choice(leaves[prefix]) if leaves[prefix] else None
        t = now - timedelta(days=rng.uniform(0.2, 40), minutes=rng.randint(0, 600))
        reporter = resident if rng.random() < 0.3 else op
        draft = CaseDraft(
            title=title,
            description=text,
            source="web" if reporter is resident else "hotline",
            category_code=category,
            grid_code=grid,
            address="",
            lat=lat,
            lon=lon,
            reporter_name=rng.choice(["张伟", "王芳", "李娜", "刘洋", "陈静"]),
            reporter_phone=f"13{rng.randint(100000000, 999999999)}",
        )
        case_id = report_case(c.uow(), draft, reporter, t).id
        made[stage] = made.get(stage, 0) + 1
        step = _Stepper(c, case_id, t, rng)
        try:
            _drive(step, stage, op, dispatcher, resident if reporter is resident else op, staff, last_open)
        except GridgovError:  # a sample that cannot reach its stage stays where it stopped
            made[stage] -= 1
            made["partial"] = made.get("partial", 0) + 1
        if stage in ("registered", "reported"):
            last_open = case_id
        if progress and (i + 1) % 200 == 0:
            progress(i + 1)
    return made


def _point_in(c: Container, code: str, rng: random.Random, shapes: dict[str, Any]) -> tuple[float | None, float | None]:
    """A random WGS-84 point inside the grid (so the sample shows on the maps), or none without geometry."""
    import shapely  # type: ignore[import-untyped]

    if code not in shapes:
        with c.sessions() as s:
            wkb = s.scalars(select(Grid.geom_wkb).where(Grid.code == code).order_by(Grid.version_id.desc())).first()
        shapes[code] = shapely.from_wkb(wkb) if wkb is not None else None
    shape = shapes[code]
    if shape is None:
        return None, None
    minx, miny, maxx, maxy = shape.bounds
    for _ in range(20):
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if shape.contains(p):
            return round(p.y, 6), round(p.x, 6)
    p = shape.representative_point()
    return round(p.y, 6), round(p.x, 6)


def _actor(c: Container, u: User) -> Actor:
    with c.uow(write=False) as uow:
        return actor_of(uow, u)


class _Stepper:
    def __init__(self, c: Container, case_id: int, t: datetime, rng: random.Random) -> None:
        self.c, self.case_id, self.t, self.rng = c, case_id, t, rng

    def __call__(self, action: str, actor: Actor, minutes: float, **params: Any) -> None:
        self.t = self.t + timedelta(minutes=minutes * self.rng.uniform(0.5, 1.5))
        apply_action(
            self.c.uow(), self.case_id, build_command(action, params), actor, self.t, self.c.calendar, self.c.policy
        )


def _staff(c: Container, unit: Unit, staff: dict[int, Actor]) -> Actor:
    actor = staff.get(unit.id)
    if actor is None:
        username = f"staff-{unit.code}"
        with c.sessions() as s:
            user = s.scalars(select(User).where(User.username == username)).first()
            uid = user.id if user else None
        if uid is None:
            uid = add_user(
                c.uow(),
                username,
                ROLE_FOR_KIND[unit.kind].value,
                unit.code,
                c.clock.now(),
                display_name=f"{unit.name}经办人",
            )
        actor = staff[unit.id] = Actor(
            user_id=uid, role=ROLE_FOR_KIND[unit.kind], unit_id=unit.id, name=unit.name, unit_grid=unit.grid_code
        )
    return actor


def _drive(
    step: _Stepper, stage: str, op: Actor, disp: Actor, evaluator: Actor, staff: dict[int, Actor], last_open: int | None
) -> None:
    c = step.c
    if stage == "reported":
        return
    if stage == "merged" and last_open is not None:
        step("merge", disp, 30, into_case_id=last_open)
        return
    if stage == "rejected":
        step("reject", op, 10, reason="重复或不属于受理范围")
        return
    if stage == "direct_closed":
        step("direct_close", op, 5, note="政策咨询，已当场解答")
        return
    step("register", op, 10)
    if stage == "registered":
        return
    step("dispatch", disp, 15)
    with c.sessions() as s:
        from gridgov.cases.models import Case

        case = s.get(Case, step.case_id)
        assert case is not None and case.owner_unit_id is not None
        unit = s.get(Unit, case.owner_unit_id)
        assert unit is not None
        s.expunge(unit)
        grid_code = case.grid_code or ""
        category = s.scalars(select(Category).where(Category.code == case.category_code)).first()
        kind = category.kind if category is not None else None
    # who verifies follows the rule (cases.guards.VERIFIERS): the grid worker for 部件/事件, else the dispatcher
    worker = _worker(c, grid_code) if Role.GRID_WORKER in verifier_roles(kind) else None
    handler = _staff(c, unit, staff)
    if stage == "dispatched":
        return
    if stage == "returned":
        step("return", handler, 40, reason="不属于本单位职责，请重新派遣")
        return
    step("accept", handler, 45)
    if stage == "accepted":
        return
    if stage == "suspended":
        step("suspend", disp, 120, reason="需等待产权单位确认")
        return
    if stage == "postponed":
        step("request_postpone", handler, 600, amount=3, unit="working_days", reason="需采购配件")
        step("approve_postpone", disp, 60)
        return
    if stage == "whistle" and unit.kind == "street_office":
        district = grid_code[:6]
        step("whistle", handler, 60, department_codes=[f"{district}-cg", f"{district}-zj"], note="需多部门联合处置")
        for key in ("cg", "zj"):
            dept = _staff(c, _unit(c, f"{district}-{key}"), staff)
            step("check_in", dept, 25)
        return
    step("handle", handler, 1200, note="已安排人员现场处置完毕", evidence=["photo://demo/after.jpg"])
    if stage == "handled":
        return
    verifier = worker or disp
    if stage == "reworked":
        step("rework", verifier, 120, reason="现场核查未处理到位")
        return
    step("verify", verifier, 180, note="现场核查已处置")
    if stage == "closed":
        return
    if stage == "reopened":
        step("evaluate", evaluator, 600, resolved=False, satisfaction="unsatisfied", comment="问题依旧")
        return
    sat = step.rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [80, 14, 6])[0]
    step("evaluate", evaluator, 900, resolved=sat != "unsatisfied", satisfaction=sat)


def _worker(c: Container, grid_code: str) -> Actor | None:
    with c.sessions() as s:
        user = s.scalars(
            select(User)
            .join(GridAssignment, GridAssignment.user_id == User.id)
            .where(GridAssignment.grid_code == grid_code)
        ).first()
        if user is None:
            return None
        return _actor(c, user)
