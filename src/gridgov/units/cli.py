"""`gridgov rules …` (the responsibility table) and `categories import`: the commands whose services live in
`gridgov.units.admin`. `gridgov.cli` puts the last one under the `categories` group.

Services are imported inside each command, so `gridgov --help` does not load the database layer."""

from __future__ import annotations

from pathlib import Path

import click

from gridgov.clikit import db_option, friendly, opened


@click.group(help="权属表 (类别 × 网格 → 责任单位)")
def rules() -> None:
    pass


@rules.command("list", help="列出权属规则")
@click.option("--category", default=None, help="类别编码 ('' 为任意类别)")
@click.option("--grid", default=None, help="15位网格编码")
@db_option
@friendly
def rules_list(category: str | None, grid: str | None, database_url: str | None) -> None:
    from gridgov.units.admin import list_rules

    with opened(database_url) as c:
        for r in list_rules(c.uow(write=False), category, grid):
            who = f"{r.unit_code} {r.unit_name}" if r.unit_code else ""
            click.echo(f"{r.category_code or '*':<8} {r.grid_prefix:<15} {r.target:<16} {who} {r.note}")


@rules.command("set", help="新增或替换一条规则: 最具体的规则优先 (先比网格层级，再比类别层级)")
@click.option("--category", required=True, help="类别编码 ('' 为任意类别)")
@click.option("--grid", required=True, help="15位网格编码, 规则覆盖其所有下级")
@click.option("--target", default="unit", show_default=True, help="unit|street|community|district_bureau")
@click.option("--unit", "unit_code", default=None, help="责任单位编码 (target 为 unit/district_bureau 时)")
@click.option("--note", default="")
@db_option
@friendly
def rules_set(
    category: str, grid: str, target: str, unit_code: str | None, note: str, database_url: str | None
) -> None:
    from gridgov.units.admin import set_rule

    with opened(database_url) as c:
        rule_id = set_rule(c.uow(), category, grid, target, unit_code, note)
    click.echo(f"权属规则已保存 (id {rule_id})")


@rules.command("delete", help="删除一条规则")
@click.option("--category", required=True)
@click.option("--grid", required=True)
@db_option
@friendly
def rules_delete(category: str, grid: str, database_url: str | None) -> None:
    from gridgov.units.admin import delete_rule

    with opened(database_url) as c:
        delete_rule(c.uow(), category, grid)
    click.echo("权属规则已删除")


@rules.command("resolve", help="查询某类别、某网格的责任单位")
@click.option("--category", required=True)
@click.option("--grid", required=True)
@db_option
@friendly
def rules_resolve(category: str, grid: str, database_url: str | None) -> None:
    from gridgov.units.services import responsible_unit

    with opened(database_url) as c:
        uow = c.uow(write=False)
        with uow:
            unit = responsible_unit(uow, category, grid)
            click.echo(f"{unit.code} {unit.name}")


@click.command(
    "import",
    help="从 CSV 导入/更新分类体系 (格式同 src/gridgov/categories/data/*.csv; UTF-8 或 GBK/GB18030): "
    "编码无法识别、多余的列、列数不符、未知部门等任何一行错误都整文件不写入, 并指出行号",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--taxonomy", required=True, help="分类体系名, 例如 dcg 或 hotline12345")
@db_option
@friendly
def categories_import(path: Path, taxonomy: str, database_url: str | None) -> None:
    from gridgov.units.admin import import_categories

    with opened(database_url) as c:
        added, updated = import_categories(c.uow(), path, taxonomy)
    click.echo(f"类别已导入: 新增 {added}, 更新 {updated}")
