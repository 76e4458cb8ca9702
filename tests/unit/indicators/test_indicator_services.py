"""The indicator use cases on the in-memory unit of work: one indicator of each source (computed, imported,
entered by hand) with 标杆, 标准 and a milestone, read on a street's scorecard and in a ranking; every change is
an event on the indicator's hash chain."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.indicator_sources import ComputedSource, Direction, Level, PeriodKind, SourceRequest
from gridgov.indicators import services
from gridgov.indicators.domain import MilestoneStatus, SourceKind
from gridgov.indicators.events import subject_of, verify
from gridgov.indicators.ports import IndicatorExists, UnitRef, UnknownSource, ValuesRejected, WrongSource
from gridgov.indicators.services import IndicatorDraft

from .fakes import FakeIndicatorsUnitOfWork, IndicatorData

NOW = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)  # 2025-10-20 10:00 Beijing
ADMIN = Actor(user_id=1, role=Role.ADMIN, unit_id=None, name="管理员")
STREETS = [
    UnitRef("410102001", "林山寨街道", "street_office", 11),
    UnitRef("410102002", "建设路街道", "street_office", 12),
]
STREET_A = Actor(user_id=7, role=Role.STREET, unit_id=11, name="林山寨")

# 按期结案率 by month, as the metrics feature would compute it
ON_TIME = {"2025-09": {"410102001": 98.0, "410102002": 99.6}, "2025-10": {"410102001": 99.1, "410102002": 97.0}}


def _on_time(request: SourceRequest) -> dict[str, float | None]:
    return dict(ON_TIME.get(request.period.label, {}))


SOURCE = ComputedSource(
    key="metrics.on_time_close_rate",
    name="按期结案率",
    unit="%",
    direction=Direction.HIGHER,
    levels=frozenset({Level.STREET}),
    periods=frozenset(PeriodKind),
    compute=_on_time,
)


@pytest.fixture
def uow() -> FakeIndicatorsUnitOfWork:
    return FakeIndicatorsUnitOfWork(IndicatorData(units=list(STREETS), sources={SOURCE.key: SOURCE}))


def _define_three(uow: FakeIndicatorsUnitOfWork) -> None:
    services.define_indicator(
        uow,
        IndicatorDraft("on_time", "按期结案率", Level.STREET, PeriodKind.MONTH, SourceKind.COMPUTED, SOURCE.key),
        ADMIN,
        NOW,
    )
    services.define_indicator(
        uow,
        IndicatorDraft("invest", "固定资产投资增速", Level.STREET, PeriodKind.MONTH, SourceKind.IMPORTED, unit="%"),
        ADMIN,
        NOW,
    )
    services.define_indicator(
        uow,
        IndicatorDraft(
            "complaints",
            "重复投诉件数",
            Level.STREET,
            PeriodKind.MONTH,
            SourceKind.MANUAL,
            unit="件",
            direction=Direction.LOWER,
        ),
        ADMIN,
        NOW,
    )


def test_a_computed_indicator_takes_its_unit_and_direction_from_the_source(uow: FakeIndicatorsUnitOfWork) -> None:
    _define_three(uow)
    on_time = uow.committed.indicators["on_time"]
    assert (on_time.unit, on_time.direction, on_time.source_key) == ("%", "higher", SOURCE.key)
    with pytest.raises(IndicatorExists):
        _define_three(uow)


def test_a_computed_indicator_needs_a_known_source_of_its_level(uow: FakeIndicatorsUnitOfWork) -> None:
    with pytest.raises(UnknownSource):
        services.define_indicator(
            uow, IndicatorDraft("x", "x", Level.STREET, PeriodKind.MONTH, SourceKind.COMPUTED, "nope.x"), ADMIN, NOW
        )
    with pytest.raises(ValidationFailed, match="只提供"):
        services.define_indicator(
            uow, IndicatorDraft("x", "x", Level.CITY, PeriodKind.MONTH, SourceKind.COMPUTED, SOURCE.key), ADMIN, NOW
        )


def test_only_the_command_centre_changes_indicators(uow: FakeIndicatorsUnitOfWork) -> None:
    with pytest.raises(PermissionDenied):
        services.define_indicator(
            uow, IndicatorDraft("x", "x", Level.STREET, PeriodKind.MONTH, SourceKind.MANUAL), STREET_A, NOW
        )


def test_a_benchmark_needs_its_source(uow: FakeIndicatorsUnitOfWork) -> None:
    _define_three(uow)
    with pytest.raises(ValidationFailed, match="标杆须注明来源"):
        services.set_targets(uow, "on_time", "410102001", 99.5, "", 99.0, ADMIN, NOW)


def test_manual_values_record_who_and_when_and_only_for_the_own_unit(uow: FakeIndicatorsUnitOfWork) -> None:
    _define_three(uow)
    services.enter_value(uow, "complaints", "410102001", "2025-10", 3, "月报", STREET_A, NOW)
    (row,) = uow.committed.values
    assert (row.entered_by, row.entered_by_id, row.entered_at, row.source_kind) == ("林山寨", 7, NOW, "manual")
    with pytest.raises(PermissionDenied, match="本单位"):
        services.enter_value(uow, "complaints", "410102002", "2025-10", 3, "", STREET_A, NOW)
    with pytest.raises(WrongSource):
        services.enter_value(uow, "on_time", "410102001", "2025-10", 3, "", ADMIN, NOW)
    with pytest.raises(ValidationFailed, match="按月统计"):
        services.enter_value(uow, "complaints", "410102001", "2025Q3", 3, "", ADMIN, NOW)


def test_an_import_with_a_bad_line_stores_nothing_and_names_it(uow: FakeIndicatorsUnitOfWork) -> None:
    _define_three(uow)
    bad = "单位编码,期间,数值\n410102001,2025-10,6.5\n410102002,2025-10,六\n999,2025-10,1\n".encode()
    with pytest.raises(ValuesRejected) as err:
        services.import_values(uow, "invest", bad, "invest.csv", ADMIN, NOW)
    assert [e["line"] for e in err.value.details["errors"]] == [3, 4]
    assert err.value.message.startswith("invest.csv 第 3 行 (数值)")
    assert uow.committed.values == []
    good = "单位编码,期间,数值\n410102001,2025-10,6.5\n410102002,2025-10,5.8\n".encode()
    assert services.import_values(uow, "invest", good, "invest.csv", ADMIN, NOW) == (2, 0)
    assert services.import_values(uow, "invest", good, "invest.csv", ADMIN, NOW) == (0, 2)


def _three_with_targets(uow: FakeIndicatorsUnitOfWork) -> None:
    _define_three(uow)
    services.set_targets(uow, "on_time", "410102001", 99.5, "杭州 2025 按期结案率 99.5%", 99.0, ADMIN, NOW)
    services.add_milestone(uow, "on_time", "410102001", date(2025, 9, 30), 99.0, "三季度末达标", ADMIN, NOW)
    services.add_milestone(uow, "on_time", "410102001", date(2025, 12, 31), 99.5, "年底达标杆", ADMIN, NOW)
    services.set_targets(uow, "invest", "410102001", 8.0, "全省街道平均", 6.0, ADMIN, NOW)
    services.add_milestone(uow, "invest", "410102001", date(2025, 10, 31), 6.0, "", ADMIN, NOW)
    services.set_targets(uow, "complaints", "410102001", 1, "金水区最好街道", 5, ADMIN, NOW)
    services.add_milestone(uow, "complaints", "410102001", date(2025, 10, 15), 2, "", ADMIN, NOW)
    services.import_values(
        uow,
        "invest",
        "单位编码,期间,数值\n410102001,2025-10,6.5\n410102002,2025-10,5.8\n".encode(),
        "i.csv",
        ADMIN,
        NOW,
    )
    services.enter_value(uow, "complaints", "410102001", "2025-10", 3, "", STREET_A, NOW)
    services.enter_value(uow, "complaints", "410102002", "2025-10", 4, "", ADMIN, NOW)


def test_the_scorecard_shows_value_gap_trend_milestones_and_rank(uow: FakeIndicatorsUnitOfWork) -> None:
    _three_with_targets(uow)
    card = services.scorecard(uow, "410102001", "2025-10", NOW)
    by_code = {c.code: c for c in card.cards}
    on_time = by_code["on_time"]
    assert on_time.value == 99.1 and on_time.vs_standard == pytest.approx(0.1) and on_time.meets_standard
    assert on_time.vs_benchmark == pytest.approx(-0.4) and on_time.reached_benchmark is False
    assert on_time.benchmark_source == "杭州 2025 按期结案率 99.5%"
    assert (on_time.rank.rank, on_time.rank.from_bottom, on_time.rank.total) == (1, 2, 2)  # type: ignore[union-attr]
    assert on_time.trend[-2:] == [("2025-09", 98.0), ("2025-10", 99.1)] and len(on_time.trend) == 12
    # 2025-09-30 passed with September at 98.0 < 99.0: late; the year-end one is ahead
    assert [m.status for m in on_time.milestones] == [MilestoneStatus.LATE, MilestoneStatus.ON_TIME]
    invest = by_code["invest"]
    assert invest.value == 6.5 and invest.meets_standard and invest.milestones[0].status is MilestoneStatus.MET
    assert invest.entered_by == "管理员" and invest.source_kind is SourceKind.IMPORTED
    complaints = by_code["complaints"]
    assert complaints.direction is Direction.LOWER and complaints.vs_standard == 2 and complaints.meets_standard
    assert complaints.vs_benchmark == -2 and complaints.rank.rank == 1  # type: ignore[union-attr]
    assert complaints.milestones[0].status is MilestoneStatus.LATE  # 15 Oct passed, October at 3 > 2
    assert complaints.entered_by == "林山寨"


def test_the_ranking_weighs_indicators_by_the_schemes_weights(uow: FakeIndicatorsUnitOfWork) -> None:
    _three_with_targets(uow)
    services.save_scheme(
        uow, "streets", "街道三标综合排名", Level.STREET, {"on_time": 50, "invest": 30, "complaints": 20}, ADMIN, NOW
    )
    result = services.ranking(uow, "streets", "2025-10", NOW)
    rows = {r.unit.code: r for r in result.rows}
    # 410102001 is best on all three: 100; 410102002 worst on all three: 0
    assert rows["410102001"].score == 100 and rows["410102002"].score == 0
    assert [r.unit.code for r in result.rows] == ["410102001", "410102002"]
    services.save_scheme(uow, "streets", "街道三标综合排名", Level.STREET, {"on_time": 0, "invest": 1}, ADMIN, NOW)
    assert services.ranking(uow, "streets", "2025-10", NOW).rows[0].unit.code == "410102001"
    with pytest.raises(ValidationFailed):
        services.save_scheme(uow, "streets", "x", Level.CITY, {"on_time": 1}, ADMIN, NOW)
    card = services.scorecard(uow, "410102002", "2025-10", NOW)
    assert card.composites[0].rank is not None and card.composites[0].rank.from_bottom == 1


def test_the_panel_counts_units_meeting_standard_and_benchmark(uow: FakeIndicatorsUnitOfWork) -> None:
    _three_with_targets(uow)
    panel = services.panel(uow, Level.STREET, "2025-10", NOW)
    on_time = next(i for i in panel["indicators"] if i["code"] == "on_time")  # type: ignore[union-attr,index]
    assert on_time["meets_standard"] == 1 and on_time["reached_benchmark"] == 0
    assert on_time["milestones"] == {"met": 0, "on_time": 1, "late": 1}
    assert on_time["best"]["unit_name"] == "林山寨街道" and on_time["last"]["unit_name"] == "建设路街道"


def test_every_change_is_an_event_on_an_unbroken_chain(uow: FakeIndicatorsUnitOfWork) -> None:
    _three_with_targets(uow)
    indicator = uow.committed.indicators["on_time"]
    events = [e for e in uow.committed.events if e.subject == subject_of("indicator", "on_time")]
    assert [e.event_type for e in events] == ["indicator_defined", "targets_set", "milestone_added", "milestone_added"]
    rows = [
        {
            c: getattr(e, c)
            for c in (
                "id",
                "seq",
                "event_type",
                "tag",
                "action",
                "actor_id",
                "actor_role",
                "unit_id",
                "occurred_at",
                "payload",
                "prev_hash",
                "hash",
            )
        }
        for e in events
    ]
    assert verify(indicator.id, "indicator:on_time", rows, indicator.event_count, indicator.last_event_hash) is None
    tampered = [dict(r) for r in rows]
    tampered[1]["payload"] = {**rows[1]["payload"], "after": {"benchmark": 90}}
    problem = verify(indicator.id, "indicator:on_time", tampered, indicator.event_count, indicator.last_event_hash)
    assert problem is not None and problem.seq == 2
    short = verify(indicator.id, "indicator:on_time", rows[:3], indicator.event_count, indicator.last_event_hash)
    assert short is not None and "末尾事件被删除" in short.problem


def test_removing_a_milestone_is_recorded_too(uow: FakeIndicatorsUnitOfWork) -> None:
    _three_with_targets(uow)
    first = uow.committed.milestones[0]
    services.remove_milestone(uow, "on_time", first.id, ADMIN, NOW)
    assert first.id not in {m.id for m in uow.committed.milestones}
    assert uow.committed.events[-1].event_type == "milestone_removed"
    assert uow.committed.events[-1].payload["due"] == "2025-09-30"
