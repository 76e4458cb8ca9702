"""The classifier port: what callers (intake, routing, the API) depend on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from gridgov.errors import GridgovError

Source = Literal["model", "keywords"]


@dataclass(frozen=True)
class Prediction:
    """A proposed category. ``top`` holds the best labels with their probabilities, best first."""

    label: str
    confidence: float
    model_version: str
    source: Source
    top: tuple[tuple[str, float], ...]


@runtime_checkable
class Classifier(Protocol):
    def predict(self, text: str) -> Prediction: ...

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]: ...


class ModelFileInvalid(GridgovError):
    code = "model_file_invalid"
    status = 422
    message = "模型文件无法读取或格式不正确"


@dataclass(frozen=True)
class FixedClassifier:
    """Deterministic fake for tests of callers: always proposes the same ranking.

    ``rules`` maps a substring to a label; the first rule whose key occurs in the text wins,
    otherwise ``label`` is returned.
    """

    label: str = "H01"
    confidence: float = 0.9
    rules: Sequence[tuple[str, str]] = ()
    others: Sequence[str] = ("H02", "H03")
    model_version: str = "fixed"
    source: Source = "model"

    def predict(self, text: str) -> Prediction:
        label = next((lab for key, lab in self.rules if key in text), self.label)
        rest = [o for o in self.others if o != label]
        share = (1.0 - self.confidence) / max(len(rest), 1)
        top = ((label, self.confidence), *((o, share) for o in rest))
        return Prediction(label, self.confidence, self.model_version, self.source, top[:3])

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]
