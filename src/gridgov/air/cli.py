"""`gridgov air …`: import the station list, hourly station data and the key cities' list; print an area's
composite index. A file with a bad line is refused whole: exit code 2 and every bad line on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.actor import Actor, Role
from gridgov.clikit import db_option, friendly, opened

CLI_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="cli")


@click.group(help="空气质量: 导入点位、小时数据与重点城市排名, 查看综合指数")
def air() -> None:
    pass


def _run_import(kind: str, path: Path, database_url: str | None, period: str | None = None) -> None:
    from gridgov.air import services
    from gridgov.air.files import AirFileRejected
    from gridgov.air.repository import SqlAirUnitOfWork
    from gridgov.indicator_sources import Period

    raw = path.read_bytes()
    with opened(database_url) as c:
        uow = SqlAirUnitOfWork(c.uow())
        now = c.clock.now()
        try:
            if kind == "hourly":
                result = services.import_hourly(uow, raw, path.name, CLI_ACTOR, now)
            elif kind == "stations":
                result = services.import_stations(uow, raw, path.name, CLI_ACTOR, now)
            else:
                result = services.import_city_indices(uow, raw, path.name, Period.parse(period or ""), CLI_ACTOR, now)
        except AirFileRejected as exc:
            for p in exc.problems:
                click.echo(f"{path.name} {p.text()}", err=True)
            click.echo(f"错误 [{exc.code}]: {exc.message}", err=True)
            sys.exit(2)
    if kind == "hourly":
        click.echo(
            f"已导入 {result.rows} 条小时数据 ({result.stations} 个点位, {result.first_day} 至 {result.last_day}), "
            f"重算 {result.days} 个区域日"
        )
    elif kind == "stations":
        click.echo(f"已导入 {result.rows} 个点位 (新增 {result.added}, 更新 {result.updated})")
    else:
        click.echo(f"已导入 {result.period} 的 {result.rows} 个城市综合指数")


@air.command("import", help="导入点位小时数据 (CSV 或 Excel); 任一行有误则整个文件不导入, 并列出出错的行")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_hours(path: Path, database_url: str | None) -> None:
    _run_import("hourly", path, database_url)


@air.command("stations", help="导入监测点位表 (点位编码, 点位名称, 区县代码)")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def import_stations(path: Path, database_url: str | None) -> None:
    _run_import("stations", path, database_url)


@air.command("cities", help="导入某期间重点城市综合指数名单 (城市, 综合指数)")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", required=True, help="期间: YYYY-MM, YYYYQn 或 YYYY")
@db_option
@friendly
def import_cities(path: Path, period: str, database_url: str | None) -> None:
    from gridgov.indicator_sources import Period

    try:
        Period.parse(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    _run_import("cities", path, database_url, period)


@air.command("composite", help="某区域的综合指数及同比变化 (区域默认本市)")
@click.option("--period", required=True, help="期间: YYYY-MM, YYYYQn 或 YYYY (年初至今)")
@click.option("--area", default=None, help="区县代码 (默认本市)")
@db_option
@friendly
def composite(period: str, area: str | None, database_url: str | None) -> None:
    from gridgov.air import services
    from gridgov.air.repository import SqlAirUnitOfWork
    from gridgov.indicator_sources import Period

    with opened(database_url) as c:
        area_code = area or c.settings.city_code
        report = services.composite_report(SqlAirUnitOfWork(c.uow(write=False)), area_code, Period.parse(period))
    parts = " + ".join(
        f"{report.composite.concentrations[k]}/{k}"
        for k in report.composite.parts
        if report.composite.concentrations.get(k) is not None
    )
    click.echo(f"{area_code} {report.period.title} ({report.first} 至 {report.last}, {report.composite.days} 天)")
    click.echo(f"综合指数 {report.composite.index} ({parts}); {report.change_text}")
