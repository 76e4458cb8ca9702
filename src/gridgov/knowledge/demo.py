"""The demo's knowledge base: 41 articles written for gridgov (data/demo_articles.csv, no copied texts; the
answers are demonstration wording, each marked 演示口径), owned by the city's departments, published; one of
them past its end date (never suggested); and the synonym groups callers' words need."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib.resources import files

from gridgov.actor import Actor, Role
from gridgov.knowledge.excel import read_articles
from gridgov.knowledge.ports import KnowledgeUnitOfWork
from gridgov.knowledge.services import add_synonyms, import_articles

DEMO_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("社保卡", "社会保障卡", "市民卡"),
    ("公积金", "住房公积金"),
    ("暖气", "供暖", "供热", "取暖"),
    ("燃气", "天然气", "煤气"),
    ("噪音", "噪声", "吵"),
    ("居住证", "暂住证"),
    ("低保", "最低生活保障"),
    ("失业金", "失业保险金"),
    ("违章", "违法"),
    ("路灯", "灯"),
    ("井盖", "下水道盖", "窨井盖"),
)

ADMIN = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="demo")


def demo_file() -> bytes:
    return files("gridgov.knowledge").joinpath("data/demo_articles.csv").read_bytes()


def demo_rows(unit_code: Callable[[str], str]) -> bytes:
    """The demo file with each department key (rs, ga, …) replaced by the unit code `unit_code` gives it."""
    text = demo_file().decode("utf-8")
    rows = list(csv.reader(text.splitlines()))
    col = rows[0].index("责任部门")
    for r in rows[1:]:
        r[col] = unit_code(r[col])
    out: list[str] = []
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    out.append(buf.getvalue())
    return "".join(out).encode("utf-8")


def seed_knowledge(
    uow: Callable[[], KnowledgeUnitOfWork],
    unit_code: Callable[[str], str],
    now: datetime,
    synonyms: Sequence[Sequence[str]] = DEMO_SYNONYMS,
) -> int:
    """Import and publish the demo articles and add the synonym groups. Returns the number of articles."""
    drafts, problems = read_articles(demo_rows(unit_code), "demo_articles.csv")
    ids = import_articles(uow(), drafts, ADMIN, now, problems, publish=True)
    for group in synonyms:
        add_synonyms(uow(), list(group), ADMIN, now)
    return len(ids)
