"""`gridgov safety …`: import the places list (all or nothing, every bad line named), generate a month's
inspection tasks from the plans (idempotent), escalate late hazards, export the ledger, check the record."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="安全生产: 导入场所、生成检查计划、隐患逾期升级、导出台账、校验记录")
def safety() -> None:
    pass


@safety.command(
    "import-places",
    help="导入场所清单 (.xlsx/.csv); 任一行有误 (如位置不在本市、类型未知) 则整个清单不导入, 并指明行号",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_places_command(path: Path, database_url: str | None) -> None:
    from gridgov.safety.domain import ImportRefused
    from gridgov.safety.excel import read_place_list
    from gridgov.safety.repository import SqlSafetyUnitOfWork
    from gridgov.safety.services import import_places

    drafts, problems = read_place_list(path.read_bytes(), path.name)
    with opened(database_url) as c:
        try:
            ids = import_places(
                SqlSafetyUnitOfWork(c.uow()), drafts, CLI_ACTOR, c.clock.now(), c.locator(), problems=problems
            )
        except ImportRefused as refused:
            for e in refused.details.get("errors", []):
                where = f"第 {e['line']} 行: " if e.get("line") else ""
                click.echo(f"错误: {path.name} {where}{e['message']}", err=True)
            click.echo("清单有误，未导入任何场所", err=True)
            sys.exit(2)
    click.echo(f"已导入 {len(ids)} 个场所")


@safety.command("plan", help="按检查计划生成某月的检查任务 (可重复执行: 只补上缺少的任务)")
@click.option("--period", required=True, help="月份 YYYY-MM, 例如 2026-12")
@click.option("--plan", "plans", multiple=True, help="只生成这些计划 (默认全部)")
@db_option
@friendly
def plan_command(period: str, plans: tuple[str, ...], database_url: str | None) -> None:
    from gridgov.safety.repository import SqlSafetyUnitOfWork
    from gridgov.safety.services import generate_plan

    with opened(database_url) as c:
        results = generate_plan(SqlSafetyUnitOfWork(c.uow()), period, CLI_ACTOR, c.clock.now(), plan_codes=plans)
    for r in results:
        click.echo(f"{r.plan_code} {r.period}: 轮次 {', '.join(r.rounds)}; 本次新增 {r.made} 个任务, 共 {r.total} 个")


@safety.command("escalate", help="逾期未整改的隐患逐级升级 (街道 → 区 → 市), 按工作日计算时限")
@db_option
@friendly
def escalate_command(database_url: str | None) -> None:
    from gridgov.safety.repository import SqlSafetyUnitOfWork
    from gridgov.safety.services import scan_overdue_hazards

    with opened(database_url) as c:
        done = scan_overdue_hazards(lambda: SqlSafetyUnitOfWork(c.uow()), c.clock.now(), c.calendar)
    click.echo(f"升级 {done.escalated} 个逾期隐患")


@safety.command("ledger", help="导出隐患台账 (Excel): 一个季度 (2026Q4)、一年 (2026) 或一个月 (2026-12)")
@click.option("--period", required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@db_option
@friendly
def ledger_command(period: str, out_path: Path, database_url: str | None) -> None:
    from gridgov.indicator_sources import Period
    from gridgov.safety import queries
    from gridgov.safety.excel import ledger_workbook

    p = Period.parse(period)
    with opened(database_url) as c, c.sessions() as session:
        rows = queries.ledger_rows(session, p)
        stats = {by: queries.statistics(session, p, by) for by in ("district", "street", "type", "grade")}
    out_path.write_bytes(ledger_workbook(p.label, rows, stats))
    click.echo(f"已导出 {len(rows)} 条隐患到 {out_path}")


@safety.command("verify", help="校验场所、隐患和检查计划的事件链, 以及每个事件都在全市日志中")
@db_option
@friendly
def verify(database_url: str | None) -> None:
    from gridgov.safety.audit import problem_lines, verify_safety

    with opened(database_url) as c, c.sessions() as session:
        report = verify_safety(session)
        lines = problem_lines(session) if not report.ok else []
    for line in lines:
        click.echo(f"篡改: {line}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(f"完整: {report.subjects} 个记录对象, {report.events} 个事件, 全市日志中 {report.leaves} 片叶子与之相符")


def register_audit_check() -> None:
    """`gridgov audit verify` runs the safety chains' check with the case loop's (gridgov.cases.audit)."""
    from gridgov.cases.audit import FEATURE_CHECKS
    from gridgov.safety.audit import problem_lines

    FEATURE_CHECKS["安全生产"] = problem_lines
