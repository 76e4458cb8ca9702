"""`gridgov callbacks sweep`: put the closed cases into the 回访 queue (the worker does it on each deadline scan)."""

from __future__ import annotations

import click

from gridgov.callbacks.services import CallbackPolicy
from gridgov.clikit import db_option, friendly, opened, parse_now
from gridgov.config import Settings


def callback_policy(s: Settings) -> CallbackPolicy:
    return CallbackPolicy.of(s.callback_due_working_days, s.callback_sample_default, s.callback_sample_rates)


@click.group(help="回访: 结案案件进入回访队列")
def callbacks() -> None:
    pass


@callbacks.command("sweep", help="把尚未进入回访队列的结案案件放入队列 (按类别抽样, 无联系方式的跳过)")
@db_option
@click.option("--now", "now_text", default=None, help="以此时刻为当前时间 (ISO 8601, 带时区)")
@friendly
def sweep(database_url: str | None, now_text: str | None) -> None:
    from gridgov.callbacks.repository import SqlCallbacksUnitOfWork
    from gridgov.callbacks.services import sweep_closed

    with opened(database_url) as c:
        report = sweep_closed(
            SqlCallbacksUnitOfWork(c.uow()),
            parse_now(now_text) or c.clock.now(),
            c.calendar,
            callback_policy(c.settings),
        )
    click.echo(f"进入回访队列 {report.queued} 件, 跳过 (未抽中或无联系方式) {report.skipped} 件")
