"""The page scripts keep no copy of the rules: no status code, status label or role name is written in them.
Labels, status lists and who may do what come from the server (the domain modules), once."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from gridgov.actor import ROLE_LABELS, Role
from gridgov.campaigns.domain import STATUS_LABELS as SUGGESTION_LABELS
from gridgov.campaigns.domain import SuggestionStatus
from gridgov.cases.domain import STATUS_LABELS, CaseStatus

SCRIPTS = sorted(Path(str(resources.files("gridgov.web").joinpath("static", "js"))).glob("*.js"))  # not vendor/
CODES = {s.value for s in CaseStatus} | {s.value for s in SuggestionStatus} | {r.value for r in Role}
LABELS = set(STATUS_LABELS.values()) | set(SUGGESTION_LABELS.values()) | set(ROLE_LABELS.values())


def quoted(source: str) -> set[str]:
    """Every string literal of a script, as written, and the parts of a comma-separated one ("a,b")."""
    literals = {m.group(2) for m in re.finditer(r"([\"'`])((?:(?!\1)[^\\\n]|\\.)*)\1", source)}
    return literals | {part for text in literals for part in text.split(",")}


def test_there_are_scripts_to_check() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"common.js", "queue.js", "campaigns.js"} <= names and not any("min" in n for n in names)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_status_code_label_or_role_in_a_script(script: Path) -> None:
    found = quoted(script.read_text(encoding="utf-8"))
    assert not found & CODES, f"{script.name} names statuses or roles: {sorted(found & CODES)}"
    assert not found & LABELS, f"{script.name} keeps its own labels: {sorted(found & LABELS)}"


def test_the_check_sees_the_old_copies() -> None:
    """What the check catches: the lists the scripts used to keep."""
    old = """const closed = ["closed", "evaluated", "rejected", "merged"].includes(c.status);
    const canWrite = ["operator", "dispatcher", "admin"].includes(role);
    const TASK = { closed: '已结案' };
    form.status.value = state.review ? "open" : "reported,registered,returned,reopened";"""
    found = quoted(old)
    assert {"merged", "dispatcher", "closed", "reopened"} <= found & CODES and "已结案" in found & LABELS
