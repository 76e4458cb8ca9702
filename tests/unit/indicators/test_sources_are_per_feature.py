"""Adding a computed source touches only the feature that computes it: the registry is filled from each
feature's own `indicators.py`, found at start-up, and no other file names a source or a feature."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import gridgov
from gridgov.indicators.sources import discover, registry

SRC = Path(gridgov.__file__).resolve().parent


def test_every_source_comes_from_its_own_features_module() -> None:
    found = registry()
    assert {"metrics.on_time_close_rate", "metrics.close_rate", "air.composite_index"} <= set(found)
    for key, origin in found.origins.items():
        feature = key.split(".", 1)[0]
        assert origin == f"gridgov.{feature}.indicators", (key, origin)


def test_a_new_features_module_is_found_without_editing_anything_else(tmp_path: Path) -> None:
    """A package laid out like gridgov with one new feature: discovery finds its source from its module alone."""
    root = tmp_path / "newcity"
    (root / "hazards").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "hazards" / "__init__.py").write_text("")
    (root / "hazards" / "indicators.py").write_text(
        "from gridgov.indicator_sources import ComputedSource, Direction, Level, PeriodKind\n"
        "SOURCES = (ComputedSource('hazards.fix_rate', '隐患整改率', '%', Direction.HIGHER,\n"
        "    frozenset({Level.STREET}), frozenset(PeriodKind), lambda request: {'410102001': 97.0}),)\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import newcity  # type: ignore[import-not-found]

        found = discover(newcity)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "newcity" or m.startswith("newcity.")]:
            del sys.modules[name]
    assert list(found) == ["hazards.fix_rate"] and found.origins["hazards.fix_rate"] == "newcity.hazards.indicators"


def test_a_source_key_must_carry_its_features_name(tmp_path: Path) -> None:
    root = tmp_path / "badcity"
    (root / "hazards").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "hazards" / "__init__.py").write_text("")
    (root / "hazards" / "indicators.py").write_text(
        "from gridgov.indicator_sources import ComputedSource, Direction, Level, PeriodKind\n"
        "SOURCES = (ComputedSource('cases.fix_rate', 'x', '%', Direction.HIGHER,\n"
        "    frozenset({Level.STREET}), frozenset(PeriodKind), lambda request: {}),)\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import badcity  # type: ignore[import-not-found]

        with pytest.raises(ValueError, match="must start with 'hazards'"):
            discover(badcity)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "badcity" or m.startswith("badcity.")]:
            del sys.modules[name]


def _python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_no_file_but_the_features_own_module_names_a_source() -> None:
    """A `git grep` for each source key over the package: it is written only in its feature's indicators.py."""
    for key, origin in registry().origins.items():
        home = SRC.joinpath(*origin.split(".")[1:]).with_suffix(".py")
        name = key.split(".", 1)[1]
        pattern = re.compile(rf"[\"']{re.escape(key)}[\"']|_source\(\s*[\"']{re.escape(name)}[\"']")
        where = [p.relative_to(SRC) for p in _python_files() if pattern.search(p.read_text("utf-8"))]
        assert where == [home.relative_to(SRC)], f"{key} is written in {where}"


def test_the_indicators_package_names_no_feature() -> None:
    """The registry, its services and pages import the kernel, web and units only: no feature it reads from."""
    features = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {
        "indicators",
        "units",
        "web",
        "audit",
        "migrations",
    }
    pattern = re.compile(r"^\s*(?:from|import)\s+gridgov\.(\w+)", re.MULTILINE)
    for path in (SRC / "indicators").rglob("*.py"):
        named = set(pattern.findall(path.read_text("utf-8"))) & features
        assert not named, f"{path.relative_to(SRC)} imports {sorted(named)}"
