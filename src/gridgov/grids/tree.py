"""Build the city's grid tree from its administrative divisions, padded to published counts (pure).

Real divisions keep their official codes: a 乡级 code `410102001` becomes the L1 grid
`410102001000000`, a 村级 code `410102001002` the L2 grid `410102001002000`. Where the source
lacks units (Zhengzhou publishes 213 L1, 3,503 L2 and 19,875 L3 grids; the package has fewer
streets and no communities), grids are generated deterministically and flagged `generated`.
Generated L1 codes use sequence numbers from 901 up, so they never collide with official ones.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from gridgov.grids.divisions import CityDivisions, Division, short_name
from gridgov.grids.domain import GridLevel, pad

# statistical zones that NBS codes but that have no legal boundary (DOMAIN.md); their streets
# appear under legal counties in civil-affairs data, so the tree gives them generated streets
STATISTICAL_ZONES: dict[str, tuple[tuple[str, str], ...]] = {
    "4101": (
        ("410171", "郑州经济技术开发区"),
        ("410172", "郑州高新技术产业开发区"),
        ("410173", "郑州航空港经济综合实验区"),
    ),
}

ZHENGZHOU_COUNTS = {GridLevel.STREET: 213, GridLevel.COMMUNITY: 3503, GridLevel.MICRO: 19875}


@dataclass(frozen=True, slots=True)
class GridNode:
    code: str
    name: str
    level: GridLevel
    parent_code: str | None
    official_code: str | None
    generated: bool
    kind: str = ""


def _spread(total: int, buckets: list[str], weights: dict[str, int]) -> dict[str, int]:
    """Give `total` items to buckets, least-filled first (by current weight), deterministically."""
    out = {b: 0 for b in buckets}
    heap = [(weights.get(b, 0), b) for b in buckets]
    heapq.heapify(heap)
    for _ in range(max(total, 0) if heap else 0):
        filled, b = heapq.heappop(heap)
        out[b] += 1
        heapq.heappush(heap, (filled + 1, b))
    return out


def build_tree(
    divisions: CityDivisions,
    counts: dict[GridLevel, int] | None = None,
    extra_villages: tuple[Division, ...] = (),
    include_zones: bool = True,
) -> list[GridNode]:
    counts = counts or ZHENGZHOU_COUNTS
    city = GridNode(
        pad(divisions.city_code), divisions.city_name, GridLevel.CITY, None, divisions.city_code, False, "city"
    )
    nodes = [city]
    counties = list(divisions.counties)
    known = {c.code for c in counties}
    for code, name in STATISTICAL_ZONES.get(divisions.city_code, ()) if include_zones else ():
        if code not in known:
            counties.append(Division(code=code, name=name, parent_code=divisions.city_code, kind="zone"))
    counties.sort(key=lambda d: d.code)
    for c in counties:
        nodes.append(GridNode(pad(c.code), c.name, GridLevel.DISTRICT, city.code, c.code, False, c.kind))

    # L1: real 乡级 units, then generated ones
    streets: dict[str, list[GridNode]] = defaultdict(list)
    for t in divisions.towns:
        streets[t.parent_code].append(
            GridNode(pad(t.code), t.name, GridLevel.STREET, pad(t.parent_code), t.code, False, t.kind)
        )
    real_streets = sum(len(v) for v in streets.values())
    county_codes = [c.code for c in counties]
    weights = {c: len(streets[c]) for c in county_codes}
    extra = _spread(counts[GridLevel.STREET] - real_streets, county_codes, weights)
    names = {c.code: c.name for c in counties}
    for cc in county_codes:
        for i in range(extra[cc]):
            seq = 901 + i
            streets[cc].append(
                GridNode(
                    pad(f"{cc}{seq:03d}"),
                    f"{names[cc]}网格片区{i + 1:02d}",
                    GridLevel.STREET,
                    pad(cc),
                    None,
                    True,
                    "generated",
                )
            )
    all_streets = [s for cc in county_codes for s in streets[cc]]
    nodes.extend(all_streets)

    # L2: real 村级 units (when a source has them), then generated communities
    villages = tuple(divisions.villages) + tuple(extra_villages)
    street_codes = {s.code[:9] for s in all_streets}
    communities: dict[str, list[GridNode]] = defaultdict(list)
    for v in villages:
        if v.parent_code in street_codes:
            communities[v.parent_code].append(
                GridNode(pad(v.code), v.name, GridLevel.COMMUNITY, pad(v.parent_code), v.code, False, v.kind)
            )
    real_comm = sum(len(v) for v in communities.values())
    s_codes = [s.code[:9] for s in all_streets]
    extra = _spread(counts[GridLevel.COMMUNITY] - real_comm, s_codes, {s: len(communities[s]) for s in s_codes})
    s_names = {s.code[:9]: s.name for s in all_streets}
    for s in s_codes:
        used = {int(n.code[9:12]) for n in communities[s]}
        seq, made = 1, 0
        while made < extra[s]:
            if seq not in used:
                made += 1
                communities[s].append(
                    GridNode(
                        pad(f"{s}{seq:03d}"),
                        f"{short_name(s_names[s])}第{made}社区",
                        GridLevel.COMMUNITY,
                        pad(s),
                        None,
                        True,
                        "generated",
                    )
                )
            seq += 1
            if seq > 999:
                raise ValueError(f"street {s} has no free community numbers")
    all_comm = [c for s in s_codes for c in sorted(communities[s], key=lambda n: n.code)]
    nodes.extend(all_comm)

    # L3: micro-grids, all generated, spread evenly over communities
    c_codes = [c.code[:12] for c in all_comm]
    per = _spread(counts[GridLevel.MICRO], c_codes, {})
    c_names = {c.code[:12]: c.name for c in all_comm}
    for cm in c_codes:
        for i in range(1, per[cm] + 1):
            nodes.append(
                GridNode(
                    f"{cm}{i:03d}", f"{short_name(c_names[cm])}第{i}网格", GridLevel.MICRO, pad(cm), None, True, "micro"
                )
            )
    return nodes
