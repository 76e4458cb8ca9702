"""`gridgov init`: migrate the database and load the reference data (categories, grids, units, rules)."""

from __future__ import annotations

from pathlib import Path

import click

from gridgov.clikit import container, db_option, friendly, settings_for
from gridgov.config import Settings


def load_reference(settings: Settings, villages_csv: Path | None) -> dict[str, int]:
    """Migrate to the latest schema, then load the reference data in one transaction (idempotent)."""
    from gridgov import migrate
    from gridgov.clock import SystemClock
    from gridgov.reference.services import initialise, read_villages_csv

    migrate.upgrade(settings.database_url)
    c = container(settings)
    try:
        villages = read_villages_csv(villages_csv) if villages_csv else ()
        return initialise(c.uow(), SystemClock().now(), villages=villages, grid_workers=True)
    finally:
        c.close()


@click.command(help="迁移数据库并载入参考数据 (类别、郑州网格、单位、权属、网格员)。可重复执行。")
@db_option
@click.option(
    "--villages-csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="本市村级(社区/村)名录 CSV: village_code,village_name,street_code",
)
@friendly
def init(database_url: str | None, villages_csv: Path | None) -> None:
    summary = load_reference(settings_for(database_url), villages_csv)
    click.echo("初始化完成: " + ", ".join(f"{k} +{v}" for k, v in summary.items()))
