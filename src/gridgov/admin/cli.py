"""`gridgov admin verify`: the admin record's chains and their leaves in the city's log."""

from __future__ import annotations

import sys

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="系统管理")
def admin() -> None:
    pass


@admin.command("verify", help="校验管理操作的事件链, 以及每个事件都在全市日志中")
@db_option
@friendly
def verify(database_url: str | None) -> None:
    from gridgov.admin.audit import verify_admin

    with opened(database_url) as c, c.sessions() as session:
        report = verify_admin(session)
    for p in report.problems:
        where = f"事件 id={p.event_id}" if p.event_id is not None else "链尾"
        click.echo(f"篡改: 管理对象 {p.case_id} 第 {p.seq} 个事件 ({where}): {p.problem}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(f"完整: {report.subjects} 个管理对象, {report.events} 个事件, 全市日志中 {report.leaves} 片叶子与之相符")
