"""Hand checks that stand in for labels nobody has: the weak labels' precision, the second level's accuracy.

No labelled message of ``labeled_train.csv`` appears in 附件4 (no id and no subject line in common), so the
weak labels cannot be scored against the given labels. Instead a sample of 80 weakly labelled messages
(``random.Random(7).sample``) was read by an engineer, subject and body, and judged right, wrong or unsure
against the TipDM first-level taxonomy: ``data/weak_handcheck.csv``. Likewise 60 labelled messages
(``random.Random(19).sample``) got a 12345 second-level code by hand where one of the compatible codes fits,
and none where none does: ``data/second_level_handcheck.csv``. Both files hold message ids and codes only.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from gridgov.classify import text as textmod
from gridgov.classify.second_level import SecondLevel
from gridgov.classify.weak import weak_label


def _shipped_csv(name: str) -> list[dict[str, str]]:
    ref = resources.files("gridgov.classify") / "data" / name
    return list(csv.DictReader(io.StringIO(ref.read_text(encoding="utf-8"), newline="")))


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def weak_sample(replies: Path, n: int = 80, seed: int = 7) -> list[tuple[dict[str, str], str]]:
    """The messages the hand check read: ``n`` drawn from the weakly labelled rows of 附件4 in file order."""
    labelled = []
    for r in _read(replies):
        w = weak_label(r.get("答复意见", ""))
        if w:
            labelled.append((r, w.label))
    return random.Random(seed).sample(labelled, n)


@dataclass
class WeakCheck:
    replies: int
    labelled: dict[str, int]
    sample: int
    right: int
    unsure: int
    wrong: int
    agree_with_model: float | None

    def to_text(self) -> str:
        total = sum(self.labelled.values())
        strict = self.right / self.sample if self.sample else 0.0
        lenient = (self.right + self.unsure) / self.sample if self.sample else 0.0
        lines = [
            f"replies: {self.replies}; weakly labelled: {total} ({total / self.replies:.1%})",
            "per class: " + ", ".join(f"{k} {v}" for k, v in sorted(self.labelled.items())),
            f"hand-checked sample: {self.sample}: right {self.right}, unsure {self.unsure}, wrong {self.wrong}",
            f"precision: {strict:.3f} (unsure counted wrong) to {lenient:.3f} (unsure counted right)",
        ]
        if self.agree_with_model is not None:
            lines.append(
                f"agreement with the model's first-level proposal on all weakly labelled: {self.agree_with_model:.3f}"
            )
        return "\n".join(lines)


def weak_check(replies: Path, model: Any | None = None) -> WeakCheck:
    rows = _read(replies)
    labels = [(r, w) for r in rows if (w := weak_label(r.get("答复意见", "")))]
    verdicts = {r["留言编号"]: r for r in _shipped_csv("weak_handcheck.csv")}
    sample = weak_sample(replies)
    counts: Counter[str] = Counter()
    for r, lab in sample:
        v = verdicts.get(r["留言编号"])
        if v is None or v["weak"] != lab:  # the table changed since the check: that row is unchecked
            counts["unchecked"] += 1
        else:
            counts[v["verdict"]] += 1
    agree = None
    if model is not None:
        preds = model.predict_many([textmod.join_fields([r["留言主题"], r["留言详情"]]) for r, _ in labels])
        agree = sum(p.label == w.label for p, (_, w) in zip(preds, labels, strict=True)) / max(len(labels), 1)
    return WeakCheck(
        replies=len(rows),
        labelled=dict(Counter(w.label for _, w in labels)),
        sample=len(sample) - counts["unchecked"],
        right=counts["right"],
        unsure=counts["unsure"],
        wrong=counts["wrong"],
        agree_with_model=round(agree, 4) if agree is not None else None,
    )


@dataclass
class SecondLevelCheck:
    fits: int  # sample rows where a compatible second-level code fits
    proposed: int
    right: int
    no_fit: int  # sample rows where none fits
    proposed_anyway: int
    confident: int  # proposals with confidence ≥ 0.6 among the rows that fit
    confident_right: int

    def to_text(self) -> str:
        def rate(a: int, b: int) -> str:
            return f"{a}/{b} = {a / b:.3f}" if b else f"{a}/0"

        return "\n".join(
            [
                f"rows where a 12345 second-level code fits: {self.fits}; proposed {self.proposed}; "
                f"right {rate(self.right, self.fits)} (of proposals {rate(self.right, self.proposed)})",
                f"  with confidence ≥ 0.6: right {rate(self.confident_right, self.confident)}",
                f"rows where none fits: {self.no_fit}; something proposed anyway {self.proposed_anyway}",
            ]
        )


def second_level_check(labelled: Path, first: str = "given") -> SecondLevelCheck:
    """Accuracy of the second-level proposer on the hand-labelled sample, given the true first level."""
    by_id = {r["留言编号"]: r for r in _read(labelled)}
    sl = SecondLevel.from_taxonomy()
    c = SecondLevelCheck(0, 0, 0, 0, 0, 0, 0)
    for h in _shipped_csv("second_level_handcheck.csv"):
        r = by_id.get(h["留言编号"])
        if r is None:
            continue
        p = sl.propose(textmod.join_fields([r["留言主题"], r["留言详情"]]), h["first"])
        gold = {g for g in h["second"].split("|") if g}
        if gold:
            c.fits += 1
            c.proposed += p is not None
            c.right += p is not None and p.code in gold
            if p is not None and p.confidence >= 0.6:
                c.confident += 1
                c.confident_right += p.code in gold
        else:
            c.no_fit += 1
            c.proposed_anyway += p is not None
    return c
