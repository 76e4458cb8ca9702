"""`gridgov projects …`: import the list as the 发改委 keeps it (all or nothing, every bad line named), check the
projects' record against the city's log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="三个一批: 导入项目清单、校验项目记录")
def projects() -> None:
    pass


@projects.command("import", help="导入发改委项目清单 (.xlsx; 金额单位亿元); 任一行有误则整个清单不导入, 并指明行号")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_list(path: Path, database_url: str | None) -> None:
    from gridgov.projects.domain import ImportRefused
    from gridgov.projects.excel import read_project_list
    from gridgov.projects.repository import SqlProjectsUnitOfWork
    from gridgov.projects.services import import_projects

    drafts, problems = read_project_list(path.read_bytes(), path.name)
    with opened(database_url) as c:
        try:
            count = import_projects(
                SqlProjectsUnitOfWork(c.uow()), drafts, CLI_ACTOR, c.clock.now(), locator=c.locator(), problems=problems
            )
        except ImportRefused as refused:
            for e in refused.details.get("errors", []):
                where = f"第 {e['line']} 行: " if e.get("line") else ""
                click.echo(f"错误: {path.name} {where}{e['message']}", err=True)
            click.echo("清单有误，未导入任何项目", err=True)
            sys.exit(2)
    click.echo(f"已导入 {count} 个项目")


@projects.command("verify", help="校验项目的事件链, 以及每个事件都在全市日志中")
@db_option
@friendly
def verify(database_url: str | None) -> None:
    from gridgov.projects.audit import verify_projects

    with opened(database_url) as c, c.sessions() as session:
        report = verify_projects(session)
    for p in report.problems:
        where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
        click.echo(f"篡改: 项目 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(f"完整: {report.subjects} 个项目, {report.events} 个事件, 全市日志中 {report.leaves} 片叶子与之相符")
