"""web/render: the page infrastructure sits below every feature (kernel imports only) and keeps the strict CSP."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

from gridgov.web.render import beijing_time, content_security_policy

KERNEL = {
    "gridgov.config",
    "gridgov.basemap",
    "gridgov.errors",
    "gridgov.clock",
    "gridgov.logging",
    "gridgov.actor",
    "gridgov.web.deps",
}


def test_render_imports_only_the_kernel_and_web_deps() -> None:
    source = Path(str(resources.files("gridgov.web").joinpath("render.py"))).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert {m for m in imported if m.startswith("gridgov")} <= KERNEL


def test_strict_policy_no_inline_scripts_no_eval() -> None:
    csp = content_security_policy()
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "connect-src 'self'" in csp
    assert "img-src 'self' data: blob:;" in csp
    assert "img-src 'self' data: blob: https://a.tile.example;" in content_security_policy(["https://a.tile.example"])


def test_times_read_in_beijing() -> None:
    assert beijing_time("2025-10-01T00:00:00+00:00") == "2025-10-01 08:00" and beijing_time(None) == "—"
