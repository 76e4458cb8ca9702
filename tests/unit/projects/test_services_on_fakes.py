"""三个一批's services on the fakes (tests/fakes.py): signing, the stages with their evidence, the phase lists, the
import all or nothing, the yearly adjustment, a blocker through the case loop — in milliseconds, no database."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from gridgov.audit.domain import verify_chain
from gridgov.cases.models import Case
from gridgov.cases.services import CasePolicy
from gridgov.clock import SHANGHAI, WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied
from gridgov.projects import services
from gridgov.projects.domain import (
    AdjustmentAlreadyMade,
    BelowThreshold,
    EvidenceRefused,
    ImportRefused,
    PhaseListRefused,
)
from gridgov.projects.models import Project, ProjectEvent, ProjectPhase
from gridgov.units.domain import UnitKind

from factories import make_category, make_unit
from fakes import START, TinyWorld

DISTRICT = "410102"
HOME = (34.755, 113.625)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(out, "PNG")
    return out.getvalue()


def held_on(n: int) -> date:
    return START.date() - timedelta(days=91 * (11 - n))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@pytest.fixture
def world(tiny: TinyWorld) -> TinyWorld:
    uow = tiny.uow()
    with uow:
        for n in range(1, 12):
            uow.rows.insert(
                ProjectPhase(number=n, name=f"第{n}期", held_on=held_on(n), generated=False, created_at=START)
            )
        uow.rows.insert(
            make_category(code="H0102", parent_code="H01", name="房屋征收与补偿", kind="service", department_key="zj")
        )
        uow.rows.insert(
            make_unit(
                code=f"{DISTRICT}-zj", name="中原区住房和城乡建设局", kind=UnitKind.DISTRICT_BUREAU, department_key="zj"
            )
        )
        uow.commit()
    return tiny


def draft(**over: Any) -> services.ProjectDraft:
    base: dict[str, Any] = dict(
        name="智能装备产业园",
        investor="中原装备有限公司",
        district=DISTRICT,
        sector="manufacturing",
        total_investment=50_000,
        annual_investment=10_000,
        funding="out_of_province",
        signed_phase=9,
        signed_on=held_on(9),
        attracted=True,
        lat=HOME[0],
        lon=HOME[1],
    )
    return services.ProjectDraft(**(base | over))


def evidence(w: TinyWorld, pid: int, stage: str, kind: str, now: datetime, north_m: float = 50) -> int:
    data = png() if kind == "photo" else b"%PDF-1.4\n%%EOF\n"
    upload = services.EvidenceUpload(
        stage, kind, data, "f", HOME[0] + north_m / 111_320, HOME[1], now - timedelta(hours=1)
    )
    return int(services.add_evidence(w.uow(), pid, upload, w.actor("dispatcher"), now)["id"])  # type: ignore[call-overload]


def test_a_project_moves_through_its_stages_onto_later_lists_with_its_evidence_on_record(world: TinyWorld) -> None:
    w, me = world, world.actor("dispatcher")
    pid = services.sign_project(w.uow(), draft(), me, at(held_on(9))).id
    now = at(held_on(9) + timedelta(days=20))
    services.apply_stage(
        w.uow(),
        pid,
        services.build_command(
            "honour", {"on": now.date().isoformat(), "evidence": [evidence(w, pid, "honour", "document", now)]}
        ),
        me,
        now,
    )
    now = at(held_on(10))
    photo = evidence(w, pid, "start", "photo", now)
    with pytest.raises(PhaseListRefused):
        services.apply_stage(
            w.uow(),
            pid,
            services.build_command("start", {"phase": 9, "on": held_on(9).isoformat(), "evidence": [photo]}),
            me,
            now,
        )
    with pytest.raises(EvidenceRefused, match="现场照片"):
        services.apply_stage(
            w.uow(), pid, services.build_command("start", {"phase": 10, "on": held_on(10).isoformat()}), me, now
        )
    services.apply_stage(
        w.uow(),
        pid,
        services.build_command("start", {"phase": 10, "on": held_on(10).isoformat(), "evidence": [photo]}),
        me,
        now,
    )
    with pytest.raises(EvidenceRefused, match="不能用于「投产」"):  # a photo backs its own stage only
        services.apply_stage(
            w.uow(),
            pid,
            services.build_command("produce", {"phase": 11, "on": held_on(11).isoformat(), "evidence": [photo]}),
            me,
            at(held_on(11)),
        )
    now = at(held_on(11))
    services.apply_stage(
        w.uow(),
        pid,
        services.build_command(
            "produce",
            {"phase": 11, "on": held_on(11).isoformat(), "evidence": [evidence(w, pid, "produce", "photo", now)]},
        ),
        me,
        now,
    )
    p = w.db.get(Project, pid)
    assert p is not None and (p.status, p.signed_phase, p.started_phase, p.producing_phase) == ("producing", 9, 10, 11)
    events = sorted(w.db.all(ProjectEvent), key=lambda e: e.seq)
    rows = [
        {
            c: getattr(e, c)
            for c in (
                "id",
                "seq",
                "event_type",
                "tag",
                "action",
                "from_status",
                "to_status",
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
    assert verify_chain(pid, p.code, rows, p.event_count, p.last_event_hash) is None
    leaves = [e for e in w.db.audit_log.entries if e.stream == "project"]
    assert [(x.subject_id, x.seq, x.event_hash) for x in leaves] == [(pid, e.seq, e.hash) for e in events]


def test_a_photo_far_from_the_project_is_refused_and_nothing_is_kept(world: TinyWorld) -> None:
    w = world
    pid = services.sign_project(w.uow(), draft(), w.actor("dispatcher"), at(held_on(9))).id
    before = w.db.commits
    with pytest.raises(EvidenceRefused, match="不是现场照片"):
        evidence(w, pid, "start", "photo", at(held_on(9)), north_m=3000)
    assert w.db.commits == before


def test_below_the_threshold_is_refused_with_the_reason_and_nothing_is_written(world: TinyWorld) -> None:
    with pytest.raises(BelowThreshold, match="制造业项目总投资须不低于 3 亿元"):
        services.sign_project(
            world.uow(), draft(attracted=False, total_investment=20_000), world.actor("dispatcher"), START
        )
    assert world.db.all(Project) == []
    with pytest.raises(PermissionDenied):
        services.sign_project(world.uow(), draft(), world.actor("operator"), START)


def test_an_import_with_bad_lines_stores_nothing_and_names_every_line(world: TinyWorld) -> None:
    drafts = [
        (2, draft()),
        (3, draft(total_investment=-1)),
        (4, draft(district="火星区")),
        (5, draft(name="桥", code="A1")),
        (6, draft(code="A1")),
    ]
    with pytest.raises(ImportRefused) as refused:
        services.import_projects(world.uow(), drafts, world.actor("dispatcher"), START)
    assert refused.value.message == "第 3 行: 总投资不能为负数"
    lines = [(e["line"], e["message"]) for e in refused.value.details["errors"]]
    assert (4, "未知的县(市、区): 火星区") in lines and (6, "项目编码与第 5 行重复: A1") in lines
    assert world.db.all(Project) == []
    assert (
        services.import_projects(
            world.uow(), [(2, draft()), (3, draft(district="中原区"))], world.actor("dispatcher"), START
        )
        == 2
    )


def test_the_lists_are_adjusted_once_a_year_and_each_change_is_recorded(world: TinyWorld) -> None:
    w, me = world, world.actor("dispatcher")
    a = services.sign_project(w.uow(), draft(), me, at(held_on(9))).id
    b = services.sign_project(w.uow(), draft(name="二期"), me, at(held_on(9))).id
    changes = [services.ListChange(a, "withdraw"), services.ListChange(b, "amend", 8_000)]
    services.adjust_lists(w.uow(), START.year, "年度调整: 一个项目终止", changes, me, START)
    pa, pb = w.db.get(Project, a), w.db.get(Project, b)
    assert pa is not None and pb is not None and pa.status == "withdrawn" and pb.annual_investment == 8_000
    assert [e.action for e in w.db.all(ProjectEvent) if e.project_id == a] == ["sign", "withdraw"]
    with pytest.raises(AdjustmentAlreadyMade):
        services.adjust_lists(w.uow(), START.year, "再调一次", [services.ListChange(b, "withdraw")], me, START)
    with pytest.raises(InvalidTransition):
        services.apply_stage(w.uow(), a, services.build_command("honour", {"on": START.date().isoformat()}), me, START)


def test_phases_come_in_order(world: TinyWorld) -> None:
    me = world.actor("dispatcher")
    with pytest.raises(Exception, match="下一期应为第十二期"):
        services.add_phase(world.uow(), 13, START.date(), me, START)
    assert services.add_phase(world.uow(), 12, START.date() + timedelta(days=90), me, START).name == "第十二期"


def test_a_blocker_becomes_one_dispatched_case_linked_to_the_project(world: TinyWorld, calendar: WorkingDays) -> None:
    w, me = world, world.actor("dispatcher")
    pid = services.sign_project(w.uow(), draft(), me, at(held_on(9))).id
    done = services.report_blocker(w.uow, pid, "demolition", "西侧 12 户未征迁", me, START, calendar, CasePolicy())
    case = w.db.get(Case, done.case_id)
    assert case is not None and case.status == "dispatched" and done.unit_code == f"{DISTRICT}-zj"
    assert case.category_code == "H0102" and case.handle_due_at is not None and "/projects/" in case.description
    assert [e.action for e in w.db.all(ProjectEvent)] == ["sign", "report_blocker"]
    again = services.report_blocker(
        w.uow, pid, "demolition", "西侧 12 户未征迁", me, START, calendar, CasePolicy(), idempotency_key="k"
    )
    same = services.report_blocker(
        w.uow, pid, "demolition", "西侧 12 户未征迁", me, START, calendar, CasePolicy(), idempotency_key="k"
    )
    assert again.created and not same.created and same.case_id == again.case_id
