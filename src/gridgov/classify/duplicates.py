"""Duplicate-case candidates: text similarity × nearness in space × nearness in time. Pure functions.

``score = cosine(text) × (1 − ½·d/R) × (1 − ½·Δt/T)``, and 0 beyond R metres or T days. Without
coordinates on both sides the place factor is 1 for the same street code and 0 for different streets;
when neither coordinates nor street codes are known it is 1 (text and time decide).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from gridgov.classify import text as textmod

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    at: datetime
    lat: float | None = None
    lon: float | None = None
    street_code: str | None = None


@dataclass(frozen=True)
class DuplicateParams:
    radius_m: float = 500.0
    window_days: float = 7.0
    threshold: float = 0.25


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    score: float
    text_similarity: float
    distance_m: float | None
    days_apart: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def shingles(text: str) -> Counter[str]:
    """Character 2- and 3-grams of the normalised text (digits folded), as a bag."""
    return Counter(textmod.char_ngrams(textmod.normalise(text), 2, 3))


@lru_cache(maxsize=50_000)
def _vector(text: str) -> tuple[dict[str, int], float]:
    """Shingles with their norm, remembered per text: an open case is compared with every newcomer nearby."""
    bag = shingles(text)
    return dict(bag), math.sqrt(sum(v * v for v in bag.values()))


def _cosine_vec(a: tuple[dict[str, int], float], b: tuple[dict[str, int], float]) -> float:
    (da, na), (db, nb) = a, b
    if not na or not nb:
        return 0.0
    if len(da) > len(db):
        da, db = db, da
    get = db.get
    return sum(v * get(k, 0) for k, v in da.items()) / (na * nb)


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)


def text_similarity(a: str, b: str) -> float:
    return cosine(shingles(a), shingles(b))


def place_factor(a: Message, b: Message, radius_m: float) -> tuple[float, float | None]:
    """(factor in [0.5, 1] or 0, distance in metres or None)."""
    if None not in (a.lat, a.lon, b.lat, b.lon):
        d = haversine_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
        return (0.0 if d > radius_m else 1.0 - 0.5 * d / radius_m), d
    if a.street_code and b.street_code:
        return (1.0 if a.street_code == b.street_code else 0.0), None
    return 1.0, None


def time_factor(days: float, window_days: float) -> float:
    return 0.0 if days > window_days else 1.0 - 0.5 * days / window_days


def score_pair(
    a: Message, b: Message, params: DuplicateParams = DuplicateParams(), similarity: float | None = None
) -> DuplicateCandidate:
    """Score of ``b`` as a duplicate of ``a``; non-increasing in distance and in time apart."""
    days = abs((a.at - b.at).total_seconds()) / 86400.0
    pf, dist = place_factor(a, b, params.radius_m)
    tf = time_factor(days, params.window_days)
    sim = text_similarity(a.text, b.text) if similarity is None else similarity
    return DuplicateCandidate(b.id, round(sim * pf * tf, 4), round(sim, 4), dist, round(days, 3))


def find_duplicates(
    new: Message, candidates: Iterable[Message], params: DuplicateParams = DuplicateParams(), limit: int = 5
) -> list[DuplicateCandidate]:
    """Open cases that look like ``new``, best first, with score ≥ ``params.threshold``."""
    base = _vector(new.text)
    out = []
    for c in candidates:
        if c.id == new.id:
            continue
        days = abs((new.at - c.at).total_seconds()) / 86400.0
        if days > params.window_days or place_factor(new, c, params.radius_m)[0] == 0.0:
            continue  # cheap filters before the text
        cand = score_pair(new, c, params, _cosine_vec(base, _vector(c.text)))
        if cand.score >= params.threshold:
            out.append(cand)
    out.sort(key=lambda c: (-c.score, c.id))
    return out[:limit]


@dataclass(frozen=True)
class PairLabel:
    a: Message
    b: Message
    duplicate: bool


def precision_recall(pairs: Sequence[PairLabel], params: DuplicateParams = DuplicateParams()) -> dict[str, float]:
    """Precision/recall/F1 of ``score_pair(...) ≥ threshold`` against labelled pairs."""
    tp = fp = fn = 0
    for p in pairs:
        hit = score_pair(p.a, p.b, params).score >= params.threshold
        tp += hit and p.duplicate
        fp += hit and not p.duplicate
        fn += (not hit) and p.duplicate
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "n_pairs": len(pairs),
        "n_positive": sum(p.duplicate for p in pairs),
    }


# -- a silver-standard pair set from TipDM 附件3 (no hand labels exist) ----------------------------
_ANON_PLACE = r"(?:西地省|[A-Z]\d*市|[A-Z]\d+区|[A-Z]\d+县|[A-Z]市)"


def _title_key(title: str) -> str:
    import re

    t = textmod.normalise(title)
    t = re.sub(_ANON_PLACE, "", t)
    return re.sub(r"[\W_]+", "", t)


def _longest_common(a: str, b: str) -> int:
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return int(m.size)


def silver_pairs(
    records: Sequence[dict[str, str]], window_days: float = 30.0, n_random_negatives: int = 2000, seed: int = 0
) -> list[PairLabel]:
    """Labelled pairs built from 附件3 rows (留言编号, 留言用户, 留言主题, 留言时间, 留言详情).

    Labels use titles and users only, never the bodies the scorer also reads:
    * positive: two messages ≤ ``window_days`` apart whose titles, with the anonymised places (A市, A3区,
      西地省 …) and punctuation removed, share a common substring of ≥ 6 characters (same named estate,
      road, school or company + the same complaint) — either the same user re-posting, or anyone with the
      identical stripped title;
    * hard negative: the same user, ≤ ``window_days`` apart, titles sharing < 3 characters in a row (the
      same person writing about another matter);
    * random negative: ``n_random_negatives`` pairs of different users ≤ ``window_days`` apart with titles
      sharing < 3 characters in a row (fixed seed).
    Pairs in between (3–5 shared characters) are left out as ambiguous.
    """
    import random
    from collections import defaultdict

    msgs = [
        Message(
            r["留言编号"], textmod.join_fields([r["留言主题"], r["留言详情"]]), datetime.fromisoformat(r["留言时间"])
        )
        for r in records
    ]
    keys = [_title_key(r["留言主题"]) for r in records]
    users = [r["留言用户"] for r in records]
    order = sorted(range(len(msgs)), key=lambda i: (msgs[i].at, msgs[i].id))
    pairs: list[PairLabel] = []
    seen: set[tuple[int, int]] = set()

    def close(i: int, j: int) -> bool:
        return abs((msgs[i].at - msgs[j].at).total_seconds()) <= window_days * 86400

    by_user: dict[str, list[int]] = defaultdict(list)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i in order:
        by_user[users[i]].append(i)
        if len(keys[i]) >= 6:
            by_key[keys[i]].append(i)
    for group, same_user in [*((g, True) for g in by_user.values()), *((g, False) for g in by_key.values())]:
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                i, j = group[x], group[y]
                if (i, j) in seen or not close(i, j):
                    continue
                lcs = len(keys[i]) if keys[i] == keys[j] else _longest_common(keys[i], keys[j])
                if lcs >= 6:
                    pairs.append(PairLabel(msgs[i], msgs[j], True))
                elif lcs < 3 and same_user:
                    pairs.append(PairLabel(msgs[i], msgs[j], False))
                else:
                    continue
                seen.add((i, j))
    rng = random.Random(seed)
    tries = 0
    added = 0
    while added < n_random_negatives and tries < n_random_negatives * 50:
        tries += 1
        x = rng.randrange(len(order))
        y = min(len(order) - 1, x + rng.randint(1, 60))
        i, j = order[x], order[y]
        if users[i] == users[j] or (i, j) in seen or not close(i, j):
            continue
        if _longest_common(keys[i], keys[j]) >= 3:
            continue
        seen.add((i, j))
        pairs.append(PairLabel(msgs[i], msgs[j], False))
        added += 1
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gridgov.classify.duplicates --csv 附件3_full_likes.csv [--threshold 0.35] [--window-days 30]``"""
    import argparse
    import csv
    import json
    import sys

    ap = argparse.ArgumentParser(prog="python -m gridgov.classify.duplicates")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--threshold", type=float, nargs="*", default=[DuplicateParams.threshold])
    ap.add_argument("--window-days", type=float, default=30.0)
    args = ap.parse_args(argv)
    with open(args.csv, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    pairs = silver_pairs(records, window_days=args.window_days)
    for th in args.threshold:
        res = precision_recall(pairs, DuplicateParams(window_days=args.window_days, threshold=th))
        sys.stdout.write(json.dumps({"threshold": th, "window_days": args.window_days, **res}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
