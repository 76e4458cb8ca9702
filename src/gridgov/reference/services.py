"""`gridgov init`: migrate, then load categories, the grid tree, units, rules, workers, organisations."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from gridgov.errors import ValidationFailed
from gridgov.grids.domain import GridLevel
from gridgov.logging import get_logger
from gridgov.reference import loader
from gridgov.reference.divisions import CityDivisions, Division, load_city_divisions, village_kind
from gridgov.reference.tree import ZHENGZHOU_COUNTS, build_tree

log = get_logger(__name__)


def read_villages_csv(path: Path) -> tuple[Division, ...]:
    """A city's own 村级 list (columns village_code, village_name, street_code), e.g. an NBS export."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(f"{path}: 文件须为 UTF-8 编码") from None
    reader = csv.DictReader(text.splitlines())
    need = {"village_code", "village_name", "street_code"}
    if not need <= set(reader.fieldnames or ()):
        raise ValidationFailed(f"{path}: 缺少列 {', '.join(sorted(need - set(reader.fieldnames or ())))}")
    out = []
    for lineno, row in enumerate(reader, start=2):
        code, name, parent = row["village_code"].strip(), row["village_name"].strip(), row["street_code"].strip()
        if len(code) != 12 or not code.isdigit() or not code.startswith(parent) or len(parent) != 9 or not name:
            raise ValidationFailed(f"{path} 第 {lineno} 行有误: {code!r} {name!r} {parent!r}", line=lineno)
        out.append(Division(code=code, name=name, parent_code=parent, kind=village_kind(name)))
    return tuple(out)


def initialise(
    sessions: sessionmaker[Session],
    now: datetime,
    divisions: CityDivisions | None = None,
    counts: dict[GridLevel, int] | None = None,
    villages: tuple[Division, ...] = (),
    grid_workers: bool = True,
    version_name: str | None = None,
    include_zones: bool = True,
) -> dict[str, int]:
    """Load reference data in one transaction. Idempotent: a second run adds nothing."""
    divisions = divisions or load_city_divisions()
    nodes = build_tree(divisions, counts or ZHENGZHOU_COUNTS, villages, include_zones)
    summary: dict[str, int] = {}
    with sessions() as session, session.begin():
        summary["categories"] = loader.load_categories(session)
        name = version_name or f"{divisions.city_name} 网格 v1"
        source = divisions.source + (f"; 村级 {len(villages)} 条 (导入)" if villages else "")
        loader.load_tree(session, nodes, name, source, now)
        summary["grids"] = len(nodes)
        summary["units"] = loader.load_units(session, nodes, divisions.city_code, divisions.city_name)
        summary["rules"] = loader.load_rules(session, divisions.city_code)
        summary["grid_workers"] = loader.load_grid_workers(session, nodes, now) if grid_workers else 0
        summary["organisations"] = loader.load_organisations(session, nodes)
    log.info("reference_loaded", **summary)
    return summary


def small_city(divisions: CityDivisions, districts: int = 2, streets_per_district: int = 2) -> CityDivisions:
    """A cut-down copy of a city's divisions (tests and quick demos)."""
    counties = divisions.counties[:districts]
    keep = {c.code for c in counties}
    towns: list[Division] = []
    for c in counties:
        towns += [t for t in divisions.towns if t.parent_code == c.code][:streets_per_district]
    return replace(
        divisions,
        counties=tuple(counties),
        towns=tuple(towns),
        villages=tuple(v for v in divisions.villages if v.parent_code[:6] in keep),
    )
