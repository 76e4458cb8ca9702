"""Every relative link in README.md, CONTRIBUTING.md and docs/**/*.md must resolve, #anchors included.

    python3 docs/check_links.py          # exits 1 and names each broken link

Anchors are GitHub's heading slugs: lower case, punctuation dropped (CJK kept), spaces as hyphens.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)


def slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else f"{s}-{n}")
    return found


def broken(root: Path) -> list[str]:
    problems = []
    files = [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").rglob("*.md"))]
    for f in files:
        for target in LINK.findall(FENCE.sub("", f.read_text(encoding="utf-8"))):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, frag = target.partition("#")
            dest = (f.parent / path).resolve() if path else f
            where = f.relative_to(root)
            if not dest.exists():
                problems.append(f"{where}: no such file: {target}")
            elif frag and (dest.suffix != ".md" or frag not in anchors(dest)):
                problems.append(f"{where}: no such heading: {target}")
    return problems


if __name__ == "__main__":
    bad = broken(ROOT)
    sys.stdout.write("".join(line + "\n" for line in bad) or "all links resolve\n")
    sys.exit(1 if bad else 0)
