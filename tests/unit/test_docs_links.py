"""Every link and anchor between the README, CONTRIBUTING and docs/ resolves (docs/check_links.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_docs_link_resolves() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "check_links.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
