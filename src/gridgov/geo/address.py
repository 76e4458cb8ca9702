"""Address text → district / street (L1) / community (L2), with a confidence (pure).

Hotline cases often come with text only: "管城回族区西大街街道", "金水区三全路柳西路附近",
"郑州市金水路105号". :class:`AddressParser` finds the division names of the city's grid tree in
the text and returns the deepest consistent match.

Names and their short forms (aliases):

* county level: the full name (管城回族区), the name with 回族区 → 区 (管城区), and the stem
  without 区/县/市 when it has two characters or more (管城, 金水, 荥阳); statistical zones also
  by their usual short names (经开区, 高新区, 航空港区, 港区);
* L1 (街道/镇/乡): the full name (西大街街道) and the stem (西大街);
* L2 (社区/村): the full name and the display name without 居委会/村委会.

Matching is greedy longest-first over the text, so 管城回族区 wins over 管城. A short name
followed by a road word (路, 街, 大道, 巷 …) is a road, not a division: in "金水路" the 金水 does
not mean 金水区 (it is returned as a low-confidence candidate only).

Confidence (0–1): 0.6 for a district, 0.8 for a street, 0.9 for a community; × 0.85 when found
by a short name; + 0.05 when the parent was named too and agrees; − 0.2 when a named parent
disagrees; × 0.8 when the text goes on with a road, house number or landmark that no division
explains (the address is finer than the match). When the deepest level has several candidates
(e.g. a 镇 name in two counties) the match is their deepest common ancestor, confidence halved,
and the candidates are listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from gridgov.grids.divisions import CityDivisions, short_name
from gridgov.grids.domain import GridLevel, pad

_BASE: Final = {GridLevel.DISTRICT: 0.6, GridLevel.STREET: 0.8, GridLevel.COMMUNITY: 0.9}
_SHORT: Final = 0.85
_ROAD_ALIAS: Final = 0.6  # a short name that itself ends like a road (建设路 for 建设路街道)
_ROAD_NEXT: Final = ("路", "街", "大道", "大街", "道", "巷", "弄", "胡同", "桥", "隧道", "高速", "环")
_FINER: Final = re.compile(r"路|街|大道|巷|弄|胡同|号|附近|交叉口|对面|旁边|旁|小区|广场|大厦|院|楼|门口|口")
_ZONE_ALIASES: Final = (
    ("经济技术开发区", ("经开区", "经济开发区", "经济技术开发区")),
    ("高新技术产业开发区", ("高新区", "高新技术开发区", "高新技术产业开发区", "高新技术产业区")),
    ("航空港", ("航空港区", "航空港", "空港区", "港区", "航空港经济综合实验区")),
)


@dataclass(frozen=True, slots=True)
class AddressCandidate:
    code: str
    name: str
    level: GridLevel
    confidence: float


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """The deepest match. ``code`` is ``None`` when nothing in the text names a division."""

    code: str | None
    name: str
    level: GridLevel | None
    confidence: float
    candidates: tuple[AddressCandidate, ...] = ()
    matched: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    name: str
    level: GridLevel


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    alias: str
    weight: float
    entries: tuple[_Entry, ...]


def _county_aliases(name: str) -> list[tuple[str, float]]:
    out = [(name, 1.0)]
    for marker, aliases in _ZONE_ALIASES:
        if marker in name:
            out += [(a, _SHORT) for a in aliases if a != name]
            return out
    if name.endswith("回族区"):
        out.append((name[: -len("回族区")] + "区", _SHORT))
        out.append((name[: -len("回族区")], _SHORT))
    elif name.endswith(("区", "县", "市")) and len(name) >= 3:
        out.append((name[:-1], _SHORT))
    return out


def _street_aliases(name: str) -> list[tuple[str, float]]:
    out = [(name, 1.0)]
    for suffix in ("街道办事处", "办事处", "街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            out.append((stem, _ROAD_ALIAS if stem.endswith(("路", "街", "道")) and suffix != "镇" else _SHORT))
            break
    return out


def _community_aliases(name: str) -> list[tuple[str, float]]:
    out = [(name, 1.0)]
    short = short_name(name)
    if short != name:
        out.append((short, 1.0))
    return out


def normalise(text: str) -> str:
    """NFKC (full-width digits/letters → ASCII) and no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


