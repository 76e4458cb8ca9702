"""Read-only selects: the project list and its map, a project's page, the phase's three lists, the four rates by
district, the investment against plan and last year, the ranking and the trend over phases.

Every figure is computed here by SQL over the project rows (counts, sums and the ratios themselves); the
formulas are stated in docs/projects.md. A project taken off the lists by the yearly adjustment (withdrawn)
counts nowhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from gridgov.cases.domain import CaseStatus, StatusKind
from gridgov.cases.models import Case
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion
from gridgov.projects.domain import (
    FOUR_RATES,
    LIST_LABELS,
    MEASURE_LABELS,
    STATUS_LABELS,
    BlockerKind,
    EvidenceKind,
    Funding,
    ListKind,
    Measure,
    PhaseNotFound,
    ProjectNotFound,
    ProjectStatus,
    Sector,
    SizeBand,
    growth,
    phase_name,
    rank,
    rate,
    score,
    yi,
)
from gridgov.projects.models import (
    Project,
    ProjectAdjustment,
    ProjectBlocker,
    ProjectEvent,
    ProjectEvidence,
    ProjectInvestment,
    ProjectPhase,
)
from gridgov.units.models import Unit

P, Inv = Project, ProjectInvestment
LIVE = P.status != ProjectStatus.WITHDRAWN.value  # on the lists (the yearly adjustment took the others off)
LIST_COLUMN = {
    ListKind.SIGNED: P.signed_phase,
    ListKind.STARTED: P.started_phase,
    ListKind.PRODUCING: P.producing_phase,
}


# -- the list and the map ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProjectFilter:
    district: str | None = None
    sector: str | None = None
    status: str | None = None
    phase: int | None = None
    list_kind: str | None = None  # with phase: signed | started | producing (default: any of the three)
    funding: str | None = None
    size_band: str | None = None
    attracted: bool | None = None
    generated: bool | None = None
    q: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.district:
            out.append(P.district_code == self.district)
        if self.sector:
            out.append(P.sector == self.sector)
        if self.status:
            out.append(P.status.in_(self.status.split(",")))
        if self.phase is not None:
            if self.list_kind:
                out.append(LIST_COLUMN[ListKind(self.list_kind)] == self.phase)
            else:
                out.append(or_(*(c == self.phase for c in LIST_COLUMN.values())))
        if self.funding:
            out.append(P.funding == self.funding)
        if self.size_band:
            out.append(P.size_band == self.size_band)
        if self.attracted is not None:
            out.append(P.attracted == self.attracted)
        if self.generated is not None:
            out.append(P.generated == self.generated)
        if self.q:
            like = "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            out.append(
                or_(P.name.like(like, escape="\\"), P.investor.like(like, escape="\\"), P.code.like(like, escape="\\"))
            )
        return out


def _row(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "investor": p.investor,
        "district_code": p.district_code,
        "district_name": p.district_name,
        "sector": p.sector,
        "sector_label": Sector(p.sector).label,
        "total_investment": p.total_investment,
        "total_investment_yi": yi(p.total_investment),
        "annual_investment": p.annual_investment,
        "annual_investment_yi": yi(p.annual_investment),
        "funding": p.funding,
        "funding_label": Funding(p.funding).label,
        "size_band": p.size_band,
        "size_label": SizeBand(p.size_band).label,
        "attracted": p.attracted,
        "leader": p.leader,
        "responsible_unit": p.responsible_unit,
        "status": p.status,
        "status_label": ProjectStatus(p.status).label,
        "signed_phase": p.signed_phase,
        "signed_on": p.signed_on.isoformat(),
        "honoured_on": p.honoured_on.isoformat() if p.honoured_on else None,
        "started_phase": p.started_phase,
        "started_on": p.started_on.isoformat() if p.started_on else None,
        "producing_phase": p.producing_phase,
        "producing_on": p.producing_on.isoformat() if p.producing_on else None,
        "effective_on": p.effective_on.isoformat() if p.effective_on else None,
        "withdrawn_on": p.withdrawn_on.isoformat() if p.withdrawn_on else None,
        "lat": p.lat,
        "lon": p.lon,
        "grid_code": p.grid_code,
        "generated": p.generated,
        "version": p.version,
        "event_count": p.event_count,
    }


def list_projects(session: Session, f: ProjectFilter, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    where = f.where()
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(P.total_investment), 0)).select_from(P).where(*where)
    ).one()
    stmt = (
        select(P)
        .where(*where)
        .order_by(P.signed_phase.desc(), P.total_investment.desc(), P.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [_row(p) for p in session.execute(stmt).scalars()]
    return {
        "items": items,
        "total": int(count),
        "total_investment": int(total),
        "total_investment_yi": yi(int(total)),
        "page": page,
        "page_size": page_size,
    }


def all_projects(session: Session, f: ProjectFilter, limit: int = 200_000) -> list[dict[str, Any]]:
    stmt = select(P).where(*f.where()).order_by(P.signed_phase, P.district_code, P.id).limit(limit)
    return [_row(p) for p in session.execute(stmt).scalars()]


def projects_geojson(session: Session, f: ProjectFilter, limit: int = 5000) -> dict[str, Any]:
    stmt = (
        select(P.id, P.code, P.name, P.status, P.total_investment, P.lat, P.lon, P.district_name)
        .where(*f.where(), P.lat.is_not(None))
        .order_by(P.total_investment.desc(), P.id)
        .limit(limit)
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "status": r.status,
                "status_label": STATUS_LABELS[ProjectStatus(r.status)],
                "total_investment_yi": yi(r.total_investment),
                "district_name": r.district_name,
            },
        }
        for r in session.execute(stmt)
    ]
    return {"type": "FeatureCollection", "features": features}


# -- one project ---------------------------------------------------------------------------------------------------
def _phase_names(session: Session) -> dict[int, ProjectPhase]:
    return {p.number: p for p in session.execute(select(ProjectPhase)).scalars()}


def project_detail(session: Session, project_id: int) -> dict[str, Any]:
    p = session.get(Project, project_id)
    if p is None:
        raise ProjectNotFound(f"项目不存在: {project_id}")
    out = _row(p)
    phases = _phase_names(session)

    def stage(action: str, label: str, on: date | None, phase: int | None = None) -> dict[str, Any]:
        return {
            "action": action,
            "label": label,
            "on": on.isoformat() if on else None,
            "phase": phase,
            "phase_name": phases[phase].name if phase in phases else None,
            "done": on is not None,
        }

    out["stages"] = [
        stage("sign", "签约", p.signed_on, p.signed_phase),
        stage("honour", "履约", p.honoured_on),
        stage("start", "开工", p.started_on, p.started_phase),
        stage("produce", "投产", p.producing_on, p.producing_phase),
        stage("reach", "达效", p.effective_on),
    ]
    out["evidence"] = [
        {
            "id": e.id,
            "stage": e.stage,
            "kind": e.kind,
            "kind_label": EvidenceKind(e.kind).label,
            "name": e.name,
            "content_type": e.content_type,
            "size": e.size,
            "lat": e.lat,
            "lon": e.lon,
            "taken_at": e.taken_at.isoformat() if e.taken_at else None,
            "distance_m": e.distance_m,
            "used_in_seq": e.used_in_seq,
            "url": f"/api/v1/projects/evidence/{e.id}",
        }
        for e in session.execute(
            select(ProjectEvidence).where(ProjectEvidence.project_id == p.id).order_by(ProjectEvidence.id)
        ).scalars()
    ]
    out["blockers"] = blockers_of(session, p.id)
    out["open_blockers"] = sum(1 for b in out["blockers"] if b["open"])
    out["investments"] = [
        {"year": y, "month": m, "amount": a}
        for y, m, a in session.execute(
            select(Inv.year, Inv.month, Inv.amount).where(Inv.project_id == p.id).order_by(Inv.year, Inv.month)
        )
    ]
    out["completed_investment"] = sum(i["amount"] for i in out["investments"])
    return out


def blockers_of(session: Session, project_id: int) -> list[dict[str, Any]]:
    """The project's blockers with their case's status, read live from the case loop."""
    stmt = (
        select(ProjectBlocker, Case.tracking_code, Case.status, Case.handle_due_at, Unit.name)
        .join(Case, Case.id == ProjectBlocker.case_id)
        .outerjoin(Unit, Unit.code == ProjectBlocker.unit_code)
        .where(ProjectBlocker.project_id == project_id)
        .order_by(ProjectBlocker.id)
    )
    out = []
    for b, tracking, status, due, unit_name in session.execute(stmt):
        st = CaseStatus(status)
        out.append(
            {
                "id": b.id,
                "kind": b.kind,
                "kind_label": BlockerKind(b.kind).label,
                "description": b.description,
                "case_id": b.case_id,
                "tracking_code": tracking,
                "case_status": st.value,
                "case_status_label": st.label,
                "open": st.kind is StatusKind.OPEN,
                "unit_code": b.unit_code,
                "unit_name": unit_name,
                "handle_due_at": due.isoformat() if due else None,
                "reported_at": b.reported_at.isoformat(),
            }
        )
    return out


def project_of_case(session: Session, case_id: int) -> dict[str, Any]:
    """The other way of the link: the project (and blocker) a case was sent for."""
    row = session.execute(
        select(ProjectBlocker.id, ProjectBlocker.kind, P.id, P.code, P.name)
        .join(P, P.id == ProjectBlocker.project_id)
        .where(ProjectBlocker.case_id == case_id)
    ).first()
    if row is None:
        raise ProjectNotFound(f"案件 {case_id} 不是三个一批项目的要素保障问题")
    return {
        "blocker_id": row[0],
        "kind": row[1],
        "kind_label": BlockerKind(row[1]).label,
        "project_id": row[2],
        "project_code": row[3],
        "project_name": row[4],
        "url": f"/projects/{row[2]}",
    }


def project_events(session: Session, project_id: int) -> list[dict[str, Any]]:
    if session.get(Project, project_id) is None:
        raise ProjectNotFound(f"项目不存在: {project_id}")
    stmt = select(ProjectEvent).where(ProjectEvent.project_id == project_id).order_by(ProjectEvent.seq)
    return [
        {
            "seq": e.seq,
            "event_type": e.event_type,
            "tag": e.tag,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "unit_id": e.unit_id,
            "occurred_at": e.occurred_at.isoformat(),
            "payload": e.payload,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in session.execute(stmt).scalars()
    ]


def evidence_file(session: Session, evidence_id: int) -> tuple[str, bytes]:
    row = session.execute(
        select(ProjectEvidence.content_type, ProjectEvidence.data).where(ProjectEvidence.id == evidence_id)
    ).first()
    if row is None:
        raise ProjectNotFound(f"佐证材料不存在: {evidence_id}")
    return row[0], row[1]


def adjustments(session: Session) -> list[dict[str, Any]]:
    stmt = select(ProjectAdjustment).order_by(ProjectAdjustment.year.desc())
    return [
        {"id": a.id, "year": a.year, "reason": a.reason, "changes": a.changes, "made_at": a.made_at.isoformat()}
        for a in session.execute(stmt).scalars()
    ]


# -- phases ----------------------------------------------------------------------------------------------------------
def phase_or_404(session: Session, number: int) -> ProjectPhase:
    phase = session.execute(select(ProjectPhase).where(ProjectPhase.number == number)).scalar_one_or_none()
    if phase is None:
        raise PhaseNotFound(f"期次不存在: {phase_name(number)}")
    return phase


def latest_phase(session: Session) -> int | None:
    return session.execute(select(func.max(ProjectPhase.number))).scalar()


def totals(session: Session, through: int) -> dict[str, Any]:
    """The projects on the lists of phases 1..through (each project once: every one enters on a 签约一批) and
    their total investment."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(P.total_investment), 0)).where(P.signed_phase <= through, LIVE)
    ).one()
    generated = session.execute(select(func.count()).where(P.signed_phase <= through, LIVE, P.generated)).scalar_one()
    return {
        "through": through,
        "projects": int(count),
        "total_investment": int(total),
        "total_investment_yi": yi(int(total)),
        "generated": int(generated),
    }


