"""Training from 330 labels plus what is not labelled: weak labels, taxonomy phrases, self-training, two views.

Everything here is training-time code (scikit-learn). A ``Recipe`` says which unlabelled sources join the
labelled rows and how much they weigh; ``fit`` turns labelled row indices plus a recipe into a linear model
over TF-IDF features (word 1–2-grams and character 1–3-grams, ``text.features``) fitted with Complement Naive
Bayes, so the result is always a ``LinearTextModel`` that ships as JSON.

Speed: ``Corpus`` counts the features of every text once (labelled rows, pool and taxonomy phrases) into one
sparse matrix. A fit selects rows, keeps the columns seen in its own training documents, computes their idf
from those documents only, and fits; that is exactly ``TfidfVectorizer`` fitted on the training documents, at
a fraction of the cost, which makes nested cross-validation over many candidates affordable.

Sources (none of them is a label of a labelled row):
- ``weak``: messages of 附件4 labelled by the department that answered them (``weak.weak_label``);
- ``taxonomy``: each 附件1 row of the seven classes as a short document "二级分类 三级分类" of its class;
- ``phrases``: each 12345 second-level category a class can stand for, as its name plus the hand-written
  phrases of ``second_level.PHRASES`` (written before any labelled message was read for it);
- ``unlabelled``: messages of 附件3, 附件4 and 测试数据, for self-training and the two-view agreement.
Rows of the pool whose subject line equals a labelled row's subject are dropped (the hold-out was drawn the
same way: none of its subjects occurs in the unlabelled files).
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from gridgov.classify import text as textmod
from gridgov.classify.model import LinearTextModel, round_sig, softmax_temperature
from gridgov.classify.weak import weak_label

ALGORITHM = "tfidf(word1-2+char1-3)+complement-nb"
TIPDM_NAMES = {
    "城乡建设": "H01",
    "环境保护": "H02",
    "交通运输": "H03",
    "教育文体": "H04",
    "劳动和社会保障": "H05",
    "商贸旅游": "H06",
    "卫生计生": "H07",
}
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Recipe:
    """One candidate: CNB smoothing and the weight of each extra source (0 = not used)."""

    alpha: float = 0.01
    weak: float = 0.0  # weight of each weakly labelled 附件4 message
    taxonomy: float = 0.0  # weight of each 附件1 phrase document
    phrases: float = 0.0  # weight of each 12345 second-level description (second_level.PHRASES)
    self_train: float = 0.0  # weight of each pseudo-labelled message (0 = no self-training)
    threshold: float = 0.9  # confidence a pseudo-label needs
    agree: bool = False  # pseudo-label only where the word view and the character view agree
    sublinear: bool = False

    def __str__(self) -> str:
        parts = [f"α={self.alpha:g}"]
        if self.sublinear:
            parts.append("sublinear")
        if self.weak:
            parts.append(f"weak×{self.weak:g}")
        if self.taxonomy:
            parts.append(f"taxonomy×{self.taxonomy:g}")
        if self.phrases:
            parts.append(f"phrases×{self.phrases:g}")
        if self.self_train:
            parts.append(f"{'agree' if self.agree else 'self'}×{self.self_train:g}@{self.threshold:g}")
        return " ".join(parts)


@dataclass
class Pool:
    """What is not labelled: texts for self-training, weak labels from replies, taxonomy phrase documents."""

    texts: list[str] = field(default_factory=list)
    weak: list[tuple[str, str, str]] = field(default_factory=list)  # (text, label, second-level or "")
    taxonomy: list[tuple[str, str]] = field(default_factory=list)  # (phrase document, label)
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (12345 description document, label)
    sources: dict[str, int] = field(default_factory=dict)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def taxonomy_documents(path: Path) -> list[tuple[str, str]]:
    """One short document per 附件1 row of the seven classes: its second- and third-level names."""
    docs = []
    for r in _read_csv(path):
        code = TIPDM_NAMES.get(r["一级分类"].strip())
        if code:
            docs.append(("，".join(x for x in (r["二级分类"], r["三级分类"]) if x and x != "其他"), code))
    return [(d, c) for d, c in docs if d]


def phrase_documents() -> list[tuple[str, str]]:
    """One document per 12345 second-level category a TipDM class can stand for: its name and phrases."""
    from gridgov.classify.keywords import read_taxonomy
    from gridgov.classify.second_level import COMPATIBLE, PHRASES

    parent_of = {p: first for first, parents in COMPATIBLE.items() for p in parents}
    docs = []
    for c in read_taxonomy():
        first = parent_of.get(c.parent_code)
        if first:
            docs.append(("，".join([c.name, *PHRASES.get(c.code, ())]), first))
    return docs


def read_pool(folder: Path, exclude_titles: Iterable[str] = ()) -> Pool:
    """The unlabelled files of ``../shared/data/tipdm2020c`` (whatever of them is present)."""
    skip = {t.strip() for t in exclude_titles}
    pool = Pool()
    seen: set[str] = set()

    def add(rows: list[dict[str, str]], name: str) -> list[dict[str, str]]:
        kept = []
        for r in rows:
            title = r.get("留言主题", "").strip()
            if title in skip or r.get("留言编号", "") in seen:
                continue
            seen.add(r.get("留言编号", ""))
            kept.append(r)
            pool.texts.append(textmod.join_fields([title, r.get("留言详情", "")]))
        pool.sources[name] = len(kept)
        return kept

    replies = folder / "附件4_full_replies.csv"
    if replies.exists():
        for r in add(_read_csv(replies), replies.name):
            w = weak_label(r.get("答复意见", ""))
            if w:
                pool.weak.append((textmod.join_fields([r["留言主题"], r["留言详情"]]), w.label, w.sub))
        pool.sources["weak"] = len(pool.weak)
    for name in ("附件3_full_likes.csv", "测试数据_unlabeled.csv"):
        if (folder / name).exists():
            add(_read_csv(folder / name), name)
    tax = folder / "附件1_labels_taxonomy.csv"
    if tax.exists():
        pool.taxonomy = taxonomy_documents(tax)
        pool.sources["taxonomy"] = len(pool.taxonomy)
    pool.phrases = phrase_documents()
    pool.sources["phrases"] = len(pool.phrases)
    return pool


class Corpus:
    """Feature counts of every text (labelled, pool, weak, taxonomy) in one CSR matrix, computed once."""

    def __init__(self, labelled: Sequence[str], y: Sequence[str], pool: Pool | None = None) -> None:
        pool = pool or Pool()
        self.sources = dict(pool.sources)
        self.y = list(y)
        self.labels = tuple(sorted(set(y)))
        texts = [
            *labelled,
            *pool.texts,
            *(t for t, _, _ in pool.weak),
            *(t for t, _ in pool.taxonomy),
            *(t for t, _ in pool.phrases),
        ]
        n_tax = len(pool.taxonomy)
        n_lab, n_pool, n_weak = len(labelled), len(pool.texts), len(pool.weak)
        self.lab = np.arange(n_lab)
        self.pool = np.arange(n_lab, n_lab + n_pool)
        self.weak = np.arange(n_lab + n_pool, n_lab + n_pool + n_weak)
        self.taxonomy = np.arange(n_lab + n_pool + n_weak, n_lab + n_pool + n_weak + n_tax)
        self.phrases = np.arange(n_lab + n_pool + n_weak + n_tax, len(texts))
        self.phrases_y = [lab for _, lab in pool.phrases]
        self.weak_y = [lab for _, lab, _ in pool.weak]
        self.taxonomy_y = [lab for _, lab in pool.taxonomy]
        self.vocab: dict[str, int] = {}
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[int] = []
        for t in texts:
            counts = Counter(self.vocab.setdefault(f, len(self.vocab)) for f in textmod.features(t))
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        self.x = sp.csr_matrix(
            (np.asarray(data, np.float64), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
            shape=(len(texts), len(self.vocab)),
        )
        self.terms = sorted(self.vocab, key=self.vocab.__getitem__)
        is_word = np.asarray([t.startswith("w:") for t in self.terms])
        self.views = {"word": np.flatnonzero(is_word), "char": np.flatnonzero(~is_word)}


@dataclass
class Fitted:
    labels: tuple[str, ...]
    cols: IntArray  # corpus columns in the model's vocabulary
    idf: FloatArray
    coef: FloatArray  # (n_labels, n_cols)
    sublinear: bool = False
    n_pseudo: int = 0

    def scores(self, x: Any) -> FloatArray:
        """Decision scores of rows of a corpus count matrix (all columns).

        Computed without selecting columns (slow on a wide matrix): the idf and the coefficients are spread
        over all corpus columns, zero outside the model's own."""
        if self.sublinear:
            x = x.copy()
            x.data = 1 + np.log(x.data)
        width = x.shape[1]
        idf2 = np.zeros(width)
        idf2[self.cols] = self.idf**2
        norms = np.sqrt(np.asarray(x.multiply(x) @ idf2).ravel())
        norms[norms == 0] = 1.0
        k = len(self.labels)
        weights = sp.csr_matrix(
            ((self.coef * self.idf).T.ravel(), (np.repeat(self.cols, k), np.tile(np.arange(k), len(self.cols)))),
            shape=(width, k),
        )
        out: FloatArray = np.asarray((x @ weights).todense(), dtype=np.float64) / norms[:, None]
        return out

    def predict(self, x: Any) -> list[str]:
        return [self.labels[i] for i in self.scores(x).argmax(axis=1)]


