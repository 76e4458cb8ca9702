"""Near-duplicate suggestions: each newcomer joins the cluster whose head it is most like (pure text, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from gridgov.classify.duplicates import shingles

CLUSTER_CANDIDATES = 5000  # cluster heads compared with each newcomer
CLUSTER_TEXT_CHARS = 300  # characters of the content compared (with the title)


@lru_cache(maxsize=20_000)
def _vector(text: str) -> tuple[dict[str, int], frozenset[str], float]:
    bag = shingles(text)
    return dict(bag), frozenset(bag), math.sqrt(sum(v * v for v in bag.values()))


def cluster_text(title: str, content: str) -> str:
    """What is compared for near-duplicates: the title and the start of the content."""
    return f"{title}\n{content[:CLUSTER_TEXT_CHARS]}"


def nearest_cluster(text: str, heads: Sequence[tuple[int, str]], threshold: float) -> tuple[int | None, float]:
    """The cluster head most like `text` with cosine ≥ threshold over character 2/3-grams, or (None, best).

    Heads sharing too few distinct n-grams to reach the threshold are skipped before the cosine is computed
    (a set intersection in C), which keeps a newcomer against thousands of heads in milliseconds."""
    mine, mine_keys, mine_norm = _vector(text)
    best_id, best = None, 0.0
    if not mine_norm:
        return None, 0.0
    for head_id, head_text in heads:
        theirs, their_keys, their_norm = _vector(head_text)
        if not their_norm or len(mine_keys & their_keys) < threshold * threshold * min(len(mine_keys), len(their_keys)):
            continue
        small, large = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
        score = sum(v * large.get(k, 0) for k, v in small.items()) / (mine_norm * their_norm)
        if score > best:
            best_id, best = head_id, score
    return (best_id, round(best, 4)) if best >= threshold and best_id is not None else (None, round(best, 4))
