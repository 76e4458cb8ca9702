"""Performance formulas (pure). Every rate is None when its denominator is zero.

三率 (接诉即办):
  响应率 response_rate        = tasks responded (签收/退回/报到) within their response limit / tasks assigned
  解决率 resolution_rate      = evaluated cases judged resolved / evaluated cases
  满意率 satisfaction_rate    = evaluated cases rated 满意 or 基本满意 / evaluated cases
  综合 composite              = w_r·响应率 + w_s·解决率 + w_m·满意率 (default 30/35/35; weights of missing rates
                                are spread over the present ones)
数字城管:
  结案率 close_rate           = 结案数 / (应结案数 − 缓办数)
  按期结案率 on_time_close_rate = 按期结案数 / (应结案数 − 缓办数)
  返工率 rework_rate          = reworks / handled tasks
  延期率 postpone_rate        = postponed tasks / dispatched (primary) tasks
督办/回访 (issue 15, docs/supervision.md):
  督办件数 supervised          = 督办 issued in the period
  督办按期回复率 supervision_on_time_rate
                              = 督办 answered by their deadline / 督办 due (answered, or unanswered past the deadline)
  回访率 callback_reach_rate  = call-backs reached / call-backs finished (reached + 未回访 + 拒绝回访)
  回访满意率 callback_satisfaction_rate
                              = reached and rated 满意 or 基本满意 / reached (未回访 and 拒绝回访 give no verdict: in
                                neither part, as for 满意率, whose denominator is the evaluated cases)
"""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.actor import Role

# who may read units' figures and rankings: the people the leaders' dashboard is for (leaders, the command
# centre, street offices, admins). The dashboard, its ranking and ranking.xlsx and /api/v1/metrics/* share it.
RANKING_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.OPERATOR, Role.STREET, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class UnitCounts:
    assigned: int = 0  # tasks of every role, not cancelled
    responded_on_time: int = 0
    responded_late: int = 0
    dispatched: int = 0  # primary tasks
    should_close: int = 0  # 应结案数: primary tasks that were not returned
    deferred: int = 0  # 缓办数: of those, cases suspended
    closed: int = 0
    closed_on_time: int = 0
    handled: int = 0
    reworks: int = 0
    postponed: int = 0
    evaluated: int = 0
    resolved: int = 0
    satisfied: int = 0
    summoned: int = 0  # whistle tasks
    summoned_late: int = 0
    rating_sum: int = 0
    rated: int = 0
    # 12345 operations (issue 17): appeals (申诉/甄别) of the month's tasks
    appeals: int = 0  # 申诉数
    appeals_decided: int = 0
    appeals_upheld: int = 0


@dataclass(frozen=True, slots=True)
class Weights:
    response: float = 0.30
    resolution: float = 0.35
    satisfaction: float = 0.35


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den > 0 else None


def composite(rates: dict[str, float | None], weights: Weights) -> float | None:
    parts = [
        (rates["response_rate"], weights.response),
        (rates["resolution_rate"], weights.resolution),
        (rates["satisfaction_rate"], weights.satisfaction),
    ]
    present = [(r, w) for r, w in parts if r is not None]
    total = sum(w for _, w in present)
    if not present or total <= 0:
        return None
    return round(sum(r * w for r, w in present) / total, 4)


def rates(c: UnitCounts, weights: Weights) -> dict[str, float | None]:
    base = c.should_close - c.deferred
    out: dict[str, float | None] = {
        "response_rate": ratio(c.responded_on_time, c.assigned),
        "resolution_rate": ratio(c.resolved, c.evaluated),
        "satisfaction_rate": ratio(c.satisfied, c.evaluated),
        "close_rate": ratio(c.closed, base),
        "on_time_close_rate": ratio(c.closed_on_time, base),
        "rework_rate": ratio(c.reworks, c.handled),
        "postpone_rate": ratio(c.postponed, c.dispatched),
        "whistle_late_rate": ratio(c.summoned_late, c.summoned),
        "average_rating": round(c.rating_sum / c.rated, 2) if c.rated else None,
        "appeal_upheld_rate": ratio(c.appeals_upheld, c.appeals_decided),  # 申诉通过率 (issue 17)
    }
    out["composite"] = composite(out, weights)
    return out


def rank(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Order by composite (None last), then response rate; add 1-based rank (ties share a rank)."""

    def key(r: dict[str, object]) -> tuple[float, float]:
        comp = r["composite"]
        resp = r["response_rate"]
        return (-(comp if isinstance(comp, float) else -1.0), -(resp if isinstance(resp, float) else -1.0))

    ordered = sorted(rows, key=key)
    prev: tuple[float, float] | None = None
    position = 0
    for i, r in enumerate(ordered, start=1):
        k = key(r)
        if k != prev:
            position = i
            prev = k
        r["rank"] = position if r["composite"] is not None else None
    return ordered


# -- 督办/回访 (issue 15) -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SupervisionCounts:
    issued: int = 0  # 督办件数
    replied_on_time: int = 0
    replied_late: int = 0
    unanswered_overdue: int = 0  # past the deadline without an answer (still open, or escalated before the case closed)


def supervision_rates(c: SupervisionCounts) -> dict[str, float | None]:
    due = c.replied_on_time + c.replied_late + c.unanswered_overdue
    return {"supervision_on_time_rate": ratio(c.replied_on_time, due)}


@dataclass(frozen=True, slots=True)
class CallbackCounts:
    satisfied: int = 0  # reached, 满意 or 基本满意
    unsatisfied: int = 0  # reached, 不满意
    unreached: int = 0  # 未回访 (three failed calls)
    refused: int = 0  # 拒绝回访


def callback_rates(c: CallbackCounts) -> dict[str, float | None]:
    reached = c.satisfied + c.unsatisfied
    return {
        "callback_reach_rate": ratio(reached, reached + c.unreached + c.refused),
        "callback_satisfaction_rate": ratio(c.satisfied, reached),
    }
