"""Routing from history: dispatchers' choices teach the unit proposal for (category, grid).

Every settled dispatch is an outcome: the unit kept the case (accepted it) or returned it (退回).
``RouteLearner`` counts outcomes at three local levels, (category, micro-grid) → (category, community) →
(category, street), and proposes the unit with the best net record at the most specific local level that
knows one better than the responsibility matrix's unit. A returned unit counts against itself, so a return
teaches the alternative: the unit that kept the case when it was dispatched again, or nobody (a person
decides) when the history knows no other. Without history the matrix's unit stands.

The learner is pure; ``outcomes(session)`` reads the dispatch history from ``case_events``, and
``replay(outcomes)`` measures how often the first proposal of each case, made only from earlier history,
names the unit that kept the case.

Where it plugs in: ``cases.queries._suggested_unit`` calls ``propose_unit(session, category, grid_code,
default_code)`` with the matrix's unit code as ``default_code``; the case page shows the proposal and its basis.
``RouteCache`` keeps one learner per database and folds in only new events, so a page view does not read the
whole history.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.grids.domain import PREFIX_LENGTH, GridLevel

RETURN_PENALTY = 2.0  # one return outweighs two kept cases of the same unit at the same level
MIN_SUPPORT = 1.0  # an alternative needs at least this net record
LOCAL_LEVELS = 3  # (category, grid), (category, community), (category, street): a unit kept in another
# street (its own street office, say) says nothing about this one


@dataclass(frozen=True)
class Outcome:
    """One dispatch of a case to a unit and what came of it."""

    case_id: int
    at: datetime
    category: str
    grid: str
    unit: str
    kept: bool  # True: the unit accepted the case; False: it returned it (退回)


@dataclass(frozen=True)
class Proposal:
    unit: str | None
    confidence: float  # share of the level's net record held by the proposed unit (0 for the matrix default)
    basis: str  # which level decided: "category+grid", …, "matrix"


def levels(category: str, grid: str) -> list[tuple[str, str, str]]:
    """(name, category key, grid key) from the most specific to the widest local level."""
    out = [
        ("category+grid", category, grid),
        ("category+community", category, grid[: PREFIX_LENGTH[GridLevel.COMMUNITY]]),
        ("category+street", category, grid[: PREFIX_LENGTH[GridLevel.STREET]]),
    ]
    seen: set[tuple[str, str]] = set()
    uniq = []
    for name, c, g in out:
        if (c, g) not in seen:
            seen.add((c, g))
            uniq.append((name, c, g))
    return uniq


@dataclass
class RouteLearner:
    kept: dict[tuple[str, str], dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    returned: dict[tuple[str, str], dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )

    def learn(self, o: Outcome) -> None:
        for _, c, g in levels(o.category, o.grid):
            (self.kept if o.kept else self.returned)[(c, g)][o.unit] += 1.0

    def learn_all(self, outcomes: Iterable[Outcome]) -> RouteLearner:
        for o in outcomes:
            self.learn(o)
        return self

    def net(self, key: tuple[str, str]) -> dict[str, float]:
        units = set(self.kept.get(key, {})) | set(self.returned.get(key, {}))
        return {
            u: self.kept.get(key, {}).get(u, 0.0) - RETURN_PENALTY * self.returned.get(key, {}).get(u, 0.0)
            for u in units
        }

    def record(self, category: str, grid: str, unit: str) -> tuple[int, float] | None:
        """(level index, net record) of a unit at the most specific level that knows it, among the local ones."""
        for i, (_, c, g) in enumerate(levels(category, grid)[:LOCAL_LEVELS]):
            net = self.net((c, g))
            if unit in net:
                return i, net[unit]
        return None

    def propose(self, category: str | None, grid: str | None, default: str | None = None) -> Proposal:
        """The matrix's ``default`` unless local history says otherwise.

        Only local levels (the grid, its community, its street) are consulted: a street office or a district
        bureau kept elsewhere in the city says nothing about this grid. Another unit replaces the default when
        it has a better net record than the default at its level; a default with a negative record (returned
        more than kept) is replaced by the best alternative, or by nothing (a person decides)."""
        if not category or not grid:
            return Proposal(default, 0.0, "matrix")
        local = levels(category, grid)[:LOCAL_LEVELS]
        mine = self.record(category, grid, default) if default else None
        for name, c, g in local:
            net = self.net((c, g))
            good = {u: v for u, v in net.items() if v >= MIN_SUPPORT and u != default}
            good = {u: v for u, v in good.items() if (r := self.record(category, grid, u)) is None or r[1] >= 0}
            if not good:
                continue
            best = max(sorted(good), key=lambda u: good[u])
            rival = net.get(default, 0.0) if default else 0.0
            if good[best] > rival or (mine is not None and mine[1] < 0):
                total = sum(v for v in net.values() if v > 0)
                return Proposal(best, round(good[best] / total, 4), name)
        if mine is not None and mine[1] < 0:
            return Proposal(None, 0.0, "matrix-returned")
        if mine is not None:
            name, c, g = local[mine[0]]
            total = sum(v for v in self.net((c, g)).values() if v > 0)
            return Proposal(default, round(mine[1] / total, 4) if total else 0.0, name)
        return Proposal(default, 0.0, "matrix")


def outcomes(session: Session) -> list[Outcome]:
    """Every settled dispatch in ``case_events``, oldest first: kept when the unit accepted it (签收), returned
    when it sent it back (退回). Dispatches still waiting for the unit's answer are left out."""
    rows = session.execute(
        select(
            CaseEvent.case_id,
            CaseEvent.action,
            CaseEvent.occurred_at,
            CaseEvent.payload,
            Case.category_code,
            Case.grid_code,
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action.in_(("dispatch", "accept", "return")))
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    ).all()
    out: list[Outcome] = []
    open_: dict[int, tuple[datetime, str, str, str]] = {}
    for case_id, action, at, payload, category, grid in rows:
        if action == "dispatch":
            unit = (payload or {}).get("unit_code")
            if unit and category and grid:
                open_[case_id] = (at, category, grid, unit)
        elif case_id in open_:
            t, c, g, u = open_.pop(case_id)
            out.append(Outcome(case_id, t, c, g, u, kept=action == "accept"))
    # a dispatch nobody has settled yet teaches nothing: the unit may still send it back
    out.sort(key=lambda o: (o.at, o.case_id))
    return out


