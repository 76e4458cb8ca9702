"""Routing from history (gridgov.cases.routing): dispatchers' overrides and returns teach the unit proposal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gridgov.cases.routing import Outcome, RouteLearner, replay

GRID = "410105001001001"
NEIGHBOUR = "410105001001002"  # same community
ELSEWHERE = "410105002001001"  # another street
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def o(case: int, unit: str, kept: bool = True, grid: str = GRID, category: str = "H0101", day: int = 0) -> Outcome:
    return Outcome(case, T0 + timedelta(days=day or case, minutes=0 if kept else 1), category, grid, unit, kept)


def test_without_history_the_matrix_unit_stands() -> None:
    p = RouteLearner().propose("H0101", GRID, "zj")
    assert (p.unit, p.basis, p.confidence) == ("zj", "matrix", 0.0)


def test_a_dispatchers_override_becomes_the_proposal_for_that_grid_and_its_community() -> None:
    learner = RouteLearner().learn_all([o(1, "cg"), o(2, "cg")])
    assert learner.propose("H0101", GRID, "zj").unit == "cg"
    assert learner.propose("H0101", NEIGHBOUR, "zj").basis == "category+community"
    assert learner.propose("H0101", ELSEWHERE, "zj").unit == "zj"  # another street: history says nothing
    assert learner.propose("H0201", GRID, "sthj").unit == "sthj"  # another category


def test_a_return_teaches_the_alternative_that_kept_the_case() -> None:
    learner = RouteLearner().learn_all([o(1, "zj", kept=False), o(1, "cg", kept=True)])
    p = learner.propose("H0101", GRID, "zj")
    assert p.unit == "cg" and p.basis == "category+grid" and p.confidence == 1.0


def test_a_return_with_no_known_alternative_leaves_it_to_a_person() -> None:
    p = RouteLearner().learn_all([o(1, "zj", kept=False)]).propose("H0101", GRID, "zj")
    assert p.unit is None and p.basis == "matrix-returned"


def test_one_return_among_many_kept_cases_does_not_move_the_proposal() -> None:
    learner = RouteLearner().learn_all([o(i, "zj") for i in range(1, 6)] + [o(6, "zj", kept=False)])
    p = learner.propose("H0101", GRID, "zj")
    assert p.unit == "zj" and p.basis == "category+grid"


def test_replay_sees_only_earlier_history() -> None:
    history = [o(1, "zj", kept=False), o(1, "cg"), o(2, "cg"), o(3, "cg")]
    rep = replay(history, lambda category, grid: "zj")
    # case 1: nothing known yet, the matrix's zj is proposed and cg kept it (a miss for both);
    # cases 2 and 3: history proposes cg (hits), the matrix still says zj
    assert (rep.cases, rep.hits, rep.matrix_hits) == (3, 2, 0)
    assert rep.hit_rate == 0.6667 and rep.returned_without_alternative == 0
