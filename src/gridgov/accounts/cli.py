"""`gridgov user …` (add, passwd, unlock), `gridgov token …` and `grid assign`: accounts, sign-in limits,
access tokens and the grids a grid worker answers for (`gridgov.cli` puts the last under the `grid` group).

Services are imported inside each command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="用户")
def user() -> None:
    pass


@user.command("add", help="新增用户")
@click.argument("name")
@click.option(
    "--role", required=True, help="resident|grid_worker|community|street|department|operator|dispatcher|leader|admin"
)
@click.option("--unit", "unit_code", default=None, help="所属单位编码")
@click.option("--display-name", default="")
@db_option
@friendly
def user_add(name: str, role: str, unit_code: str | None, display_name: str, database_url: str | None) -> None:
    from gridgov.accounts.services import add_user

    with opened(database_url) as c:
        uid = add_user(c.uow(), name, role, unit_code, c.clock.now(), display_name)
    click.echo(f"已创建用户 {name} (id {uid})")


@user.command("passwd", help="设置登录密码 (argon2id 存储; 至少 10 位)")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@db_option
@friendly
def user_passwd(name: str, password: str, database_url: str | None) -> None:
    from gridgov.accounts.services import set_password

    with opened(database_url) as c:
        set_password(c.uow(), name, password)
    click.echo(f"已设置 {name} 的密码")


@user.command("unlock", help="解除登录限制: 清除该用户在所有地址的失败计数与等待")
@click.argument("name")
@db_option
@friendly
def user_unlock(name: str, database_url: str | None) -> None:
    from gridgov.accounts.repository import SqlLoginThrottle
    from gridgov.accounts.services import unlock

    with opened(database_url) as c:
        cleared = unlock(c.uow(), SqlLoginThrottle(c.sessions), name)
    click.echo(f"已解除 {name} 的登录限制 ({cleared} 个地址)")


@click.group(help="访问令牌")
def token() -> None:
    pass


@token.command("issue", help="为用户签发令牌 (只显示一次)")
@click.argument("name")
@click.option("--scopes", default="read write", show_default=True, help="read 和/或 write; 只读令牌不能修改数据")
@db_option
@friendly
def token_issue(name: str, scopes: str, database_url: str | None) -> None:
    from gridgov.accounts.services import issue_token

    with opened(database_url) as c:
        click.echo(issue_token(c.uow(), name, c.clock.now(), scopes=scopes))


@token.command("revoke", help="吊销令牌")
@click.argument("value")
@db_option
@friendly
def token_revoke(value: str, database_url: str | None) -> None:
    from gridgov.accounts.services import revoke_token

    with opened(database_url) as c:
        revoke_token(c.uow(), value, c.clock.now())
    click.echo("令牌已吊销")


@click.command("assign", help="为网格员分配网格")
@click.argument("username")
@click.argument("grid_code")
@db_option
@friendly
def grid_assign(username: str, grid_code: str, database_url: str | None) -> None:
    from gridgov.accounts.admin import assign_grid

    with opened(database_url) as c:
        assign_grid(c.uow(), username, grid_code)
    click.echo(f"已将网格 {grid_code} 分配给 {username}")
