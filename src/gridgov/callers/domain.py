"""重复来电 (issue 17): the same caller (matched on the keyed hash of the phone, gridgov.signing.caller_key) with a
similar matter within the window is proposed as a 重复件 of the earlier case; a caller with many calls in the
window is flagged 多次来电. Pure: the earlier calls and the time are passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridgov.accounts.domain import Role
from gridgov.classify.duplicates import text_similarity

# who looks callers up (the console's staff); of them, who sees the earlier cases' text and reporters unmasked
READ_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN, Role.LEADER})
UNMASKED_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class RepeatPolicy:
    window_days: int = 30  # GRIDGOV_REPEAT_WINDOW_DAYS: how far back a caller's calls are looked at
    frequent_calls: int = (
        3  # GRIDGOV_REPEAT_FREQUENT_CALLS: this many calls in the window (this one included): 多次来电
    )
    similarity: float = 0.25  # GRIDGOV_REPEAT_SIMILARITY: text similarity (classify.duplicates) for a 重复件

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.window_days)


@dataclass(frozen=True, slots=True)
class EarlierCall:
    case_id: int
    text: str  # title and description
    at: datetime
    open: bool  # a 重复件 is merged into an open case only (并案)
    merged: bool  # itself already a 重复件 of another case


@dataclass(frozen=True, slots=True)
class Match:
    case_id: int
    similarity: float
    repeat: bool  # similar enough, and open: proposed as the case this call repeats


@dataclass(frozen=True, slots=True)
class Assessment:
    calls: int  # the caller's calls in the window, this one included
    frequent: bool  # 多次来电
    matches: tuple[Match, ...]  # the earlier calls, newest first
    proposed: int | None  # the earlier case this call is proposed as a 重复件 of


def assess(
    earlier: Sequence[EarlierCall], text: str, now: datetime, policy: RepeatPolicy, *, counted: bool
) -> Assessment:
    """The caller's earlier calls within the window, and which one this call repeats. `counted`: whether this
    call is itself among `earlier` (a filed case) or still being taken (the console)."""
    since = policy.since(now)
    inside = sorted((c for c in earlier if since <= c.at <= now), key=lambda c: c.at, reverse=True)
    calls = len(inside) + (0 if counted else 1)
    matches = []
    best: tuple[float, int] | None = None
    for c in inside:
        score = round(text_similarity(text, c.text), 4) if text.strip() else 0.0
        repeat = score >= policy.similarity and c.open and not c.merged
        matches.append(Match(c.case_id, score, repeat))
        if repeat and (best is None or score > best[0]):
            best = (score, c.case_id)
    return Assessment(calls, calls >= policy.frequent_calls, tuple(matches), best[1] if best else None)