def _cnb(
    corpus: Corpus,
    rows: IntArray,
    y: Sequence[str],
    weights: FloatArray,
    alpha: float,
    sublinear: bool,
    view: IntArray | None = None,
) -> Fitted:
    from sklearn.naive_bayes import ComplementNB  # type: ignore[import-untyped]

    x = corpus.x[rows]
    if view is not None:
        x = x[:, view]
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(df)
    x = x[:, keep]
    n = len(rows)
    idf = np.log((1 + n) / (1 + df[keep])) + 1.0
    if sublinear:
        x = x.copy()
        x.data = 1 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sp.diags(1.0 / norms) @ x
    nb = ComplementNB(alpha=alpha, norm=True).fit(x, list(y), sample_weight=weights)
    coef = np.asarray(nb.feature_log_prob_, dtype=np.float64)
    coef /= np.abs(coef).max()
    cols = (view[keep] if view is not None else keep).astype(np.int64)
    return Fitted(tuple(str(c) for c in nb.classes_), cols, idf, coef, sublinear)


def _base_rows(corpus: Corpus, train: IntArray, recipe: Recipe) -> tuple[IntArray, list[str], FloatArray]:
    rows = [train]
    y = [corpus.y[i] for i in train]
    w = [np.ones(len(train))]
    if recipe.weak and len(corpus.weak):
        rows.append(corpus.weak)
        y += corpus.weak_y
        w.append(np.full(len(corpus.weak), recipe.weak))
    if recipe.taxonomy and len(corpus.taxonomy):
        rows.append(corpus.taxonomy)
        y += corpus.taxonomy_y
        w.append(np.full(len(corpus.taxonomy), recipe.taxonomy))
    if recipe.phrases and len(corpus.phrases):
        rows.append(corpus.phrases)
        y += corpus.phrases_y
        w.append(np.full(len(corpus.phrases), recipe.phrases))
    return np.concatenate(rows), y, np.concatenate(w)


