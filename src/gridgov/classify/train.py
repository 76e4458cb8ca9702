"""Training, cross-validation and evaluation of the case classifier (scikit-learn at training time only).

CLI (to be wrapped as ``gridgov model …``)::

    python -m gridgov.classify.train cv    --csv FILE --text-columns 留言主题,留言详情 --label-column 一级分类
    python -m gridgov.classify.train train --csv FILE --text-columns … --label-column … --out model.json.gz
    python -m gridgov.classify.train eval  --csv FILE --text-columns … --label-column … [--model PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gridgov.classify import text as textmod
from gridgov.classify.keywords import read_taxonomy
from gridgov.classify.model import LinearTextModel, load_default, round_sig, softmax_temperature
from gridgov.errors import GridgovError

ALGORITHM = "tfidf(word1-2+char1-3)+complement-nb"
ALPHA = 0.01
ENCODINGS = ("utf-8-sig", "gb18030")


# -- errors ----------------------------------------------------------------------------------------
class TrainingDataInvalid(GridgovError):
    code = "training_data_invalid"
    status = 422
    message = "训练数据不合法"


class TrainingColumnsMissing(TrainingDataInvalid):
    code = "training_columns_missing"
    message = "训练文件缺少必需的列"


class TrainingLabelEmpty(TrainingDataInvalid):
    code = "training_label_empty"
    message = "训练文件中有空的类别标签"


class TrainingSingleClass(TrainingDataInvalid):
    code = "training_single_class"
    message = "训练数据只有一个类别，至少需要两个"


class TrainingFileUndecodable(TrainingDataInvalid):
    code = "training_file_undecodable"
    message = "无法识别训练文件的编码（已尝试 UTF-8、GBK/GB18030）"


# -- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    text: str
    label: str
    line: int = 0


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        raise TrainingFileUndecodable(f"无法识别文件 {name} 的编码：含有二进制内容（NUL 字节）", file=name)
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TrainingFileUndecodable(f"无法识别文件 {name} 的编码（已尝试 UTF-8、GBK/GB18030）", file=name)


def _records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of a CSV or XLSX file."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import openpyxl  # type: ignore[import-untyped]

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise TrainingDataInvalid(f"无法读取 Excel 文件 {path.name}: {exc}", file=path.name) from exc
        try:
            it = wb.active.iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(it, ())]
            rows = [(i, ["" if c is None else str(c) for c in r]) for i, r in enumerate(it, start=2) if any(r)]
        finally:
            wb.close()
        return header, rows
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TrainingDataInvalid(f"无法读取文件 {path.name}: {exc.strerror}", file=path.name) from exc
    reader = csv.reader(io.StringIO(_decode(raw, path.name), newline=""))
    header = [h.strip() for h in next(reader, [])]
    rows = []
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append((reader.line_num, cells))
    return header, rows


def read_table(path: str | Path, text_columns: Sequence[str], label_column: str | None) -> list[Row]:
    """Rows of a CSV (UTF-8 with or without BOM, else GBK/GB18030) or XLSX file.

    Text columns are joined (title first). Raises a ``TrainingDataInvalid`` subclass naming the missing
    columns or the first line with an empty label. ``label_column=None`` reads texts only (label "").
    """
    path = Path(path)
    header, records = _records(path)
    wanted = [*text_columns, *([label_column] if label_column else [])]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise TrainingColumnsMissing(
            f"文件 {path.name} 缺少列: {'、'.join(missing)}（现有列: {'、'.join(h for h in header if h)}）",
            missing=missing,
            columns=header,
        )
    idx_text = [header.index(c) for c in text_columns]
    idx_label = header.index(label_column) if label_column else None
    out = []
    for line, cells in records:
        cells = cells + [""] * (len(header) - len(cells))
        label = cells[idx_label].strip() if idx_label is not None else ""
        if idx_label is not None and not label:
            raise TrainingLabelEmpty(f"文件 {path.name} 第 {line} 行的类别标签（{label_column}）为空", line=line)
        out.append(Row(textmod.join_fields(cells[i] for i in idx_text), label, line))
    if not out:
        raise TrainingDataInvalid(f"文件 {path.name} 没有数据行", file=path.name)
    return out


def label_codes(labels: Iterable[str]) -> dict[str, str]:
    """Map label values to taxonomy codes: a first-level name (城乡建设) → its code (H01); codes stay."""
    cats = read_taxonomy()
    by_name = {c.name: c.code for c in cats if not c.parent_code}
    codes = {c.code for c in cats}
    return {lab: lab if lab in codes else by_name.get(lab, lab) for lab in labels}


def category_names() -> dict[str, str]:
    return {c.code: c.name for c in read_taxonomy()}


def _check_classes(labels: Sequence[str]) -> None:
    distinct = sorted(set(labels))
    if len(distinct) < 2:
        raise TrainingSingleClass(
            f"训练数据只有一个类别（{distinct[0] if distinct else '无'}），至少需要两个", labels=distinct
        )


# -- training --------------------------------------------------------------------------------------
def _identity(x: list[str]) -> list[str]:
    return x


def train(
    rows: Sequence[Row],
    *,
    alpha: float = ALPHA,
    calibrate_folds: int = 5,
    seed: int = 0,
    name: str = "hotline",
    metadata: Mapping[str, Any] | None = None,
) -> LinearTextModel:
    """Fit TF-IDF (word 1–2-grams + char 1–3-grams) → Complement Naive Bayes, return the JSON-able model.

    Labels that are first-level taxonomy names are mapped to codes. When ``calibrate_folds`` ≥ 2 the
    softmax temperature is fitted on out-of-fold scores, so ``confidence`` is a calibrated probability.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.naive_bayes import ComplementNB  # type: ignore[import-untyped]

    mapping = label_codes(r.label for r in rows)
    y_str = [mapping[r.label] for r in rows]
    _check_classes(y_str)
    docs = [textmod.features(r.text) for r in rows]
    vec = TfidfVectorizer(analyzer=_identity, lowercase=False, norm="l2", sublinear_tf=False)
    x = vec.fit_transform(docs)
    nb = ComplementNB(alpha=alpha, norm=True).fit(x, y_str)
    coef = np.asarray(nb.feature_log_prob_, dtype=np.float64)
    coef /= np.abs(coef).max()  # scale is free (argmax and temperature absorb it); keeps numbers readable
    labels = tuple(str(c) for c in nb.classes_)

    temperature = 1.0
    if calibrate_folds >= 2 and min(np.unique(y_str, return_counts=True)[1]) >= calibrate_folds:
        scores, y_idx = _oof_scores(rows, y_str, labels, calibrate_folds, seed, alpha)
        temperature = softmax_temperature(scores, y_idx)

    terms = vec.get_feature_names_out().tolist()
    digest = hashlib.sha256()
    for r, lab in zip(rows, y_str, strict=True):
        digest.update(f"{lab}\t{r.text}\n".encode())
    digest.update(f"{ALGORITHM}|{alpha}|{textmod.FEATURES_VERSION}".encode())
    names = category_names()
    counts = {lab: y_str.count(lab) for lab in labels}
    meta = {
        "algorithm": ALGORITHM,
        "alpha": alpha,
        "n_rows": len(rows),
        "class_counts": counts,
        "data_sha256": digest.hexdigest(),
        **(metadata or {}),
    }
    return LinearTextModel(
        labels=labels,
        vocabulary={t: i for i, t in enumerate(terms)},
        idf=round_sig(vec.idf_),
        coef=round_sig(coef),
        intercept=np.zeros(len(labels), dtype=np.float32),
        temperature=temperature,
        version=f"{name}-{digest.hexdigest()[:12]}",
        label_names={lab: names.get(lab, lab) for lab in labels},
        metadata=meta,
    )