class AddressParser:
    """Built once from the grid tree's names (and the divisions'); :meth:`parse` is pure and fast."""

    def __init__(self, entries: Iterable[tuple[str, str, int]], city_name: str = "") -> None:
        self.city_name = city_name
        self.city_code: str | None = None
        self._aliases: dict[str, list[tuple[_Entry, float]]] = defaultdict(list)
        self._by_code: dict[str, _Entry] = {}
        for code, name, level in entries:
            lvl = GridLevel(level)
            if lvl == GridLevel.CITY:
                self.city_code = code
                self.city_name = self.city_name or name
                continue
            if lvl not in _BASE or code in self._by_code:
                continue
            entry = _Entry(code, name, lvl)
            self._by_code[code] = entry
            if lvl == GridLevel.DISTRICT:
                aliases = _county_aliases(name)
            elif lvl == GridLevel.STREET:
                aliases = _street_aliases(name)
            else:
                aliases = _community_aliases(name)
            for alias, weight in aliases:
                if len(alias) >= 2:
                    self._aliases[alias].append((entry, weight))
        self._lengths = sorted({len(a) for a in self._aliases}, reverse=True)

    @classmethod
    def from_tree(cls, nodes: Iterable[object]) -> AddressParser:
        """From ``build_tree(...)`` nodes (anything with ``code``, ``name``, ``level``)."""
        return cls((str(getattr(n, "code")), str(getattr(n, "name")), int(getattr(n, "level"))) for n in nodes)  # noqa: B009

    @classmethod
    def from_divisions(cls, divisions: CityDivisions, nodes: Iterable[object] = ()) -> AddressParser:
        """Official names from the divisions, plus the tree's (generated) names."""
        rows: list[tuple[str, str, int]] = [(pad(divisions.city_code), divisions.city_name, GridLevel.CITY)]
        rows += [(pad(d.code), d.name, GridLevel.DISTRICT) for d in divisions.counties]
        rows += [(pad(d.code), d.name, GridLevel.STREET) for d in divisions.towns]
        rows += [(pad(d.code), d.name, GridLevel.COMMUNITY) for d in divisions.villages]
        rows += [(str(getattr(n, "code")), str(getattr(n, "name")), int(getattr(n, "level"))) for n in nodes]  # noqa: B009
        return cls(rows, divisions.city_name)

    def _hits(self, text: str) -> tuple[list[_Hit], list[_Hit]]:
        found: list[_Hit] = []
        for start in range(len(text)):
            for length in self._lengths:
                alias = text[start : start + length]
                if len(alias) == length and alias in self._aliases:
                    pairs = self._aliases[alias]
                    weight = max(w for _, w in pairs)
                    found.append(_Hit(start, start + length, alias, weight, tuple(e for e, _ in pairs)))
        found.sort(key=lambda h: (-(h.end - h.start), h.start))
        taken: list[_Hit] = []
        roads: list[_Hit] = []
        used = [False] * len(text)
        for h in found:
            if any(used[h.start : h.end]):
                continue
            if h.weight < 1.0 and text.startswith(_ROAD_NEXT, h.end):
                roads.append(h)
                continue
            taken.append(h)
            for k in range(h.start, h.end):
                used[k] = True
        taken.sort(key=lambda h: h.start)
        return taken, roads

    def parse(self, text: str) -> AddressMatch:
        t = normalise(text)
        hits, roads = self._hits(t)
        road_candidates = tuple(AddressCandidate(e.code, e.name, e.level, 0.15) for h in roads for e in h.entries)
        if not hits:
            if self.city_code and self.city_name and (self.city_name in t or self.city_name.rstrip("市") in t):
                return AddressMatch(self.city_code, self.city_name, GridLevel.CITY, 0.1, road_candidates)
            return AddressMatch(None, "", None, 0.0, road_candidates)

        weight: dict[str, float] = {}
        named: set[str] = set()
        for h in hits:
            for e in h.entries:
                weight[e.code] = max(weight.get(e.code, 0.0), h.weight)
                named.add(e.code)

        def prefix(code: str, level: GridLevel) -> str:
            return code[: {GridLevel.DISTRICT: 6, GridLevel.STREET: 9, GridLevel.COMMUNITY: 12}[level]]

        def score(e: _Entry) -> float:
            s = _BASE[e.level] * weight[e.code]
            # statistical zones (code xxxx7x) overlay legal counties: they neither confirm nor contradict
            named_parents = [c for c in named if self._by_code[c].level < e.level and c[4] != "7"]
            agree = [c for c in named_parents if e.code.startswith(prefix(c, self._by_code[c].level))]
            if agree:
                s += 0.05
            elif named_parents:
                s -= 0.2
            return s

        deepest = max(self._by_code[c].level for c in named)
        at_level = [self._by_code[c] for c in sorted(named) if self._by_code[c].level == deepest]
        # prefer entries consistent with the other names in the text
        parents = [c for c in named if self._by_code[c].level < deepest and c[4] != "7"]
        consistent = [e for e in at_level if all(e.code.startswith(prefix(c, self._by_code[c].level)) for c in parents)]
        pool = consistent or at_level
        finer = bool(_FINER.search(self._residue(t, hits)))
        factor = 0.8 if finer else 1.0
        scored = sorted(
            (AddressCandidate(e.code, e.name, e.level, round(max(0.0, min(1.0, score(e) * factor)), 3)) for e in pool),
            key=lambda c: (-c.confidence, c.code),
        )
        matched = tuple(h.alias for h in hits)
        if len(scored) == 1:
            best = scored[0]
            return AddressMatch(best.code, best.name, best.level, best.confidence, (), matched)
        common = self._common_ancestor([c.code for c in scored])
        conf = round(scored[0].confidence / 2, 3)
        if common is None:
            return AddressMatch(None, "", None, conf, tuple(scored), matched)
        return AddressMatch(common.code, common.name, common.level, conf, tuple(scored), matched)

    @staticmethod
    def _residue(text: str, hits: list[_Hit]) -> str:
        keep = [True] * len(text)
        for h in hits:
            for k in range(h.start, h.end):
                keep[k] = False
        return "".join(ch for ch, k in zip(text, keep, strict=True) if k)

    def _common_ancestor(self, codes: list[str]) -> _Entry | None:
        for level, length in ((GridLevel.COMMUNITY, 12), (GridLevel.STREET, 9), (GridLevel.DISTRICT, 6)):
            prefixes = {c[:length] for c in codes}
            if len(prefixes) == 1:
                entry = self._by_code.get(pad(prefixes.pop()))
                if entry is not None and entry.level == level:
                    return entry
        return None