def proba(scores: FloatArray, temperature: float) -> FloatArray:
    z = temperature * scores
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def temperature_of(corpus: Corpus, train: IntArray, recipe: Recipe, folds: int = 3, seed: int = 0) -> float:
    """Softmax temperature fitted on out-of-fold scores of the labelled training rows alone."""
    from gridgov.classify.nested import stratified_folds

    y = [corpus.y[i] for i in train]
    if min(Counter(y).values()) < folds:
        return 1.0
    scores = np.zeros((len(train), len(corpus.labels)))
    for tr, te in stratified_folds(y, folds, seed):
        rows, yy, w = _base_rows(corpus, train[tr], recipe)
        f = _cnb(corpus, rows, yy, w, recipe.alpha, recipe.sublinear)
        s = f.scores(corpus.x[train[te]])
        for j, lab in enumerate(f.labels):
            scores[te, corpus.labels.index(lab)] = s[:, j]
    return softmax_temperature(scores, [corpus.labels.index(v) for v in y])


def fit(corpus: Corpus, train: IntArray, recipe: Recipe) -> Fitted:
    """A model from labelled rows ``train`` plus what ``recipe`` adds (never another labelled row)."""
    rows, y, w = _base_rows(corpus, train, recipe)
    model = _cnb(corpus, rows, y, w, recipe.alpha, recipe.sublinear)
    if not recipe.self_train or not len(corpus.pool):
        return model
    t = temperature_of(corpus, train, recipe)
    p = proba(model.scores(corpus.x[corpus.pool]), t)
    best = p.argmax(axis=1)
    sure = p.max(axis=1) >= recipe.threshold
    if recipe.agree:
        words = _cnb(corpus, rows, y, w, recipe.alpha, recipe.sublinear, corpus.views["word"])
        chars = _cnb(corpus, rows, y, w, recipe.alpha, recipe.sublinear, corpus.views["char"])
        pw = words.scores(corpus.x[corpus.pool]).argmax(axis=1)
        pc = chars.scores(corpus.x[corpus.pool]).argmax(axis=1)
        to_model = [model.labels.index(words.labels[i]) for i in pw]
        to_model_c = [model.labels.index(chars.labels[i]) for i in pc]
        sure &= (np.asarray(to_model) == best) & (np.asarray(to_model_c) == best)
    picked = corpus.pool[sure]
    if not len(picked):
        return model
    rows = np.concatenate([rows, picked])
    y = y + [model.labels[i] for i in best[sure]]
    w = np.concatenate([w, np.full(len(picked), recipe.self_train)])
    again = _cnb(corpus, rows, y, w, recipe.alpha, recipe.sublinear)
    again.n_pseudo = len(picked)
    return again


