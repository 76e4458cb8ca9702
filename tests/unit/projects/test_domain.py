"""三个一批's pure rules: the stage table, the thresholds as data, the phase-list rules, dates, photos, rates, ranking,
guards and commands."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from gridgov.actor import Actor, Role
from gridgov.clock import SHANGHAI
from gridgov.errors import InvalidTransition, ValidationFailed
from gridgov.projects import commands
from gridgov.projects.domain import (
    TRANSITIONS,
    Action,
    ListKind,
    Measure,
    ProjectStatus,
    Sector,
    SizeBand,
    StatusKind,
    chinese_number,
    distance_m,
    growth,
    next_status,
    phase_entry_refusal,
    phase_name,
    photo_refusal,
    rank,
    rate,
    score,
    size_band,
    stage_date_refusal,
    threshold_refusal,
)
from gridgov.projects.guards import GUARDS, ProjectFacts, actions_for
from gridgov.projects.rules import parse_thresholds, shipped_rules

S, A = ProjectStatus, Action
RULES = shipped_rules()
DISPATCHER = Actor(1, Role.DISPATCHER, 1)
LEADER = Actor(2, Role.LEADER, None)


def test_the_stages_go_sign_honour_start_produce_reach_in_that_order_only() -> None:
    status = S.SIGNED
    for action, after in (
        (A.HONOUR, S.HONOURED),
        (A.START, S.STARTED),
        (A.PRODUCE, S.PRODUCING),
        (A.REACH, S.EFFECTIVE),
    ):
        status = next_status(status, action)
        assert status is after
    assert status.kind is StatusKind.CLOSED
    for skip in ((S.SIGNED, A.START), (S.HONOURED, A.PRODUCE), (S.STARTED, A.REACH), (S.EFFECTIVE, A.WITHDRAW)):
        with pytest.raises(InvalidTransition, match="不能执行"):
            next_status(*skip)


def test_only_the_yearly_adjustment_takes_a_project_off_and_nothing_follows_it() -> None:
    for s in (S.SIGNED, S.HONOURED, S.STARTED, S.PRODUCING):
        assert next_status(s, A.WITHDRAW) is S.WITHDRAWN
    assert S.WITHDRAWN.kind is StatusKind.CLOSED
    assert not [a for (s, a) in TRANSITIONS if s is S.WITHDRAWN]


def test_entry_thresholds_are_the_published_examples_read_from_the_shipped_data() -> None:
    t = RULES.thresholds
    below = threshold_refusal(t, Sector.MANUFACTURING, 29_999, False)
    assert below == "制造业项目总投资须不低于 3 亿元，本项目 2.9999 亿元"
    assert threshold_refusal(t, Sector.MANUFACTURING, 30_000, False) is None
    assert threshold_refusal(t, Sector.MANUFACTURING, 10_000, True) is None  # 招商引资: ≥1亿
    assert "招商引资" in (threshold_refusal(t, Sector.MANUFACTURING, 9_999, True) or "")
    assert threshold_refusal(t, Sector.EMERGING, 10_000, False) is None  # 战新: ≥1亿
    assert threshold_refusal(t, Sector.INFRASTRUCTURE, 99_999, True) is not None  # ≥10亿, 招商引资 or not
    assert threshold_refusal(t, Sector.SERVICES, 50_000, False) is None
    assert threshold_refusal(t, Sector.LIVELIHOOD, 19_999, False) is not None


def test_thresholds_change_with_the_data_not_the_code() -> None:
    csv = "sector,label,min_total_yi,min_total_attracted_yi,note\nmanufacturing,制造业,5,2,\n"
    t = parse_thresholds(csv)
    assert threshold_refusal(t, Sector.MANUFACTURING, 40_000, False) is not None
    assert threshold_refusal(t, Sector.MANUFACTURING, 20_000, True) is None
    assert threshold_refusal(t, Sector.SERVICES, 10**9, False) == "行业「现代服务业」没有入库门槛"


def test_a_start_list_takes_from_earlier_signing_lists_and_a_production_list_from_earlier_start_lists() -> None:
    assert phase_entry_refusal(ListKind.STARTED, 10, 9) is None
    assert "只能列入之后期次" in (phase_entry_refusal(ListKind.STARTED, 9, 9) or "")
    assert "只能列入之后期次" in (phase_entry_refusal(ListKind.STARTED, 8, 9) or "")
    assert phase_entry_refusal(ListKind.PRODUCING, 11, 10) is None
    assert "不在任何一期的「开工一批」" in (phase_entry_refusal(ListKind.PRODUCING, 11, None) or "")
    assert phase_entry_refusal(ListKind.SIGNED, 1, None) is None


def test_stage_dates_are_in_order_not_in_the_future_and_by_the_phase_date() -> None:
    today = date(2025, 9, 26)
    assert stage_date_refusal(A.START, date(2025, 9, 1), date(2025, 8, 1), date(2025, 9, 26), today) is None
    assert "晚于今天" in (stage_date_refusal(A.START, date(2025, 9, 27), None, None, today) or "")
    assert "早于上一阶段" in (stage_date_refusal(A.START, date(2025, 7, 1), date(2025, 8, 1), None, today) or "")
    assert "晚于该期活动日期" in (stage_date_refusal(A.START, date(2025, 9, 20), None, date(2025, 9, 1), today) or "")


def test_an_on_site_photo_is_near_the_project_recent_and_says_where_and_when() -> None:
    now = datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
    home = (34.75, 113.62)
    ok = (34.75 + 500 / 111_320, 113.62)
    assert photo_refusal(home, ok, now - timedelta(hours=2), now, 1000, 60) is None
    assert "超过 1,000 米" in (photo_refusal(home, (34.80, 113.62), now, now, 1000, 60) or "")
    assert "超过 60 天" in (photo_refusal(home, ok, now - timedelta(days=61), now, 1000, 60) or "")
    assert "晚于当前时间" in (photo_refusal(home, ok, now + timedelta(hours=1), now, 1000, 60) or "")
    assert "须注明拍摄位置" in (photo_refusal(home, None, now, now, 1000, 60) or "")
    assert "项目没有位置" in (photo_refusal(None, ok, now, now, 1000, 60) or "")
    assert distance_m(34.75, 113.62, 34.76, 113.62) == pytest.approx(1112, rel=0.01)


def test_size_bands_phase_names_and_numbers() -> None:
    bands = RULES.size_bands_yi
    assert [size_band(w, bands) for w in (99_999, 100_000, 500_000, 1_000_000)] == [
        SizeBand.SMALL,
        SizeBand.TEN,
        SizeBand.FIFTY,
        SizeBand.HUNDRED,
    ]
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 40, 99, 101, 110)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "四十",
        "九十九",
        "一百零一",
        "一百一十",
    ]
    assert phase_name(11) == "第十一期"


def test_rates_growth_score_and_competition_ranking() -> None:
    assert rate(4, 5) == 0.8 and rate(0, 0) is None
    assert growth(150, 100) == 0.5 and growth(5, 0) is None
    w = {m: 0.2 for m in Measure}
    assert score(
        {Measure.HONOUR_RATE: 1.0, Measure.START_RATE: None, Measure.INVESTMENT_RATE: 0.5}, w
    ) == pytest.approx(0.75)
    assert score({Measure.HONOUR_RATE: None}, w) is None
    ranked = rank({"b": 0.5, "a": 0.5, "c": 0.9, "d": None, "e": 0.1})
    assert [(r.key, r.rank) for r in ranked] == [("c", 1), ("a", 2), ("b", 2), ("e", 4), ("d", None)]


def test_guards_let_the_dispatcher_act_and_the_leader_read_and_offer_what_the_table_allows() -> None:
    facts = ProjectFacts(1, S.HONOURED, 9)
    assert GUARDS[A.START](facts, DISPATCHER) is None
    assert GUARDS[A.START](facts, LEADER) is not None
    assert isinstance(GUARDS[A.PRODUCE](facts, DISPATCHER), InvalidTransition)
    assert actions_for(facts, DISPATCHER)[:1] == [A.START]
    assert actions_for(facts, LEADER) == []
    assert A.WITHDRAW not in actions_for(facts, DISPATCHER)  # only through the yearly adjustment
    assert actions_for(ProjectFacts(1, S.WITHDRAWN, 9), DISPATCHER) == []


def test_commands_are_checked_when_built() -> None:
    cmd = commands.build_command("start", {"phase": 10, "on": "2025-06-25", "evidence": [3, 3, 4]})
    assert cmd == commands.Start(10, date(2025, 6, 25), (3, 4), "")
    with pytest.raises(ValidationFailed, match="期次"):
        commands.build_command("produce", {"on": "2025-06-25"})
    with pytest.raises(ValidationFailed, match="YYYY-MM-DD"):
        commands.build_command("honour", {"on": "25/6/2025"})
    with pytest.raises(ValidationFailed, match="不是阶段操作"):
        commands.build_command("withdraw", {})
