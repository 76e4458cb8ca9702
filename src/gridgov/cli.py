"""The `gridgov` command: an entry point that only assembles.

Each feature owns its commands in `<feature>/cli.py`, built on `gridgov.clikit`. This module adds them to
`main`, keeps the two commands that are about the process itself (`db`, `serve`), and hands the features
what they may not import (the composition root, the app) as a `clikit.Wiring` in click's context object.
"""

from __future__ import annotations

import os
from typing import Any

import click

from gridgov.accounts import cli as accounts_cli
from gridgov.admin import cli as admin_cli
from gridgov.air import cli as air_cli
from gridgov.callbacks import cli as callbacks_cli  # 督办/催办/回访 (issue 15)
from gridgov.campaigns import cli as campaigns_cli
from gridgov.cases import cli as cases_cli
from gridgov.classify import cli as classify_cli
from gridgov.clikit import Wiring, db_option, settings_for
from gridgov.config import Settings
from gridgov.demo import cli as demo_cli
from gridgov.geo import cli as geo_cli
from gridgov.indicators import cli as indicators_cli
from gridgov.knowledge import cli as knowledge_cli
from gridgov.logging import configure_logging
from gridgov.notify import cli as notify_cli
from gridgov.open311 import cli as open311_cli
from gridgov.privacy import cli as privacy_cli
from gridgov.projects import cli as projects_cli
from gridgov.proposals import cli as proposals_cli
from gridgov.reference import cli as reference_cli
from gridgov.safety import cli as safety_cli
from gridgov.transfers import cli as transfers_cli  # 转办 (issue 17)
from gridgov.units import cli as units_cli


def _build(settings: Settings) -> Any:
    from gridgov.bootstrap import bootstrap  # the database layer loads only for commands that need it

    return bootstrap(settings)


def _load_classifier(path: str | None) -> Any:
    from gridgov.bootstrap import load_classifier

    return load_classifier(path)


def _serve(settings: Settings, scheduler: bool, workers: int = 1) -> None:
    import uvicorn

    from gridgov.app import create_app
    from gridgov.basemap import BasemapError, basemap

    try:  # a basemap that cannot work stops the start with one line, before any process is forked
        basemap(settings)
    except BasemapError as exc:
        click.echo(f"错误 [basemap]: {exc}", err=True)
        raise SystemExit(2) from None
    configure_logging(settings)
    level = settings.log_level.lower()
    if workers > 1:
        # uvicorn's worker model: a supervisor forks N processes that share the socket and each build the app
        # from the environment (gridgov.app:serve_app); a worker that dies is started again by the supervisor
        os.environ.update(
            GRIDGOV_DATABASE_URL=settings.database_url,
            GRIDGOV_HOST=settings.host,
            GRIDGOV_PORT=str(settings.port),
            GRIDGOV_SERVE_BACKGROUND="true" if scheduler else "false",
        )
        uvicorn.run(
            "gridgov.app:serve_app",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_level=level,
        )
        return
    app = create_app(settings, scheduler=scheduler)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=level)


WIRING = Wiring(build=_build, serve=_serve, load_classifier=_load_classifier)


@click.group(help="gridgov 网格化治理平台", context_settings={"obj": WIRING})
def main() -> None:
    pass


@main.group(help="数据库迁移")
def db() -> None:
    pass


@db.command("upgrade", help="迁移到最新版本 (alembic upgrade head)")
@db_option
def db_upgrade(database_url: str | None) -> None:
    from gridgov import migrate

    migrate.upgrade(settings_for(database_url).database_url)
    click.echo("数据库已迁移到最新版本")


@db.command("check", help="检查模型与迁移是否一致 (alembic check)")
@db_option
def db_check(database_url: str | None) -> None:
    from gridgov import migrate

    migrate.check(settings_for(database_url).database_url)
    click.echo("模型与迁移一致")