def _scanned(column: Any) -> ColumnElement[Any]:
    """The column as an expression no index serves: a phase's figures read most of the rows, which one scan does
    faster than an index walk with a lookup per row (what SQLite chooses for `signed_phase <= n`)."""
    return column + 0  # type: ignore[no-any-return]


def _sum_on(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def list_sizes(session: Session, number: int) -> dict[str, dict[str, Any]]:
    """The three lists of one phase: how many projects, how much investment."""
    cols = []
    for kind, column in LIST_COLUMN.items():
        cols += [
            _sum_on(column == number).label(f"{kind.value}_n"),
            _sum_on(column == number, P.total_investment).label(f"{kind.value}_inv"),
        ]
    row = session.execute(select(*cols).where(LIVE, or_(*(c == number for c in LIST_COLUMN.values())))).one()
    return {
        kind.value: {
            "kind": kind.value,
            "label": kind.label,
            "projects": int(getattr(row, f"{kind.value}_n")),
            "total_investment": int(getattr(row, f"{kind.value}_inv")),
            "total_investment_yi": yi(int(getattr(row, f"{kind.value}_inv"))),
        }
        for kind in ListKind
    }


def list_rows(session: Session, number: int, kind: ListKind, limit: int | None = 20) -> list[dict[str, Any]]:
    stmt = select(P).where(LIST_COLUMN[kind] == number, LIVE).order_by(P.total_investment.desc(), P.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_row(p) for p in session.execute(stmt).scalars()]


def trend(session: Session, through: int) -> list[dict[str, Any]]:
    """Per phase 1..through: the size and the investment of its three lists. One scan of the rows, grouped by the
    three list columns together (a few hundred groups), each group then counted on the lists it is on."""
    stmt = (
        select(P.signed_phase, P.started_phase, P.producing_phase, func.count(), func.sum(P.total_investment))
        .where(_scanned(P.signed_phase) <= through, LIVE)
        .group_by(P.signed_phase, P.started_phase, P.producing_phase)
    )
    names = _phase_names(session)
    out: dict[int, dict[str, Any]] = {
        n: {"phase": n, "name": names[n].name, "held_on": names[n].held_on.isoformat()}
        | {f"{k.value}": 0 for k in ListKind}
        | {f"{k.value}_investment": 0 for k in ListKind}
        for n in sorted(names)
        if n <= through
    }
    for signed, started, producing, n, inv in session.execute(stmt):
        for kind, phase in ((ListKind.SIGNED, signed), (ListKind.STARTED, started), (ListKind.PRODUCING, producing)):
            if phase in out:
                out[phase][kind.value] += int(n)
                out[phase][f"{kind.value}_investment"] += int(inv or 0)
    for row in out.values():
        for k in ListKind:
            row[f"{k.value}_investment_yi"] = yi(row[f"{k.value}_investment"])
    return list(out.values())


# -- the four rates, the investment, the ranking -----------------------------------------------------------------
def _rates_select(number: int, held_on: date) -> Select[Any]:
    """One row per district: the counts behind the four rates, the plan and the investment completed this year and
    in the same months last year, and the ratios themselves, all in SQL (one scan of the projects, one of the
    investment rows of the two years)."""
    h, n = held_on, number
    keys = [P.district_code.label("district_code"), P.district_name.label("district_name")]
    honoured = and_(P.honoured_on <= h)
    started = and_(P.started_phase <= n, honoured)
    producing = and_(P.producing_phase <= n, started)
    effective = and_(P.effective_on <= h, producing)
    agg = (
        select(
            *keys,
            func.count().label("signed"),
            _sum_on(honoured).label("honoured"),
            _sum_on(started).label("started"),
            _sum_on(producing).label("producing"),
            _sum_on(effective).label("effective"),
            _sum_on(P.generated.is_(True)).label("generated"),
            func.coalesce(func.sum(P.total_investment), 0).label("total_investment"),
            func.coalesce(func.sum(P.annual_investment), 0).label("plan"),
        )
        .where(_scanned(P.signed_phase) <= n, LIVE)
        .group_by(P.district_code, P.district_name)
    )
    year, month = h.year, h.month
    inv = (
        select(
            P.district_code.label("district_code"),
            _sum_on(and_(Inv.year == year, Inv.month <= month), Inv.amount).label("done"),
            _sum_on(and_(Inv.year == year - 1, Inv.month <= month), Inv.amount).label("last"),
        )
        .join(P, P.id == Inv.project_id)
        .where(P.signed_phase <= n, LIVE, Inv.year.in_([year, year - 1]))
        .group_by(P.district_code)
    )
    a, b = agg.subquery("a"), inv.subquery("b")
    done, last = func.coalesce(b.c.done, 0), func.coalesce(b.c.last, 0)

    def ratio(num: Any, den: Any) -> ColumnElement[Any]:
        return cast(num, Float) / func.nullif(den, 0)

    return select(
        a.c.district_code,
        a.c.district_name,
        a.c.signed,
        a.c.honoured,
        a.c.started,
        a.c.producing,
        a.c.effective,
        a.c.generated,
        a.c.total_investment,
        a.c.plan,
        done.label("done"),
        last.label("last"),
        ratio(a.c.honoured, a.c.signed).label(Measure.HONOUR_RATE.value),
        ratio(a.c.started, a.c.honoured).label(Measure.START_RATE.value),
        ratio(a.c.producing, a.c.started).label(Measure.PRODUCTION_RATE.value),
        ratio(a.c.effective, a.c.producing).label(Measure.EFFECTIVE_RATE.value),
        ratio(done, a.c.plan).label(Measure.INVESTMENT_RATE.value),
        ratio(done - last, last).label("growth"),
    ).select_from(a.outerjoin(b, a.c.district_code == b.c.district_code))


COUNTS = ("signed", "honoured", "started", "producing", "effective", "generated", "total_investment", "plan", "done")


def _city(districts: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The city's row: the districts' counts and sums added up, divided the same way as a district's."""
    if not districts:
        return None
    t = {k: sum(d[k] for d in districts) for k in (*COUNTS, "last_year")}
    return {
        **t,
        "plan_yi": yi(t["plan"]),
        "done_yi": yi(t["done"]),
        "last_year_yi": yi(t["last_year"]),
        Measure.HONOUR_RATE.value: rate(t["honoured"], t["signed"]),
        Measure.START_RATE.value: rate(t["started"], t["honoured"]),
        Measure.PRODUCTION_RATE.value: rate(t["producing"], t["started"]),
        Measure.EFFECTIVE_RATE.value: rate(t["effective"], t["producing"]),
        Measure.INVESTMENT_RATE.value: rate(t["done"], t["plan"]),
        "growth": growth(t["done"], t["last_year"]),
    }


def _rates_row(r: Any) -> dict[str, Any]:
    out = {
        "signed": int(r.signed),
        "honoured": int(r.honoured),
        "started": int(r.started),
        "producing": int(r.producing),
        "effective": int(r.effective),
        "generated": int(r.generated),
        "total_investment": int(r.total_investment),
        "plan": int(r.plan),
        "done": int(r.done),
        "last_year": int(r.last),
        "plan_yi": yi(int(r.plan)),
        "done_yi": yi(int(r.done)),
        "last_year_yi": yi(int(r.last)),
        "growth": None if r.growth is None else float(r.growth),
    }
    for m in Measure:
        value = getattr(r, m.value)
        out[m.value] = None if value is None else float(value)
    return out


def rates(session: Session, number: int) -> dict[str, Any]:
    """The four rates (and the investment) for each district and the city as of phase `number`."""
    phase = phase_or_404(session, number)
    districts = [
        {"district_code": r.district_code, "district_name": r.district_name, **_rates_row(r)}
        for r in session.execute(_rates_select(number, phase.held_on).order_by("district_code"))
    ]
    city = _city(districts)
    return {
        "phase": number,
        "name": phase.name,
        "held_on": phase.held_on.isoformat(),
        "labels": {m.value: MEASURE_LABELS[m] for m in Measure},
        "districts": districts,
        "city": city,
    }


def ranking(rates_body: Mapping[str, Any], weights: Mapping[Measure, float]) -> list[dict[str, Any]]:
    """The districts ranked by the weighted mean of their rates (weights are data; see domain.score)."""
    rows = {d["district_code"]: d for d in rates_body["districts"]}
    scores = {code: score({m: d[m.value] for m in Measure}, weights) for code, d in rows.items()}
    return [
        {
            "rank": r.rank,
            "district_code": r.key,
            "district_name": rows[r.key]["district_name"],
            "score": r.score,
            **{m.value: rows[r.key][m.value] for m in Measure},
            "growth": rows[r.key]["growth"],
        }
        for r in rank(scores)
    ]


def phases(session: Session) -> list[dict[str, Any]]:
    names = _phase_names(session)
    if not names:
        return []
    sizes = {row["phase"]: row for row in trend(session, max(names))}
    return [
        {
            "number": n,
            "name": p.name,
            "held_on": p.held_on.isoformat(),
            "generated": p.generated,
            "lists": {k.value: sizes.get(n, {}).get(k.value, 0) for k in ListKind},
        }
        for n, p in sorted(names.items())
    ]


def phase_dashboard(session: Session, number: int, weights: Mapping[Measure, float], rows: int = 20) -> dict[str, Any]:
    """Everything the phase's dashboard shows: the totals through this phase, the three lists, the four rates
    and the investment by district, the ranking, and the trend over the phases so far."""
    phase = phase_or_404(session, number)
    body = rates(session, number)
    return {
        "phase": {
            "number": phase.number,
            "name": phase.name,
            "held_on": phase.held_on.isoformat(),
            "generated": phase.generated,
        },
        "totals": {
            "through": number,
            "projects": body["city"]["signed"] if body["city"] else 0,
            "total_investment": body["city"]["total_investment"] if body["city"] else 0,
            "total_investment_yi": yi(body["city"]["total_investment"] if body["city"] else 0),
            "generated": body["city"]["generated"] if body["city"] else 0,
        },
        "lists": [
            {**size, "items": list_rows(session, number, ListKind(kind), rows)}
            for kind, size in list_sizes(session, number).items()
        ],
        "rates": body,
        "ranking": ranking(body, weights),
        "trend": trend(session, number),
        "four": [{"key": m.value, "label": MEASURE_LABELS[m]} for m in FOUR_RATES],
        "list_labels": {k.value: v for k, v in LIST_LABELS.items()},
    }


def district_options(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the districts that have projects, for the filters."""
    stmt = select(P.district_code, P.district_name).group_by(P.district_code, P.district_name).order_by(P.district_code)
    return [(c, n) for c, n in session.execute(stmt)]


def phase_numbers(session: Session) -> Sequence[int]:
    return list(session.execute(select(ProjectPhase.number).order_by(ProjectPhase.number)).scalars())


def district_areas(session: Session) -> list[tuple[str, str, list[tuple[float, float, float, float]]]]:
    """(district code, name, bounding boxes of its smallest grids) in the active grid version (for generated
    project locations)."""
    version = session.execute(select(GridVersion.id).where(GridVersion.active)).scalar()
    if version is None:
        return []
    names = {
        code[:6]: name
        for code, name in session.execute(
            select(Grid.code, Grid.name).where(Grid.version_id == version, Grid.level == int(GridLevel.DISTRICT))
        )
    }
    boxes: dict[str, list[tuple[float, float, float, float]]] = {code: [] for code in names}
    stmt = select(Grid.code, Grid.min_lat, Grid.min_lon, Grid.max_lat, Grid.max_lon).where(
        Grid.version_id == version, Grid.level == int(GridLevel.MICRO), Grid.min_lat.is_not(None)
    )
    for code, a, b, c, d in session.execute(stmt):
        if code[:6] in boxes and a is not None and b is not None and c is not None and d is not None:
            boxes[code[:6]].append((a, b, c, d))
    return [(code, names[code], boxes[code]) for code in sorted(names)]