@dataclass
class ReplayReport:
    cases: int  # cases whose first dispatch has a known settled unit
    hits: int  # the first proposal named the unit that kept the case
    matrix_hits: int  # the responsibility matrix alone would have
    returned_without_alternative: int  # cases returned and never re-dispatched (no unit kept them)
    proposed_returned_unit: int  # of those, the proposal still named the unit that returned it
    matrix_proposed_returned_unit: int

    @property
    def hit_rate(self) -> float:
        return round(self.hits / self.cases, 4) if self.cases else 0.0

    @property
    def matrix_hit_rate(self) -> float:
        return round(self.matrix_hits / self.cases, 4) if self.cases else 0.0

    def to_text(self) -> str:
        return (
            f"cases with a unit that kept them: {self.cases}\n"
            f"first proposal from history: {self.hits}/{self.cases} = {self.hit_rate:.4f}\n"
            f"responsibility matrix alone : {self.matrix_hits}/{self.cases} = {self.matrix_hit_rate:.4f}\n"
            f"returned, never re-dispatched: {self.returned_without_alternative} "
            f"(proposal still the returned unit: history {self.proposed_returned_unit}, "
            f"matrix {self.matrix_proposed_returned_unit})"
        )


def replay(history: Sequence[Outcome], matrix: Callable[[str, str], str | None]) -> ReplayReport:
    """Walk the history in time order; each case's first proposal sees only the outcomes before it."""
    by_case: dict[int, list[Outcome]] = defaultdict(list)
    for o in history:
        by_case[o.case_id].append(o)
    learner = RouteLearner()
    rep = ReplayReport(0, 0, 0, 0, 0, 0)
    proposed: dict[int, tuple[str | None, str | None]] = {}
    for o in history:
        if o.case_id not in proposed:
            default = matrix(o.category, o.grid)
            proposed[o.case_id] = (learner.propose(o.category, o.grid, default).unit, default)
            mine, base = proposed[o.case_id]
            steps = by_case[o.case_id]
            final = next((s.unit for s in reversed(steps) if s.kept), None)
            if final is None:
                rep.returned_without_alternative += 1
                rep.proposed_returned_unit += mine in {s.unit for s in steps}
                rep.matrix_proposed_returned_unit += base in {s.unit for s in steps}
            else:
                rep.cases += 1
                rep.hits += mine == final
                rep.matrix_hits += base == final
        learner.learn(o)
    return rep


def learner_from(session: Session) -> RouteLearner:
    return RouteLearner().learn_all(outcomes(session))


LOOKBACK_IDS = 1000  # events are re-read this far back: an id taken by a transaction that committed late still
# counts (ids come from a sequence in commit-independent order), and ``seen`` keeps it from counting twice


@dataclass
class _Folded:
    learner: RouteLearner = field(default_factory=RouteLearner)
    last_id: int = 0
    last_hash: str | None = None
    seen: set[int] = field(default_factory=set)  # ids above last_id - LOOKBACK_IDS already folded
    open_: dict[int, tuple[datetime, str, str, str]] = field(default_factory=dict)


