"""`gridgov notify …`: run the delivery worker, deliver what is due once, show the outbox's counts, check rules."""

from __future__ import annotations

import signal
import threading

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="通知: 投递发件箱中的短信/邮件/微信消息、查看状态、检查规则")
def notify() -> None:
    pass


def _delivery(c: object) -> object:
    from gridgov.notify.runner import Delivery
    from gridgov.notify.setup import policy

    s = c.settings  # type: ignore[attr-defined]
    return Delivery(
        c.uow,  # type: ignore[attr-defined]
        c.notify_senders,  # type: ignore[attr-defined]
        c.clock.now,  # type: ignore[attr-defined]
        policy(s),
        batch=s.notify_batch,
        lease_seconds=s.notify_lease_seconds,
        concurrency=s.notify_concurrency,
    )


@notify.command("deliver", help="投递一次到期的消息 (批量, 直到没有到期消息)")
@db_option
@friendly
def deliver(database_url: str | None) -> None:
    with opened(database_url) as c:
        report = _delivery(c).run_once()  # type: ignore[attr-defined]
    click.echo(
        f"取出 {report.claimed}  已发送 {report.sent}  已送达 {report.delivered}  "
        f"待重试 {report.retried}  失败 {report.failed}  查询补记 {report.looked_up}"
    )


@notify.command("worker", help="持续投递 (SIGTERM/Ctrl-C 停止); 被杀死后重启即可, 租约到期的消息会先向网关查询")
@click.option("--idle-exit", type=float, default=None, help="连续空闲这么多秒后退出 (测试与压测用)")
@db_option
@friendly
def worker(idle_exit: float | None, database_url: str | None) -> None:
    from gridgov.notify.runner import Delivery, run_loop

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with opened(database_url) as c:
        delivery = _delivery(c)
        assert isinstance(delivery, Delivery)
        try:
            total = run_loop(delivery, min(c.settings.notify_poll_seconds, 0.5 if idle_exit else 60), stop, idle_exit)
        except KeyboardInterrupt:
            total = 0
    click.echo(f"投递结束: 取出 {total} 条")


@notify.command("status", help="发件箱各状态的消息数")
@db_option
@friendly
def status(database_url: str | None) -> None:
    from gridgov.notify.domain import MessageStatus
    from gridgov.notify.repository import SqlNotifyUnitOfWork

    with opened(database_url) as c:
        uow = SqlNotifyUnitOfWork(c.uow(write=False))
        with uow:
            counts = uow.messages.counts()
    for s in MessageStatus:
        click.echo(f"{s.label}\t{counts.get(s.value, 0)}")


@notify.command("contacts", help="导入工作人员的通知方式 (CSV 或 Excel: username,sms,email; 空格不改; 有错不导入)")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option
@friendly
def contacts(path: str, database_url: str | None) -> None:
    from gridgov.notify.repository import SqlNotifyUnitOfWork
    from gridgov.notify.services import import_staff_contacts

    rows = _contact_rows(path)
    with opened(database_url) as c:
        n = import_staff_contacts(SqlNotifyUnitOfWork(c.uow()), rows, c.clock.now())
    click.echo(f"已导入 {len(rows)} 人的 {n} 个通知方式")


def _contact_rows(path: str) -> list[tuple[int, str, str, str]]:
    from pathlib import Path

    from gridgov.errors import ValidationFailed
    from gridgov.tabular import TableUnreadable, read_table

    try:
        table = read_table(Path(path).read_bytes(), path)
        if table.header != ["username", "sms", "email"]:
            raise ValidationFailed(f"第 1 行: 表头须为 username,sms,email, 实为 {','.join(table.header)}")
        rows = []
        for line, cells in table.rows:
            if len(cells) != 3:
                raise ValidationFailed(f"第 {line} 行: 须为 3 列, 实为 {len(cells)} 列")
            rows.append((line, cells[0], cells[1], cells[2]))
    except TableUnreadable as exc:
        raise ValidationFailed(str(exc)) from None
    if not rows:
        raise ValidationFailed("文件中没有数据行")
    return rows


@notify.command("digest", help="写今天的关注汇总 (每位关注者每天一条; 重复运行不会重复写)")
@db_option
@friendly
def digest(database_url: str | None) -> None:
    from gridgov.notify.follows import send_digests
    from gridgov.notify.setup import links

    with opened(database_url) as c:
        written = send_digests(c.sessions, links(c.settings), c.clock.now())
    click.echo(f"关注汇总: 写入 {written} 条")


@notify.command("check-rules", help="检查规则与模板 (默认: 随附的; 或 GRIDGOV_NOTIFY_RULES_DIR)")
@click.argument("directory", required=False)
@friendly
def check_rules(directory: str | None) -> None:
    from gridgov.notify.rules import load

    book = load(directory)
    click.echo(f"规则 {len(book.rules)} 条, 模板 {len(book.templates)} 个")
