"""Hot topics (每月一题): cluster recent messages into ranked topics. Deterministic, pure numpy/scipy.

Messages are embedded as L2-normalised TF-IDF of character 2–3-grams of the title (counted twice) and
the body; pairs with cosine ≥ ``threshold`` are linked and topics are the connected components (every
step is order-independent, so the result never depends on a random seed). Topics are ranked by
``heat = messages × (1 + ln(1 + likes))``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from gridgov.classify import text as textmod

# Places as written in messages: anonymised units (A3区, A7县), named roads, estates, villages, schools.
_PLACE = re.compile(
    r"[A-Z]\d+[区县市]|[\u4e00-\u9fa5]{2,6}?(?:路|街道|大道|小区|社区|村|镇|乡|花园|广场|公寓|学校|中学|小学|医院|公司)"
)
_PLACE_PREFIX = re.compile(r"^(?:[A-Z]\d*[市区县]|[市区县]|西地省|关于|反映|投诉|请求|建议|咨询|举报|请问|希望|在|的)+")


@dataclass(frozen=True)
class TopicMessage:
    id: str
    title: str
    body: str
    at: datetime
    likes: int = 0
    place: str | None = None


@dataclass(frozen=True)
class Topic:
    rank: int
    heat: float
    count: int
    likes: int
    first: datetime
    last: datetime
    titles: tuple[str, ...]  # representative titles, most central first
    places: tuple[tuple[str, int], ...]  # most mentioned places with counts
    message_ids: tuple[str, ...]


def places_in(text: str) -> list[str]:
    out = []
    for m in _PLACE.findall(unicodedata.normalize("NFKC", text)):
        p = _PLACE_PREFIX.sub("", m)
        if len(p) >= 2:
            out.append(p)
    return out


def _vectors(msgs: Sequence[TopicMessage]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, m in enumerate(msgs):
        t = textmod.normalise(m.title)
        grams = Counter(textmod.char_ngrams(t, 2, 3) * 2 + textmod.char_ngrams(textmod.normalise(m.body), 2, 3))
        for g, c in grams.items():
            rows.append(r)
            cols.append(vocab.setdefault(g, len(vocab)))
            vals.append(float(c))
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(msgs), len(vocab)))
    df = np.bincount(x.indices, minlength=len(vocab))
    idf = np.log((1 + len(msgs)) / (1 + df)) + 1.0
    x = x.multiply(idf).tocsr()
    x.data = np.log1p(x.data)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ x


def hot_topics(
    msgs: Sequence[TopicMessage],
    *,
    now: datetime | None = None,
    days: int | None = None,
    threshold: float = 0.35,
    min_count: int = 2,
    top: int = 10,
    n_titles: int = 3,
) -> list[Topic]:
    """Ranked topics of the messages of the last ``days`` days before ``now`` (all when ``days`` is None)."""
    if days is not None:
        end = now or max(m.at for m in msgs)
        msgs = [m for m in msgs if end - timedelta(days=days) <= m.at <= end]
    msgs = sorted(msgs, key=lambda m: (m.at, m.id))
    if not msgs:
        return []
    x = _vectors(msgs)
    sim = (x @ x.T).tocsr()
    sim.data[sim.data < threshold] = 0.0
    sim.eliminate_zeros()
    _, comp = connected_components(sim, directed=False)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(comp):
        groups.setdefault(int(c), []).append(i)
    topics = []
    for members in groups.values():
        if len(members) < min_count:
            continue
        centroid = np.asarray(x[members].mean(axis=0)).ravel()
        central = np.asarray(x[members] @ centroid).ravel()
        order = [members[k] for k in np.lexsort((np.asarray(members), -central))]
        titles: list[str] = []
        for k in order:
            if msgs[k].title not in titles:
                titles.append(msgs[k].title)
            if len(titles) == n_titles:
                break
        likes = sum(msgs[k].likes for k in members)
        places: Counter[str] = Counter()
        for k in members:
            found = places_in(msgs[k].title)
            place = msgs[k].place
            if place:
                found.append(place)
            places.update(set(found))
        heat = len(members) * (1.0 + math.log1p(likes))
        topics.append(
            Topic(
                rank=0,
                heat=round(heat, 3),
                count=len(members),
                likes=likes,
                first=min(msgs[k].at for k in members),
                last=max(msgs[k].at for k in members),
                titles=tuple(titles),
                places=tuple(sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
                message_ids=tuple(msgs[k].id for k in sorted(members)),
            )
        )
    topics.sort(key=lambda t: (-t.heat, -t.count, t.message_ids[0]))
    return [
        Topic(i + 1, t.heat, t.count, t.likes, t.first, t.last, t.titles, t.places, t.message_ids)
        for i, t in enumerate(topics[:top])
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gridgov.classify.topics --csv 附件3_full_likes.csv [--days N] [--top 5]``"""
    import argparse
    import csv
    import sys

    ap = argparse.ArgumentParser(prog="python -m gridgov.classify.topics")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.35)
    args = ap.parse_args(argv)
    with open(args.csv, encoding="utf-8-sig", newline="") as fh:
        msgs = [
            TopicMessage(
                r["留言编号"],
                r["留言主题"],
                r["留言详情"],
                datetime.fromisoformat(r["留言时间"]),
                int(r.get("点赞数") or 0),
            )
            for r in csv.DictReader(fh)
        ]
    for t in hot_topics(msgs, days=args.days, top=args.top, threshold=args.threshold):
        sys.stdout.write(
            f"#{t.rank} heat={t.heat} messages={t.count} likes={t.likes} "
            f"{t.first:%Y-%m-%d}..{t.last:%Y-%m-%d}\n"
            f"   places: {', '.join(f'{p}({n})' for p, n in t.places)}\n"
            + "".join(f"   - {title}\n" for title in t.titles)
            + f"   ids: {' '.join(t.message_ids[:12])}{' …' if len(t.message_ids) > 12 else ''}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
