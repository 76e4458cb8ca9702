"""`gridgov open311 …`: push the updates owed to remote Open311 endpoints now."""

from __future__ import annotations

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="Open311: 向远端 Open311 端点推送案件更新")
def open311() -> None:
    pass


@open311.command("push", help="立即推送到期的更新 (GRIDGOV_OPEN311_REMOTES); 失败的按退避时间稍后重试")
@db_option
@friendly
def push(database_url: str | None) -> None:
    with opened(database_url) as c:
        if not c.open311_remotes:
            click.echo("未配置远端 (GRIDGOV_OPEN311_REMOTES)")
            return
        report = c.push_open311()
    click.echo(f"已送达 {report.sent} 条, 稍后重试 {report.retried} 条, 放弃 {report.failed} 条")