def fit_predict_for(corpus: Corpus) -> Any:
    """``nested.nested_cv``'s learner over this corpus."""

    def fit_predict(recipe: Recipe, train: IntArray, test: IntArray) -> list[str]:
        return fit(corpus, train, recipe).predict(corpus.x[test])

    return fit_predict


def to_model(
    corpus: Corpus,
    fitted: Fitted,
    *,
    temperature: float,
    name: str,
    label_names: dict[str, str],
    metadata: dict[str, Any],
) -> LinearTextModel:
    """The JSON-able model: vocabulary strings, idf and coefficients of the fitted columns."""
    if fitted.sublinear:
        raise ValueError("the JSON model format counts raw tf; sublinear tf cannot be exported")
    terms = [corpus.terms[c] for c in fitted.cols]
    digest = hashlib.sha256()
    digest.update(repr(sorted(metadata.items())).encode())
    for term in terms[:1000]:
        digest.update(term.encode())
    digest.update(np.round(fitted.coef, 4).tobytes())
    return LinearTextModel(
        labels=fitted.labels,
        vocabulary={t: i for i, t in enumerate(terms)},
        idf=round_sig(fitted.idf),
        coef=round_sig(fitted.coef),
        intercept=np.zeros(len(fitted.labels), dtype=np.float32),
        temperature=temperature,
        version=f"{name}-{digest.hexdigest()[:12]}",
        label_names={lab: label_names.get(lab, lab) for lab in fitted.labels},
        metadata=metadata,
    )


OPTIONS: dict[str, list[dict[str, Any]]] = {
    "base": [{"alpha": a} for a in (0.01, 0.03)],
    "sublinear": [{"sublinear": True}],
    "weak": [{"weak": w} for w in (0.01, 0.03, 0.1)],
    "taxonomy": [{"taxonomy": w} for w in (30.0, 100.0, 300.0, 1000.0)],
    "phrases": [{"phrases": w} for w in (3.0, 10.0, 30.0)],
    # taxonomy×30 alone: to bound the runs of self-training on top of it (it is what the taxonomy idea's inner
    # loops chose most often, so figures built on it are, if anything, flattered)
    "taxonomy30": [{"taxonomy": 30.0}],
    "self": [{"self_train": 0.3, "threshold": t} for t in (0.8, 0.95)],
    "agree": [{"self_train": 0.3, "threshold": t, "agree": True} for t in (0.6, 0.9)],
}


def grid(ideas: Iterable[str]) -> list[Recipe]:
    """Candidates for a combination of ideas ("taxonomy+self"): the product of each idea's options, every
    combination also tried with α from ``base``. The inner loop of the nested CV chooses among them."""
    combos: list[dict[str, Any]] = [{}]
    for idea in dict.fromkeys(["base", *ideas]):
        if idea not in OPTIONS:
            raise ValueError(f"unknown idea {idea!r}; known: {', '.join(OPTIONS)}")
        combos = [{**c, **o} for c in combos for o in OPTIONS[idea]]
    return list(dict.fromkeys(Recipe(**c) for c in combos))
