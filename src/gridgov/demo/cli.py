"""`gridgov demo`: a demo database (Zhengzhou grids, sample cases), a token per role, then the server.

The server itself is started through the entry point's `Wiring.serve` (the app sits above the features)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from gridgov.clikit import container, friendly, settings_for, wiring
from gridgov.config import Settings


def _load_reference(settings: Settings) -> dict[str, int]:
    """As `gridgov init` does: migrate, then load the reference data (idempotent)."""
    from gridgov import migrate
    from gridgov.clock import SystemClock
    from gridgov.reference.services import initialise

    migrate.upgrade(settings.database_url)
    c = container(settings)
    try:
        return initialise(c.uow(), SystemClock().now(), villages=(), grid_workers=True)
    finally:
        c.close()


def _seed_projects(c: Any, now: Any) -> None:
    """三个一批: 11 phases, 1,363 generated projects (projects.demo), once."""
    from gridgov.projects.demo import DistrictArea, seed_projects
    from gridgov.projects.queries import district_areas
    from gridgov.projects.repository import SqlProjectsUnitOfWork

    with c.sessions() as session:
        areas = [DistrictArea(code, name, boxes) for code, name, boxes in district_areas(session)]
    done = seed_projects(lambda: SqlProjectsUnitOfWork(c.uow()), areas, now)
    if not done.skipped:
        click.echo(f"三个一批: {done.phases} 期, {done.projects} 个项目 (演示数据), 总投资 {done.total_yi:,.0f} 亿元")


def _seed_proposals(c: Any, now: Any, grid_code: str) -> None:
    """建议提案: one session's batch of 300 generated items in every state (proposals.demo), once."""
    import shapely  # type: ignore[import-untyped]
    from sqlalchemy import text

    from gridgov.proposals.demo import seed_proposals
    from gridgov.proposals.repository import SqlProposalsUnitOfWork
    from gridgov.proposals.rules import limits_from

    district, city = grid_code[:6], grid_code[:4]
    units = [f"{district}-{k}" for k in ("cg", "zj", "sthj")] + [f"{city}-{k}" for k in ("cg", "zj", "sthj")]
    with c.sessions() as session:
        have = set(session.execute(text("SELECT code FROM units")).scalars())
        rows = session.execute(
            text("SELECT g.code, g.geom_wkb FROM grids g JOIN grid_versions v ON v.id = g.version_id WHERE v.active "
                 "AND g.level = 4 AND g.code LIKE :p ORDER BY g.code LIMIT 6"),
            {"p": f"{grid_code[:9]}%"},
        ).all()  # fmt: skip
    grids = [code for code, _ in rows]
    points = {}  # a point inside each grid, so that a 社情民意's case shows on the maps
    for code, wkb in rows:
        if wkb is not None:
            inside = shapely.from_wkb(wkb).representative_point()
            points[code] = (inside.y, inside.x)
    done = seed_proposals(
        lambda: SqlProposalsUnitOfWork(c.uow()),
        [u for u in units if u in have],
        grids,
        now,
        limits_from(c.settings),
        c.calendar.is_working_day,
        c.policy,
        deputy_username="deputy",
        opinion_category="C0106",
        points=points,
    )
    if not done.skipped:
        click.echo(
            f"建议提案: {done.items} 件 (演示数据), " + ", ".join(f"{k} {v}" for k, v in sorted(done.states.items()))
        )


def _seed_knowledge(c: Any, now: Any) -> None:
    """12345 operations (issue 17): the demo's 41 knowledge-base articles and synonym groups, once."""
    from sqlalchemy import func, select

    from gridgov.knowledge.demo import seed_knowledge
    from gridgov.knowledge.models import KnowledgeArticle
    from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork
    from gridgov.units.models import Unit

    with c.sessions() as session:
        if session.execute(select(func.count(KnowledgeArticle.id))).scalar():
            return
        departments = {
            code.rsplit("-", 1)[-1]: code
            for code in session.execute(select(Unit.code).where(Unit.kind == "city_department")).scalars()
        }
    n = seed_knowledge(lambda: SqlKnowledgeUnitOfWork(c.uow()), lambda key: departments[key], now)
    click.echo(f"知识库: {n} 个条目 (演示口径)")


def _seed_safety(c: Any, now: Any) -> None:
    """安全生产: 3,000 generated places in the demo's grids, the month's plan, hazards in every state (safety.demo)."""
    from gridgov.safety.demo import GridBox, seed_safety
    from gridgov.safety.queries import grid_boxes
    from gridgov.safety.repository import SqlSafetyUnitOfWork

    with c.sessions() as session:
        grids = [GridBox(code, box) for code, box in grid_boxes(session)]
    done = seed_safety(lambda: SqlSafetyUnitOfWork(c.uow()), grids, now, c.calendar)
    if not done.skipped:
        click.echo(f"安全生产: {done.places} 个场所 (演示数据), {done.tasks} 个检查任务, {done.inspections} 次检查")


