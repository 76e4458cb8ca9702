"""The computed sources: found at start-up in each feature's own `gridgov/<feature>/indicators.py` (its
`SOURCES` tuple of `gridgov.indicator_sources.ComputedSource`), so that adding a source touches only the
feature that computes it and this package names no feature."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from gridgov.indicator_sources import ComputedSource

MODULE = "indicators"  # the module name a feature gives its sources


@dataclass(frozen=True)
class SourceRegistry(Mapping[str, ComputedSource]):
    """key → source, and the module each came from."""

    sources: Mapping[str, ComputedSource]
    origins: Mapping[str, str]

    def __getitem__(self, key: str) -> ComputedSource:
        return self.sources[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)


def feature_modules(package: ModuleType) -> Iterator[ModuleType]:
    """Each direct sub-package's `indicators` module (this feature itself excluded)."""
    own = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not info.ispkg or info.name == own:
            continue
        name = f"{info.name}.{MODULE}"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def discover(package: ModuleType | None = None) -> SourceRegistry:
    """Every feature's sources. A key must start with its feature's name and appear once."""
    if package is None:
        package = importlib.import_module(__name__.split(".", 1)[0])
    sources: dict[str, ComputedSource] = {}
    origins: dict[str, str] = {}
    for module in feature_modules(package):
        feature = module.__name__.rsplit(".", 2)[-2]
        for source in getattr(module, "SOURCES", ()):
            if not isinstance(source, ComputedSource):
                raise TypeError(f"{module.__name__}.SOURCES holds {source!r}, not a ComputedSource")
            if not source.key.startswith(feature + "."):
                raise ValueError(f"{module.__name__}: source key {source.key!r} must start with {feature!r}.")
            if source.key in sources:
                raise ValueError(f"source {source.key!r} declared twice ({origins[source.key]}, {module.__name__})")
            sources[source.key] = source
            origins[source.key] = module.__name__
    return SourceRegistry(sources, origins)


@cache
def registry() -> SourceRegistry:
    """The sources of the installed features, discovered once per process."""
    return discover()
