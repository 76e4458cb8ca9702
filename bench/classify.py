"""Classifier benchmark: texts/s on one core and per-text latency of predict(), next to baselines, in one run.

    .venv/bin/python bench/classify.py                       # texts from ../shared/data/tipdm2020c
    .venv/bin/python bench/classify.py --n 2000 --repeat 3
    .venv/bin/python bench/classify.py --smoke               # 100 texts, once: checks that it runs

Figures (all single-threaded: OMP/MKL/OPENBLAS threads are set to 1 before numpy loads):
  shipped model  predict_many() in batches of 256 (texts/s) and predict() one text at a time (p50/p99 ms)
  + second level the shipped model followed by the second-level keyword proposer (second_level.SecondLevel)
  sklearn pipe   the same features through a bare scikit-learn TfidfVectorizer + ComplementNB .predict()
  keywords       the keyword fallback classifier
Without the shared data, synthetic texts built from the taxonomy names are used.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from gridgov.classify import text as textmod  # noqa: E402
from gridgov.classify.keywords import KeywordClassifier, read_taxonomy  # noqa: E402
from gridgov.classify.model import load_default  # noqa: E402
from gridgov.classify.second_level import SecondLevel  # noqa: E402

from _common import add_smoke, apply_smoke  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tipdm2020c"


def load_texts(n: int) -> tuple[list[str], str]:
    path = SHARED / "测试数据_unlabeled.csv"
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            texts = [textmod.join_fields([r["留言主题"], r["留言详情"]]) for r in csv.DictReader(fh)]
        return (texts * (n // len(texts) + 1))[:n], f"{path.name} (mean {sum(map(len, texts)) / len(texts):.0f} chars)"
    rng = random.Random(0)
    names = [c.name for c in read_taxonomy()]
    return ["，".join(rng.choices(names, k=40)) for _ in range(n)], "synthetic taxonomy-name texts"


def rate(fn, texts: list[str], batch: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(0, len(texts), batch):
            fn(texts[i : i + batch])
        best = max(best, len(texts) / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256)
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), n=100, repeat=1, batch=32)
    texts, source = load_texts(args.n)
    model = load_default()
    if model is None:
        raise SystemExit("no shipped model in gridgov/classify/data")
    print(f"texts: {len(texts)} from {source}; model {model.version}, {len(model.vocabulary)} features")
    model.predict_many(texts[:50])  # warm rjieba's dictionary

    r = rate(model.predict_many, texts, args.batch, args.repeat)
    c0 = time.process_time()
    model.predict_many(texts)
    cpu_rate = len(texts) / max(time.process_time() - c0, 1e-9)
    lat = []
    for t in texts[:500]:
        t0 = time.perf_counter()
        model.predict(t)
        lat.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(lat, n=100)
    print(f"shipped model : {r:8.0f} texts/s (batch {args.batch}); predict() p50 {q[49]:.2f} ms, p99 {q[98]:.2f} ms")
    print(f"  per CPU-second: {cpu_rate:8.0f} texts/s (process time: what one core does when it is not shared)")

    second = SecondLevel.from_taxonomy()

    def two_levels(batch: list[str]) -> None:
        for t, p in zip(batch, model.predict_many(batch), strict=True):
            second.propose(t, p.label)

    r_two = rate(two_levels, texts, args.batch, args.repeat)
    print(f"  + second level: {r_two:8.0f} texts/s (the shipped model, then the 12345 second-level proposer)")

    t0 = time.perf_counter()
    feats = [textmod.features(t) for t in texts]
    print(f"  of which features(): {len(texts) / (time.perf_counter() - t0):8.0f} texts/s")

    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
        from sklearn.naive_bayes import ComplementNB  # type: ignore[import-untyped]

        def ident(x: list[str]) -> list[str]:
            return x

        vec = TfidfVectorizer(analyzer=ident, lowercase=False)
        fit = feats[:330]  # fewer when --n is smaller
        x = vec.fit_transform(fit)
        nb = ComplementNB(alpha=0.01, norm=True).fit(x, [i % 7 for i in range(len(fit))])
        r2 = rate(lambda b: nb.predict(vec.transform([textmod.features(t) for t in b])), texts, args.batch, args.repeat)
        print(f"sklearn pipe  : {r2:8.0f} texts/s (same features, TfidfVectorizer+ComplementNB.predict)")
    except ImportError:
        print("sklearn pipe  : scikit-learn not installed")

    kw = KeywordClassifier.from_taxonomy()
    r3 = rate(kw.predict_many, texts, args.batch, args.repeat)
    print(
        f"keywords      : {r3:8.0f} texts/s (fallback rule classifier, {sum(map(len, kw.keywords.values()))} keywords)"
    )


if __name__ == "__main__":
    main()