class RouteCache:
    """One learner per database, kept up to date from the events appended since the last call.

    Counting outcomes is order-free, so each call folds in only the new ``dispatch`` / ``accept`` / ``return``
    events (an indexed range on the primary key) instead of reading the whole history. The cache checks that
    the last event it folded is still there with the same hash; when it is not (a database rebuilt or
    truncated, as tests do) it starts again from nothing. Each process keeps its own, from the same rows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _Folded()

    def learner(self, session: Session) -> RouteLearner:
        with self._lock:
            st = self._state
            if st.last_id and session.scalar(select(CaseEvent.hash).where(CaseEvent.id == st.last_id)) != st.last_hash:
                st = self._state = _Folded()
            self._fold(session, st)
            return st.learner

    @staticmethod
    def _fold(session: Session, st: _Folded) -> None:
        floor = max(0, st.last_id - LOOKBACK_IDS)
        actions = ("dispatch", "accept", "return")
        ids = session.scalars(
            select(CaseEvent.id).where(CaseEvent.id > floor, CaseEvent.action.in_(actions)).order_by(CaseEvent.id)
        ).all()
        new = [i for i in ids if i not in st.seen]
        if len(new) > 1000:  # a first call, or a long gap: one range read rather than many look-ups
            RouteCache._fold_rows(session, st, CaseEvent.id > floor, CaseEvent.action.in_(actions))
        elif new:
            RouteCache._fold_rows(session, st, CaseEvent.id.in_(new))
        st.seen = {i for i in st.seen if i > st.last_id - LOOKBACK_IDS}

    @staticmethod
    def _fold_rows(session: Session, st: _Folded, *where: ColumnElement[bool]) -> None:
        rows = session.execute(
            select(
                CaseEvent.id,
                CaseEvent.hash,
                CaseEvent.case_id,
                CaseEvent.action,
                CaseEvent.occurred_at,
                CaseEvent.payload,
                Case.category_code,
                Case.grid_code,
            )
            .join(Case, Case.id == CaseEvent.case_id)
            .where(*where)
            .order_by(CaseEvent.id)
        ).all()
        for event_id, event_hash, case_id, action, at, payload, category, grid in rows:
            if event_id in st.seen:
                continue
            st.seen.add(event_id)
            if event_id > st.last_id:
                st.last_id, st.last_hash = event_id, event_hash
            if action == "dispatch":
                unit = (payload or {}).get("unit_code")
                if unit and category and grid:
                    st.open_[case_id] = (at, category, grid, unit)
            elif case_id in st.open_:
                t, c, g, u = st.open_.pop(case_id)
                st.learner.learn(Outcome(case_id, t, c, g, u, kept=action == "accept"))


_CACHES: weakref.WeakKeyDictionary[object, RouteCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def route_cache(session: Session) -> RouteCache:
    """The process's cache for the session's database (its engine)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = RouteCache()
        return cache


BASIS_LABELS = {
    "matrix": "权属规则",
    "matrix-returned": "权属单位曾退回同类案件",
    "category+grid": "本网格同类案件的派遣记录",
    "category+community": "本社区同类案件的派遣记录",
    "category+street": "本街道同类案件的派遣记录",
}


def propose_unit(session: Session, category: str | None, grid_code: str | None, default_code: str | None) -> Proposal:
    """The history's proposal for a case (the matrix's ``default_code`` when history knows nothing better).

    Folds in only the events since the last call (``RouteCache``)."""
    return route_cache(session).learner(session).propose(category, grid_code, default_code)


def matrix_in_session(session: Session) -> Callable[[str, str], str | None]:
    """The responsibility matrix's unit code for (category, grid), memoised, None where it names none."""
    from gridgov.units.queries import responsible_unit_in_session
    from gridgov.units.services import NoResponsibleUnit

    memo: dict[tuple[str, str], str | None] = {}

    def matrix(category: str, grid: str) -> str | None:
        if (category, grid) not in memo:
            try:
                memo[(category, grid)] = responsible_unit_in_session(session, category, grid).code
            except NoResponsibleUnit:
                memo[(category, grid)] = None
        return memo[(category, grid)]

    return matrix


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gridgov.cases.routing --database-url URL``: the first proposal's hit rate on the history."""
    import argparse

    from sqlalchemy import create_engine

    ap = argparse.ArgumentParser(prog="python -m gridgov.cases.routing")
    ap.add_argument("--database-url", required=True)
    args = ap.parse_args(argv)
    engine = create_engine(args.database_url)
    with Session(engine) as session:
        history = outcomes(session)
        report = replay(history, matrix_in_session(session))
    engine.dispose()
    sys.stdout.write(f"settled dispatches: {len(history)} ({sum(not o.kept for o in history)} returned)\n")
    sys.stdout.write(report.to_text() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