@click.command(help="建立演示库 (郑州网格 + 样例案件)，为每个角色打印令牌，并在 127.0.0.1:8000 提供服务")
@click.option("--database-url", envvar="GRIDGOV_DEMO_DATABASE_URL", default="sqlite:///var/demo.db", show_default=True)
@click.option("--cases", "n_cases", type=int, default=3000, show_default=True, help="样例案件数")
@click.option("--reset", is_flag=True, help="删除已有演示库后重建 (仅 SQLite)")
@click.option("--no-serve", is_flag=True, help="只建库，不启动服务")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@friendly
def demo(database_url: str, n_cases: int, reset: bool, no_serve: bool, host: str, port: int) -> None:
    from gridgov.cases.services import scan_overdue
    from gridgov.clock import SystemClock
    from gridgov.demo.seed import DEMO_PASSWORD, create_demo_users, seed_cases

    settings = _with_demo_key(settings_for(database_url, host=host, port=port))
    if reset and settings.is_sqlite:
        path = Path(settings.database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        if settings.audit_checkpoint_dir == demo_checkpoints(settings.database_url):  # they go with the database
            for old in Path(settings.audit_checkpoint_dir).glob("checkpoint-*.json"):
                old.unlink()
    click.echo("正在初始化数据库与郑州参考数据 …")
    summary = _load_reference(settings)
    c = container(settings.model_copy(update={"log_level": "WARNING"}))
    try:
        now = SystemClock().now()
        world = create_demo_users(c, now)
        if summary["grids"] and summary["units"]:
            click.echo(f"正在生成 {n_cases} 个样例案件 …")
            made = seed_cases(c, n_cases, now, progress=lambda i: click.echo(f"  {i}/{n_cases}"))
            click.echo("样例案件: " + ", ".join(f"{k} {v}" for k, v in sorted(made.items())))
            report = scan_overdue(c.uow_factory, now, c.calendar, c.policy)
            click.echo(f"时限扫描: 预警 {report.warned}, 升级 {report.escalated}")
            _seed_projects(c, now)
            _seed_proposals(c, now, world.grid_code)
            _seed_knowledge(c, now)  # 12345 operations (issue 17)
            _seed_safety(c, now)
            _checkpoint(c)
        else:
            click.echo("演示库已存在，跳过样例案件 (用 --reset 重建)")
    finally:
        c.close()
    click.echo("演示令牌 (Authorization: Bearer <令牌>):")
    for name, value in world.tokens.items():
        click.echo(f"  {name:<14} {value}")
    click.echo(f"演示网格: {world.grid_code}")
    click.echo(f"网页登录 (http://{host}:{port}/login), 密码均为 {DEMO_PASSWORD}:")
    for who, username in world.usernames.items():
        click.echo(f"  {who:<14} 用户名 {username}")
    if not no_serve:
        click.echo(f"服务地址: http://{host}:{port}/  (API 文档 /docs)")
        wiring().serve(settings, True)


DEMO_KEY = "var/audit/demo-ed25519.key"
DEMO_CHECKPOINTS = "var/demo-checkpoints"


def demo_checkpoints(database_url: str) -> str:
    """Each demo database has its own checkpoints (a new database is a new log): beside an SQLite file, else under
    var/demo-checkpoints/ by the URL's digest."""
    if database_url.startswith("sqlite:///"):
        return database_url.split("///", 1)[1] + ".checkpoints"
    return f"{DEMO_CHECKPOINTS}/{hashlib.sha256(database_url.encode()).hexdigest()[:16]}"


def _with_demo_key(settings: Settings) -> Settings:
    """The demo signs its record with a key of its own under var/ (made once), unless one is configured."""
    if settings.audit_key_path:
        return settings
    from gridgov.audit.keys import generate_key

    if not Path(DEMO_KEY).exists():
        generate_key(DEMO_KEY)
    return settings.model_copy(
        update={"audit_key_path": DEMO_KEY, "audit_checkpoint_dir": demo_checkpoints(settings.database_url)}
    )


def _checkpoint(c: Any) -> None:
    from gridgov.audit.sql import make_checkpoint

    with c.sessions() as session:
        result = make_checkpoint(
            session,
            signer=c.audit_signer,
            stores=c.checkpoint_stores(),
            origin=c.audit_origin,
            now=c.clock.now(),
            adopt=True,  # the demo built this database itself
        )
    click.echo(f"审计检查点: 日志 {result.checkpoint.size} 条, 写入 {c.settings.audit_checkpoint_dir}")
