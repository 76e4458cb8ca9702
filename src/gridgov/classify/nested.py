"""Nested cross-validation: an inner loop chooses, an outer loop scores, and only the outer score is reported.

For each seed, the labelled rows are cut into ``outer`` stratified folds. For each outer fold, the other rows
alone are cut again into ``inner`` folds; every candidate (a set of features and hyper-parameters) is scored
there by macro-F1, the best one is refitted on all the outer-training rows and predicts the outer test fold.
The outer test fold is never seen by the inner choice: ``guard_disjoint`` checks every inner split, and a
leak raises ``FoldLeak`` instead of producing a figure.

The learner is passed in as ``fit_predict(candidate, train_idx, test_idx) -> labels of test_idx``, so the
splitting here is pure and testable with a planted leak.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

C = TypeVar("C", bound=Hashable)
IntArray = npt.NDArray[np.int64]
# (outer-training rows, all labels, k, seed) → inner (train, test) pairs of row indices
Splitter = Callable[[IntArray, Sequence[str], int, int], Iterator[tuple[IntArray, IntArray]]]
FitPredict = Callable[[C, IntArray, IntArray], Sequence[str]]


class FoldLeak(AssertionError):
    """An inner split touched rows of the outer test fold."""


def stratified_folds(y: Sequence[str], k: int, seed: int) -> Iterator[tuple[IntArray, IntArray]]:
    """Stratified k-fold indices (scikit-learn's ``StratifiedKFold(shuffle=True)``)."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    for tr, te in StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), list(y)):
        yield np.asarray(tr, dtype=np.int64), np.asarray(te, dtype=np.int64)


def inner_folds(train_idx: IntArray, y: Sequence[str], k: int, seed: int) -> Iterator[tuple[IntArray, IntArray]]:
    """Stratified folds of the outer-training rows, as row indices of the whole set."""
    for tr, te in stratified_folds([y[i] for i in train_idx], k, seed):
        yield train_idx[tr], train_idx[te]


def guard_disjoint(outer_train: IntArray, outer_test: IntArray, inner_train: IntArray, inner_test: IntArray) -> None:
    """Raise ``FoldLeak`` unless the inner split uses only outer-training rows (and splits them cleanly)."""
    allowed = set(outer_train.tolist())
    seen = set(inner_train.tolist()) | set(inner_test.tolist())
    if seen - allowed or seen & set(outer_test.tolist()):
        raise FoldLeak(f"inner split uses {len(seen - allowed)} rows outside the outer training fold")
    if set(inner_train.tolist()) & set(inner_test.tolist()):
        raise FoldLeak("inner train and test folds overlap")


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Macro-F1 over the classes present in ``y_true`` (pure Python, zero for an empty class)."""
    scores = []
    for c in sorted(set(y_true)):
        tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


@dataclass
class OuterFold:
    seed: int
    fold: int
    chosen: Hashable
    inner_scores: dict[Hashable, float]
    test_idx: list[int]


@dataclass
class NestedResult(Generic[C]):
    """Outer predictions per seed (every labelled row is predicted once per seed) and the choices made."""

    y: list[str]
    predictions: dict[int, list[str]] = field(default_factory=dict)  # seed → predicted label per row
    folds: list[OuterFold] = field(default_factory=list)

    def seed_scores(self) -> dict[int, float]:
        return {s: round(macro_f1(self.y, p), 4) for s, p in self.predictions.items()}

    def summary(self) -> tuple[float, float, float]:
        """Mean macro-F1 over seeds and a 95% t-interval (mean ± t·sd/√n; the half-width is 0 for one seed)."""
        vals = list(self.seed_scores().values())
        mean = statistics.fmean(vals)
        if len(vals) < 2:
            return mean, mean, mean
        half = _t975(len(vals) - 1) * statistics.stdev(vals) / math.sqrt(len(vals))
        return round(mean, 4), round(mean - half, 4), round(mean + half, 4)

    def choices(self) -> dict[Hashable, int]:
        counts: dict[Hashable, int] = {}
        for f in self.folds:
            counts[f.chosen] = counts.get(f.chosen, 0) + 1
        return counts


def _t975(df: int) -> float:
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
    return table.get(df, 1.96 if df > 30 else 2.1)


def choose(
    candidates: Sequence[C],
    y: Sequence[str],
    train_idx: IntArray,
    fit_predict: FitPredict[C],
    *,
    inner: int,
    seed: int,
    outer_test: IntArray | None = None,
    splitter: Splitter = inner_folds,
) -> tuple[C, dict[Hashable, float]]:
    """The candidate with the best inner macro-F1 on ``train_idx`` alone (ties: the earlier candidate)."""
    if len(candidates) == 1:
        return candidates[0], {}
    splits = []
    for itr, ite in splitter(train_idx, y, inner, seed):
        guard_disjoint(train_idx, outer_test if outer_test is not None else np.zeros(0, np.int64), itr, ite)
        splits.append((itr, ite))
    scores: dict[Hashable, float] = {}
    for cand in candidates:
        pred: dict[int, str] = {}
        for itr, ite in splits:
            pred.update(zip(ite.tolist(), fit_predict(cand, itr, ite), strict=True))
        order = sorted(pred)
        scores[cand] = round(macro_f1([y[i] for i in order], [pred[i] for i in order]), 4)
    best = max(candidates, key=lambda c: (scores[c], -candidates.index(c)))
    return best, scores


def nested_cv(
    candidates: Sequence[C],
    y: Sequence[str],
    fit_predict: FitPredict[C],
    *,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    outer: int = 5,
    inner: int = 3,
    splitter: Splitter = inner_folds,
    progress: Callable[[str], None] | None = None,
) -> NestedResult[C]:
    """Outer-fold predictions for every seed, each made by the candidate the inner loop chose."""
    res: NestedResult[C] = NestedResult(list(y))
    for seed in seeds:
        pred = [""] * len(y)
        for k, (tr, te) in enumerate(stratified_folds(y, outer, seed)):
            best, scores = choose(
                candidates,
                y,
                tr,
                fit_predict,
                inner=inner,
                seed=seed + 1000 * (k + 1),
                outer_test=te,
                splitter=splitter,
            )
            for i, p in zip(te.tolist(), fit_predict(best, tr, te), strict=True):
                pred[i] = p
            res.folds.append(OuterFold(seed, k, best, scores, te.tolist()))
            if progress:
                progress(f"seed {seed} fold {k}: chose {best} (inner {scores.get(best, float('nan'))})")
        res.predictions[seed] = pred
    return res
