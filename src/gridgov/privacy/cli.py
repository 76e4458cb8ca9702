"""`gridgov pii erase`: erase a reporter's identity by account or phone (a hotline caller has no account).

Services are imported inside the command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="个人信息 (个人信息保护法)")
def pii() -> None:
    pass


@pii.command("erase", help="删除反映人的身份信息 (按账号或电话); 案件内容和处理记录保留")
@click.option("--user", "username", default=None, help="用户名")
@click.option("--phone", default=None, help="电话号码 (热线来电人)")
@db_option
@friendly
def pii_erase(username: str | None, phone: str | None, database_url: str | None) -> None:
    from gridgov.privacy.services import erase_reporter

    with opened(database_url) as c:
        user_id = None
        if username:
            with c.uow(write=False) as uow:
                found = uow.users.by_username(username)
                if found is None:
                    raise click.UsageError(f"用户不存在: {username}")
                user_id = found.id
        n = erase_reporter(c.uow(), c.clock.now(), user_id=user_id, phone=phone)
    click.echo(f"已删除 {n} 个案件上的反映人姓名与电话")