@main.command(help="启动 HTTP 服务 (内嵌队列时含时限扫描调度; procrastinate 队列时后台工作交给 gridgov worker)")
@db_option
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Web 进程数 (默认 GRIDGOV_WEB_WORKERS)")
@click.option("--no-scheduler", is_flag=True, help="不在服务内运行时限扫描")
def serve(
    database_url: str | None, host: str | None, port: int | None, workers: int | None, no_scheduler: bool
) -> None:
    settings = settings_for(database_url, host=host, port=port)
    _serve(settings, scheduler=not no_scheduler and settings.serve_background, workers=workers or settings.web_workers)


@main.command(help="启动后台工作进程: 时限扫描与升级、智能分派、审计检查点 (PostgreSQL 上经 procrastinate 任务队列)")
@db_option
@click.option("--concurrency", type=click.IntRange(1, 32), default=2, help="同时执行的任务数")
def worker(database_url: str | None, concurrency: int) -> None:
    from gridgov import worker as background
    from gridgov.bootstrap import bootstrap

    settings = settings_for(database_url)
    configure_logging(settings)
    box = bootstrap(settings)
    try:
        if settings.queue_kind == "procrastinate":
            background.run_queue_worker(box, concurrency=concurrency)
        else:  # the in-process shape: the scheduler and the sweep in this process
            background.run_thread_worker(box)
    finally:
        box.close()


@main.group(help="案件类别 (分类体系)")
def categories() -> None:
    pass


@main.group(help="网格: 导入/导出 GeoJSON、版本、网格员分配 (也可写作 gridgov grids)")
def grid() -> None:
    pass


@main.group(help="审计记录: 只有持钥者能延长的日志 (签名检查点、校验、包含证明)")
def audit() -> None:
    pass


main.add_command(grid, name="grids")
main.add_command(reference_cli.init)
main.add_command(demo_cli.demo)
main.add_command(notify_cli.notify)
main.add_command(cases_cli.escalate)
main.add_command(cases_cli.topics)
main.add_command(classify_cli.model)
main.add_command(accounts_cli.user)
main.add_command(accounts_cli.token)
main.add_command(admin_cli.admin)
main.add_command(privacy_cli.pii)
main.add_command(open311_cli.open311)
main.add_command(units_cli.rules)
main.add_command(campaigns_cli.campaigns)
main.add_command(air_cli.air)
main.add_command(indicators_cli.indicators)
main.add_command(projects_cli.projects)
main.add_command(proposals_cli.proposals)
main.add_command(knowledge_cli.knowledge)
main.add_command(callbacks_cli.callbacks)  # 督办/催办/回访 (issue 15)
main.add_command(transfers_cli.transfers)  # 转办 (issue 17)
main.add_command(safety_cli.safety)
categories.add_command(units_cli.categories_import)
grid.add_command(geo_cli.grid_import)
grid.add_command(geo_cli.grid_export)
grid.add_command(geo_cli.grid_activate)
grid.add_command(geo_cli.grid_versions)
grid.add_command(geo_cli.grid_postgis)
grid.add_command(accounts_cli.grid_assign)
audit.add_command(cases_cli.audit_verify)
audit.add_command(cases_cli.audit_keygen)
audit.add_command(cases_cli.audit_checkpoint)
audit.add_command(cases_cli.audit_prove)
audit.add_command(cases_cli.audit_check_proof)
safety_cli.register_audit_check()  # `gridgov audit verify` checks the safety streams' chains too


def _register_rows_check() -> None:
    """`gridgov audit verify` re-derives the 督办, 催办 and 回访 rows from their case events too."""
    from gridgov.callbacks.audit import problems as callback_problems
    from gridgov.cases.audit import FEATURE_CHECKS
    from gridgov.cases.rows_audit import problems

    FEATURE_CHECKS["督办与催办"] = problems
    FEATURE_CHECKS["回访"] = callback_problems


_register_rows_check()


if __name__ == "__main__":
    main()
