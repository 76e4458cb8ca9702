"""A linear text classifier whose artifact is plain JSON (optionally gzip'd); inference uses numpy/scipy only.

Score of class k for text x: ``s_k = tfidf(x) · coef[k] + intercept[k]``, where ``tfidf(x)`` is the raw
count of each vocabulary feature (see ``text.features``) times its idf, L2-normalised. Probabilities are
``softmax(temperature · s)``; the temperature is fitted on cross-validated scores when the model is trained.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from gridgov.classify import text as textmod
from gridgov.classify.ports import ModelFileInvalid, Prediction

FORMAT = "gridgov.linear-text-model/1"
DEFAULT_ARTIFACT = "hotline_h01_h07.json.gz"
SIGNIFICANT_DIGITS = 4

FloatArray = npt.NDArray[np.float32]


def round_sig(values: npt.ArrayLike, digits: int = SIGNIFICANT_DIGITS) -> FloatArray:
    """float32 rounded to ``digits`` significant digits: exactly what the JSON file keeps."""
    arr = np.asarray(values, dtype=np.float64)
    text = [float(f"{v:.{digits}g}") for v in arr.ravel().tolist()]
    return np.asarray(text, dtype=np.float32).reshape(arr.shape)


@dataclass
class LinearTextModel:
    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: FloatArray
    coef: FloatArray  # shape (n_labels, n_features)
    intercept: FloatArray  # shape (n_labels,)
    temperature: float
    version: str
    label_names: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    features_version: str = textmod.FEATURES_VERSION

    def __post_init__(self) -> None:
        n = len(self.vocabulary)
        if self.idf.shape != (n,) or self.coef.shape != (len(self.labels), n):
            raise ModelFileInvalid("模型文件的词表、idf 与系数矩阵维度不一致")
        if self.intercept.shape != (len(self.labels),):
            raise ModelFileInvalid("模型文件的截距与类别数不一致")
        self._coef_t = sp.csr_matrix(self.coef.T.astype(np.float32))

    # -- inference -----------------------------------------------------------------------------
    def vectorise(self, texts: Iterable[str]) -> Any:
        """CSR matrix (n_texts × n_features) of L2-normalised tf-idf rows."""
        indptr = [0]
        indices: list[int] = []
        vocab = self.vocabulary
        for t in texts:
            # one entry per occurrence; sum_duplicates() below turns them into counts, in C
            indices.extend([j for j in map(vocab.get, textmod.features(t)) if j is not None])
            indptr.append(len(indices))
        x = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(vocab)),
        )
        x.sum_duplicates()
        x = x.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ x

    def decision_function(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        x = self.vectorise(texts)
        scores = np.asarray((x @ self._coef_t).todense(), dtype=np.float64)
        return scores + self.intercept.astype(np.float64)

    def predict_proba(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        z = self.temperature * self.decision_function(texts)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def predict_many(self, texts: Iterable[str], top_k: int = 3) -> list[Prediction]:
        texts = list(texts)
        if not texts:
            return []
        proba = self.predict_proba(texts)
        out = []
        for row in proba:
            order = np.argsort(-row, kind="stable")[:top_k]
            top = tuple((self.labels[i], round(float(row[i]), 4)) for i in order)
            out.append(Prediction(top[0][0], top[0][1], self.version, "model", top))
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    # -- persistence ---------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "format": FORMAT,
            "version": self.version,
            "features": self.features_version,
            "labels": list(self.labels),
            "label_names": self.label_names,
            "temperature": self.temperature,
            "intercept": self.intercept.tolist(),
            "vocabulary": terms,
            "idf": self.idf.tolist(),
            "coef": [row.tolist() for row in self.coef],
            "metadata": self.metadata,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON; a name ending in ``.gz`` is gzip-compressed (deterministically)."""
        path = Path(path)
        payload = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        tmp = path.with_name(path.name + ".tmp")
        if path.suffix == ".gz":
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
                gz.write(payload)
        else:
            tmp.write_bytes(payload)
        tmp.replace(path)
        return path

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> LinearTextModel:
        if doc.get("format") != FORMAT:
            raise ModelFileInvalid(f"不支持的模型格式: {doc.get('format')!r}（应为 {FORMAT}）")
        if doc.get("features") != textmod.FEATURES_VERSION:
            raise ModelFileInvalid(
                f"模型的特征版本 {doc.get('features')!r} 与当前代码 {textmod.FEATURES_VERSION!r} 不一致，请重新训练"
            )
        try:
            terms: Sequence[str] = doc["vocabulary"]
            return cls(
                labels=tuple(doc["labels"]),
                vocabulary={t: i for i, t in enumerate(terms)},
                idf=np.asarray(doc["idf"], dtype=np.float32),
                coef=np.asarray(doc["coef"], dtype=np.float32).reshape(len(doc["labels"]), len(terms)),
                intercept=np.asarray(doc["intercept"], dtype=np.float32),
                temperature=float(doc["temperature"]),
                version=str(doc["version"]),
                label_names=dict(doc.get("label_names", {})),
                metadata=dict(doc.get("metadata", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileInvalid(f"模型文件缺少字段或字段格式不正确: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> LinearTextModel:
        path = Path(path)
        try:
            raw = path.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            doc = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, EOFError) as exc:
            raise ModelFileInvalid(f"无法读取模型文件 {path.name}: {exc}") from exc
        return cls.from_json(doc)


def load_default() -> LinearTextModel | None:
    """The model shipped in ``gridgov/classify/data``, or None when it is absent."""
    ref = resources.files("gridgov.classify") / "data" / DEFAULT_ARTIFACT
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path:
        return LinearTextModel.load(path)


def softmax_temperature(scores: npt.NDArray[np.float64], y: Sequence[int]) -> float:
    """Temperature minimising the log-loss of softmax(T·scores) on held-out scores (grid search, deterministic)."""
    best_t, best_loss = 1.0, math.inf
    idx = np.asarray(y)
    for t in np.geomspace(0.01, 1e5, 200):
        z = t * scores
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -float(logp[np.arange(len(idx)), idx].mean())
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return float(f"{best_t:.6g}")
