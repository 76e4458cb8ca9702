"""Model selection that is reported honestly: nested CV over the semi-supervised recipes, and the final fit.

``nested_report`` is what ``gridgov model cv`` prints: outer macro-F1 per seed, their mean with a 95% interval,
per-class F1 (mean over seeds), the confusion matrix summed over seeds and which candidates the inner loops
chose. ``select_and_fit`` is what ``gridgov model train --unlabelled-dir`` ships: the same inner choice made on
all labelled rows, the chosen recipe fitted on all of them, the softmax temperature fitted on its
out-of-fold scores.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gridgov.classify import nested, semi
from gridgov.classify.model import LinearTextModel, softmax_temperature
from gridgov.classify.train import Row, category_names, label_codes, make_report

SHIPPED_IDEAS = ("taxonomy",)  # the search space of the shipped model (see docs/classify.md for every idea)


def corpus_for(rows: Sequence[Row], unlabelled_dir: Path | None, titles: Sequence[str] = ()) -> semi.Corpus:
    """Features of the labelled rows plus, when given, the pool read from ``unlabelled_dir``."""
    mapping = label_codes(r.label for r in rows)
    y = [mapping[r.label] for r in rows]
    pool = (
        semi.read_pool(unlabelled_dir, titles or [r.text.split("\n", 1)[0] for r in rows]) if unlabelled_dir else None
    )
    return semi.Corpus([r.text for r in rows], y, pool)


@dataclass
class NestedReport:
    ideas: tuple[str, ...]
    n_candidates: int
    outer: int
    inner: int
    seeds: list[int]
    seed_scores: dict[int, float]
    mean: float
    low: float
    high: float
    labels: list[str]
    label_names: dict[str, str]
    per_class: dict[str, dict[str, float]]  # label → mean precision / recall / F1 over seeds
    confusion: list[list[int]]  # summed over seeds; rows true, columns predicted
    accuracy: float
    chosen: dict[str, int]
    sources: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def to_text(self) -> str:
        out = [
            f"nested CV: outer {self.outer} folds × seeds {','.join(map(str, self.seeds))}; inner {self.inner} folds "
            f"choose among {self.n_candidates} candidates (ideas: {'+'.join(self.ideas)})",
        ]
        if self.sources:
            out.append("unlabelled sources: " + ", ".join(f"{k} {v}" for k, v in self.sources.items()))
        out += [f"seed {s}: macro-F1 {v:.4f}" for s, v in self.seed_scores.items()]
        out.append(
            f"macro-F1 mean {self.mean:.4f}, 95% interval [{self.low:.4f}, {self.high:.4f}] "
            f"over {len(self.seeds)} seeds; accuracy {self.accuracy:.4f}"
        )
        out.append("chosen by the inner loops: " + "; ".join(f"{k} ×{v}" for k, v in self.chosen.items()))
        out.append(f"{'label':<6} {'name':<10} {'prec':>6} {'rec':>6} {'F1':>6}   (mean over seeds)")
        for lab in self.labels:
            p, name = self.per_class[lab], self.label_names.get(lab, lab)
            out.append(f"{lab:<6} {name:<10} {p['precision']:>6.3f} {p['recall']:>6.3f} {p['f1']:>6.3f}")
        out.append("confusion summed over seeds (rows = true, columns = predicted): " + " ".join(self.labels))
        for lab, row in zip(self.labels, self.confusion, strict=True):
            out.append(f"{lab:<6} " + " ".join(f"{v:>4}" for v in row))
        return "\n".join(out)


def nested_report(
    corpus: semi.Corpus,
    ideas: Sequence[str],
    *,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    outer: int = 5,
    inner: int = 3,
    progress: Callable[[str], None] | None = None,
) -> NestedReport:
    candidates = semi.grid(ideas)
    res = nested.nested_cv(
        candidates, corpus.y, semi.fit_predict_for(corpus), seeds=seeds, outer=outer, inner=inner, progress=progress
    )
    reports = [make_report(corpus.y, res.predictions[s]) for s in seeds]
    labels = reports[0].labels
    for r in reports[1:]:
        labels = sorted(set(labels) | set(r.labels))
    per_class = {
        lab: {
            k: round(statistics.fmean(r.per_class.get(lab, {}).get(k, 0.0) for r in reports), 4)
            for k in ("precision", "recall", "f1")
        }
        for lab in labels
    }
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for r in reports:
        idx = [labels.index(lab) for lab in r.labels]
        confusion[np.ix_(idx, idx)] += np.asarray(r.confusion)
    mean, low, high = res.summary()
    names = category_names()
    return NestedReport(
        ideas=tuple(ideas),
        n_candidates=len(candidates),
        outer=outer,
        inner=inner,
        seeds=list(seeds),
        seed_scores=res.seed_scores(),
        mean=mean,
        low=low,
        high=high,
        labels=labels,
        label_names={lab: names.get(lab, lab) for lab in labels},
        per_class=per_class,
        confusion=confusion.tolist(),
        accuracy=round(statistics.fmean(r.accuracy for r in reports), 4),
        chosen={str(k): v for k, v in sorted(res.choices().items(), key=lambda kv: -kv[1])},
    )


def oof_temperature(corpus: semi.Corpus, recipe: semi.Recipe, folds: int = 5, seed: int = 0) -> float:
    """Softmax temperature fitted on out-of-fold scores of the recipe over all labelled rows."""
    labels = corpus.labels
    scores = np.zeros((len(corpus.y), len(labels)))
    for tr, te in nested.stratified_folds(corpus.y, folds, seed):
        f = semi.fit(corpus, tr, recipe)
        s = f.scores(corpus.x[te])
        for j, lab in enumerate(f.labels):
            scores[te, labels.index(lab)] = s[:, j]
    return softmax_temperature(scores, [labels.index(v) for v in corpus.y])


def select_and_fit(
    corpus: semi.Corpus,
    ideas: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    name: str = "hotline",
    metadata: dict[str, Any] | None = None,
) -> tuple[LinearTextModel, semi.Recipe, dict[str, float]]:
    """Choose a recipe by ``folds``-fold CV on all labelled rows, fit it on all of them, export the JSON model."""
    candidates = semi.grid(ideas)
    all_rows = np.arange(len(corpus.y), dtype=np.int64)
    best, scores = nested.choose(candidates, corpus.y, all_rows, semi.fit_predict_for(corpus), inner=folds, seed=seed)
    fitted = semi.fit(corpus, all_rows, best)
    temperature = oof_temperature(corpus, best, folds, seed)
    names = category_names()
    counts = {lab: corpus.y.count(lab) for lab in corpus.labels}
    meta = {
        "algorithm": semi.ALGORITHM,
        "recipe": str(best),
        "alpha": best.alpha,
        "taxonomy_weight": best.taxonomy,
        "weak_weight": best.weak,
        "self_training": {"weight": best.self_train, "threshold": best.threshold, "agree": best.agree}
        if best.self_train
        else None,
        "pseudo_labelled": fitted.n_pseudo,
        "n_rows": len(corpus.y),
        "class_counts": counts,
        "taxonomy_documents": len(corpus.taxonomy),
        "weak_documents": len(corpus.weak) if best.weak else 0,
        "selection": {"ideas": list(ideas), "folds": folds, "seed": seed, "candidates": len(candidates)},
        **(metadata or {}),
    }
    model = semi.to_model(corpus, fitted, temperature=temperature, name=name, label_names=names, metadata=meta)
    return model, best, {str(k): v for k, v in scores.items()}