def _oof_scores(
    rows: Sequence[Row], y_str: Sequence[str], labels: Sequence[str], folds: int, seed: int, alpha: float
) -> tuple[np.ndarray[Any, Any], list[int]]:
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    scores = np.zeros((len(rows), len(labels)))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(rows)), y_str):
        m = train([rows[i] for i in tr], alpha=alpha, calibrate_folds=0)
        s = m.decision_function(rows[i].text for i in te)
        for j, lab in enumerate(labels):
            if lab in m.labels:
                scores[te, j] = s[:, m.labels.index(lab)]
    return scores, [labels.index(v) for v in y_str]


# -- reports ---------------------------------------------------------------------------------------
@dataclass
class Report:
    labels: list[str]
    label_names: dict[str, str]
    macro_f1: float
    accuracy: float
    per_class: dict[str, dict[str, float]]  # label → precision, recall, f1, support
    confusion: list[list[int]]  # rows: true label, columns: predicted label (order of ``labels``)
    n: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "n": self.n,
            "labels": self.labels,
            "label_names": self.label_names,
            "per_class": self.per_class,
            "confusion": self.confusion,
            **self.extra,
        }

    def to_text(self) -> str:
        lines = [f"n={self.n}  macro-F1={self.macro_f1:.4f}  accuracy={self.accuracy:.4f}"]
        for k, v in self.extra.items():
            lines.append(f"{k}: {v}")
        lines.append(f"{'label':<6} {'name':<10} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>4}")
        for lab in self.labels:
            p = self.per_class[lab]
            name = self.label_names.get(lab, lab)
            lines.append(
                f"{lab:<6} {name:<10} {p['precision']:>6.3f} {p['recall']:>6.3f} {p['f1']:>6.3f} {int(p['support']):>4}"
            )
        lines.append("confusion (rows = true, columns = predicted): " + " ".join(self.labels))
        for lab, row in zip(self.labels, self.confusion, strict=True):
            lines.append(f"{lab:<6} " + " ".join(f"{v:>4}" for v in row))
        return "\n".join(lines)


