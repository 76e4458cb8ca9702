"""The package-level import graph has no cycle. Every import counts, including one inside a function body:
a cycle hidden behind a lazy import is still a cycle (import-linter's layers contract holds the order)."""

from __future__ import annotations

import grimp

ROOT = "gridgov"


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph(ROOT, include_external_packages=False)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if module == ROOT:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = _package(module), _package(imported)
            if imported != ROOT and a != b:
                edges.setdefault(a, set()).add(b)
            edges.setdefault(b, set())
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_cycle_between_packages() -> None:
    edges = package_edges()
    assert "gridgov.cases" in edges and "gridgov.web" in edges["gridgov.cases"]  # the graph really was read
    found = cycles(edges)
    detail = {p: sorted(edges[p] & set(c)) for c in found for p in c}
    assert not found, f"package cycles: {found}; edges inside them: {detail}"


def test_web_layer_and_kernel_import_no_feature() -> None:
    edges = package_edges()
    kernel = {
        "actor",
        "audit",
        "basemap",
        "clock",
        "config",
        "errors",
        "ratelimit",
        "refcache",
        "signing",
        "transaction",
    }
    below_features = {f"{ROOT}.{k}" for k in kernel | {"web", "db", "logging", "validation", "clikit"}}
    for package in below_features & set(edges):
        assert edges[package] <= below_features, f"{package} imports {sorted(edges[package] - below_features)}"
