"""`gridgov grid import|export|activate|versions`: grid files and versions (the services live in `geo`).
`gridgov.cli` puts them, with `units.cli.grid_assign`, under the `grid` group.

Services are imported inside each command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gridgov.clikit import container, db_option, friendly, opened, settings_for
from gridgov.errors import GridgovError


@click.command("import", help="导入 GeoJSON 网格文件为新版本 (整体校验, 有问题则列出全部问题且不写入)")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="版本名 (默认: 文件名)")
@click.option("--activate", is_flag=True, help="导入后立即启用 (原子切换)")
@db_option
def grid_import(path: Path, name: str | None, activate: bool, database_url: str | None) -> None:
    from gridgov.geo.ports import GridFileInvalid
    from gridgov.geo.postgis import geometry_count
    from gridgov.geo.services import import_grid_file

    c = container(settings_for(database_url))
    try:
        version_id, counts = import_grid_file(c.sessions, path.read_bytes(), name or path.name, c.clock.now(), activate)
    except GridFileInvalid as exc:
        click.echo(f"网格文件被拒绝, 共 {len(exc.problems)} 个问题 (数据库未改动):", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(2)
    except GridgovError as exc:
        click.echo(f"错误 [{exc.code}]: {exc.message}", err=True)
        sys.exit(2)
    else:
        with c.sessions() as s:
            geometry = geometry_count(s, version_id)
    finally:
        c.close()
    levels = ", ".join(f"L{lv}:{n}" for lv, n in sorted(counts.items()))
    click.echo(f"已导入网格版本 {version_id} ({levels}){', 已启用' if activate else ''}")
    if geometry is not None:
        click.echo(f"PostGIS 几何列 grids.geom 已写入 {geometry} 个网格 (GiST 索引)")


@click.command("export", help="导出网格版本为 GeoJSON (默认: 启用的版本)")
@click.option("--version", "version_id", type=int, default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@db_option
@friendly
def grid_export(version_id: int | None, output: Path | None, database_url: str | None) -> None:
    from gridgov.geo.services import export_grid_file

    with opened(database_url) as c:
        text = export_grid_file(c.sessions, version_id)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, "utf-8")
        click.echo(f"已写入 {output}")


@click.command("activate", help="启用某个网格版本")
@click.argument("version_id", type=int)
@db_option
@friendly
def grid_activate(version_id: int, database_url: str | None) -> None:
    from gridgov.geo.services import activate_version

    with opened(database_url) as c:
        activate_version(c.sessions, version_id, c.clock.now())
    click.echo(f"网格版本 {version_id} 已启用")


@click.command("versions", help="列出网格版本")
@db_option
def grid_versions(database_url: str | None) -> None:
    from gridgov.geo.services import list_versions

    with opened(database_url) as c:
        for v in list_versions(c.sessions):
            click.echo(f"{v['id']:>4} {'*' if v['active'] else ' '} {v['name']}  ({v['source']})")


@click.command("postgis", help="补建 PostGIS 几何列与 GiST 索引 (迁移后才 CREATE EXTENSION postgis 时; 可重复执行)")
@db_option
@friendly
def grid_postgis(database_url: str | None) -> None:
    from sqlalchemy import text

    from gridgov.geo.postgis import add_geometry, postgis_state

    with opened(database_url) as c, c.sessions() as s, s.begin():
        if not add_geometry(s):
            click.echo(f"未改动: {postgis_state(s)}", err=True)
            sys.exit(2)
        counts = s.execute(text("SELECT count(*) FROM grids WHERE geom IS NOT NULL")).scalar_one()
    click.echo(f"PostGIS 几何列与索引已就绪 ({counts} 个网格有几何)")
