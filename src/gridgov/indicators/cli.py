"""`gridgov indicators …`: list the registry and the computed sources, import a file of values, check the
record's hash chains."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="三标指标: 指标目录、计算来源、数值导入、变更记录校验")
def indicators() -> None:
    pass


@indicators.command("list", help="列出指标")
@db_option
def list_indicators(database_url: str | None) -> None:
    from gridgov.indicators.repository import SqlIndicatorsUnitOfWork

    with opened(database_url) as c:
        uow = SqlIndicatorsUnitOfWork(c.uow(write=False))
        with uow:
            rows = [(i.code, i.name, i.level, i.period_kind, i.source_kind) for i in uow.indicators.all()]
    for row in rows:
        click.echo("  ".join(row))
    click.echo(f"共 {len(rows)} 个指标")


@indicators.command("sources", help="各模块登记的计算来源 (JSON)")
def sources() -> None:
    from gridgov.indicators.sources import registry

    found = registry()
    click.echo(
        json.dumps(
            [{"key": k, "name": s.name, "module": found.origins[k]} for k, s in found.items()], ensure_ascii=False
        )
    )


@indicators.command("import", help="导入某指标的数值文件 (单位编码, 期间, 数值); 任一行有误则整个文件不导入")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_values(code: str, path: Path, database_url: str | None) -> None:
    from gridgov.indicators.repository import SqlIndicatorsUnitOfWork
    from gridgov.indicators.services import import_values as run

    with opened(database_url) as c:
        added, replaced = run(
            SqlIndicatorsUnitOfWork(c.uow()), code, path.read_bytes(), path.name, CLI_ACTOR, c.clock.now()
        )
    click.echo(f"已导入 {code}: 新增 {added} 个数值, 替换 {replaced} 个")


@indicators.command("verify", help="校验每个指标和排名方案的变更记录哈希链; 有篡改则以非零码退出")
@db_option
def verify(database_url: str | None) -> None:
    from gridgov.indicators.queries import verify_all

    with opened(database_url) as c, c.sessions() as session:
        report = verify_all(session)
    if report.ok:
        click.echo(f"完整: {report.subjects} 个指标/方案, {report.events} 个事件, 哈希链无断裂")
        return
    for subject, p in report.problems:
        click.echo(f"篡改: {subject} 第 {p.seq} 个事件: {p.problem}", err=True)
    sys.exit(1)