def make_report(y_true: Sequence[str], y_pred: Sequence[str], **extra: Any) -> Report:
    from sklearn.metrics import (  # type: ignore[import-untyped]
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = sorted(set(y_true))
    names = category_names()
    return Report(
        labels=labels,
        label_names={lab: names.get(lab, lab) for lab in labels},
        macro_f1=round(float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)), 4),
        accuracy=round(float(accuracy_score(y_true, y_pred)), 4),
        per_class={
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        confusion=confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        n=len(y_true),
        extra=dict(extra),
    )


def cross_validate(rows: Sequence[Row], folds: int = 5, seed: int = 0, *, alpha: float = ALPHA) -> Report:
    """Stratified k-fold CV; every fold trains through ``train`` and predicts through the JSON-able model."""
    from sklearn.model_selection import StratifiedKFold

    mapping = label_codes(r.label for r in rows)
    y = [mapping[r.label] for r in rows]
    _check_classes(y)
    pred = [""] * len(rows)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(rows)), y):
        m = train([rows[i] for i in tr], alpha=alpha, calibrate_folds=0)
        for i, p in zip(te, m.predict_many(rows[i].text for i in te), strict=True):
            pred[i] = p.label
    return make_report(y, pred, folds=folds, seed=seed)


def evaluate(model: Any, rows: Sequence[Row]) -> Report:
    """Score any ``Classifier`` on labelled rows (labels mapped to taxonomy codes like in training)."""
    mapping = label_codes(r.label for r in rows)
    y = [mapping[r.label] for r in rows]
    pred = [p.label for p in model.predict_many([r.text for r in rows])]
    return make_report(y, pred)


# -- CLI -------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m gridgov.classify.train", description="训练 / 交叉验证 / 评估分类模型")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for cmd in ("train", "cv", "eval"):
        p = sub.add_parser(cmd)
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--csv", type=Path)
        src.add_argument("--xlsx", type=Path)
        p.add_argument("--text-columns", required=True, help="comma-separated, title first: 留言主题,留言详情")
        p.add_argument("--label-column", required=True)
        p.add_argument("--json", action="store_true", help="print the report as JSON")
        if cmd == "train":
            p.add_argument("--out", type=Path, required=True, help="model file (.json or .json.gz)")
            p.add_argument("--name", default="hotline")
            p.add_argument("--alpha", type=float, default=ALPHA)
        if cmd == "cv":
            p.add_argument("--folds", type=int, default=5)
            p.add_argument("--seeds", default="0", help="comma-separated CV seeds; the mean is reported too")
            p.add_argument("--alpha", type=float, default=ALPHA)
        if cmd == "eval":
            p.add_argument("--model", type=Path, help="model file; default: the shipped model")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    path: Path = args.csv or args.xlsx
    cols = [c.strip() for c in args.text_columns.split(",") if c.strip()]
    try:
        rows = read_table(path, cols, args.label_column)
        if args.cmd == "cv":
            seeds = [int(s) for s in args.seeds.split(",")]
            reports = [cross_validate(rows, args.folds, s, alpha=args.alpha) for s in seeds]
            for rep in reports:
                out.write((json.dumps(rep.to_dict(), ensure_ascii=False) if args.json else rep.to_text()) + "\n\n")
            if len(reports) > 1:
                mean = sum(r.macro_f1 for r in reports) / len(reports)
                out.write(f"mean macro-F1 over seeds {seeds}: {mean:.4f}\n")
        elif args.cmd == "train":
            model = train(rows, alpha=args.alpha, name=args.name, metadata={"source_file": path.name})
            model.save(args.out)
            out.write(
                f"wrote {args.out} version={model.version} labels={','.join(model.labels)} "
                f"features={len(model.vocabulary)} temperature={model.temperature}\n"
            )
        else:
            loaded = LinearTextModel.load(args.model) if args.model else load_default()
            if loaded is None:
                raise TrainingDataInvalid("没有找到已发布的模型，请用 --model 指定模型文件")
            rep = evaluate(loaded, rows)
            out.write((json.dumps(rep.to_dict(), ensure_ascii=False) if args.json else rep.to_text()) + "\n")
    except GridgovError as exc:
        sys.stderr.write(f"错误 [{exc.code}]: {exc.message}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
