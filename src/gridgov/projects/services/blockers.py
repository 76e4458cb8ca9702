"""A blocker (要素保障: land, power, permits, financing, demolition) becomes a case in the case loop with one action:
the case is reported, linked to the project (the blocker row, and the project's record), registered and
dispatched to the department that answers for that element, with the deadline of the case's category.

Each step is a use case of the case loop that owns its transaction (cases.services.report_case, then
apply_action with build_command); the link is written right after the report, so a dispatch that fails leaves
a linked case waiting in the command centre's queue, never a case that no project knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gridgov.actor import Actor
from gridgov.cases.services import CaseDraft, CasePolicy, apply_action, build_command, report_case
from gridgov.clock import WorkingDays
from gridgov.errors import NotFound, ValidationFailed
from gridgov.logging import get_logger
from gridgov.projects.domain import WRITERS, Action, BlockerKind, NotPermitted, ProjectStatus
from gridgov.projects.models import ProjectBlocker
from gridgov.projects.ports import ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules
from gridgov.projects.services.common import guarded, record

log = get_logger(__name__)

MAX_DESCRIPTION = 2000


@dataclass(frozen=True, slots=True)
class BlockerReported:
    id: int
    project_id: int
    case_id: int
    tracking_code: str
    case_status: str
    unit_code: str
    handle_due_at: datetime | None
    created: bool


@dataclass(frozen=True, slots=True)
class _Route:
    title: str
    description: str
    category_code: str
    unit_code: str
    grid_code: str
    lat: float | None
    lon: float | None


def _route(
    uow: ProjectsUnitOfWork, project_id: int, kind: BlockerKind, description: str, actor: Actor, rules: Rules
) -> _Route:
    with uow:
        project = guarded(uow, project_id, Action.REPORT_BLOCKER, actor)
        route = rules.blockers[kind]
        if uow.categories.by_code(route.category_code) is None:
            raise ValidationFailed(f"要素保障类别未配置: {route.category_code}", field="kind")
        district, city = project.district_code, project.district_code[:4]
        unit = uow.units.by_code(f"{district}-{route.department_key}") or uow.units.by_code(
            f"{city}-{route.department_key}"
        )
        if unit is None:
            raise ValidationFailed(f"没有负责「{kind.label}」的部门: {route.department_key}", field="kind")
        grid = project.grid_code
        if grid is None:
            d = uow.projects.districts().get(district)
            if d is None:
                raise ValidationFailed(f"项目所在县(市、区)不在启用的网格中: {district}", field="district")
            grid = d.grid_code
        return _Route(
            title=f"【三个一批·要素保障】{project.name}：{kind.label}",
            description=(
                f"项目 {project.code}「{project.name}」({project.district_name}) "
                f"的{kind.label}要素保障问题: {description}\n"
                f"项目页面: /projects/{project.id}"
            ),
            category_code=route.category_code,
            unit_code=unit.code,
            grid_code=grid,
            lat=project.lat,
            lon=project.lon,
        )


def report_blocker(
    uow_factory: Callable[[], ProjectsUnitOfWork],
    project_id: int,
    kind: str,
    description: str,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    rules: Rules | None = None,
    idempotency_key: str | None = None,
) -> BlockerReported:
    """Report a project's blocker as a case and send it to its department (see the module's note)."""
    rules = rules or shipped_rules()
    if actor.role not in WRITERS:
        raise NotPermitted()
    try:
        blocker_kind = BlockerKind(kind)
    except ValueError:
        raise ValidationFailed("kind 须为 land / power / permits / financing / demolition", field="kind") from None
    text = description.strip()
    if not text:
        raise ValidationFailed("请说明要素保障问题", field="description")
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(f"问题说明不能超过 {MAX_DESCRIPTION} 字", field="description")
    route = _route(uow_factory(), project_id, blocker_kind, text, actor, rules)
    key = f"project-blocker:{project_id}:{idempotency_key}" if idempotency_key else None
    reported = report_case(
        uow_factory(),
        CaseDraft(
            title=route.title[:200],
            description=route.description,
            source="other",
            category_code=route.category_code,
            grid_code=route.grid_code,
            lat=route.lat,
            lon=route.lon,
        ),
        actor,
        now,
        key,
        policy=policy,
    )
    uow = uow_factory()
    with uow:
        existing = uow.projects.blocker_by_case(reported.id)
        if existing is not None:  # the same request again: the case and its link are there already
            case = uow.cases.get(reported.id)
            return BlockerReported(
                existing.id,
                project_id,
                reported.id,
                reported.tracking_code,
                case.status if case else reported.status,
                existing.unit_code,
                case.handle_due_at if case else None,
                False,
            )
        project = guarded(uow, project_id, Action.REPORT_BLOCKER, actor)
        blocker = ProjectBlocker(
            project_id=project.id,
            kind=blocker_kind.value,
            description=text,
            case_id=reported.id,
            unit_code=route.unit_code,
            reported_by=actor.user_id,
            reported_at=now,
        )
        uow.projects.add_blocker(blocker)
        status = ProjectStatus(project.status)
        record(
            uow,
            project,
            Action.REPORT_BLOCKER,
            actor,
            status,
            now,
            {
                "blocker_id": blocker.id,
                "kind": blocker_kind.value,
                "case_id": reported.id,
                "tracking_code": reported.tracking_code,
                "unit_code": route.unit_code,
            },
        )
        uow.commit()
        blocker_id = blocker.id
    note = f"三个一批项目要素保障 ({blocker_kind.label})"
    apply_action(uow_factory(), reported.id, build_command("register", {"note": note}), actor, now, calendar, policy)
    apply_action(
        uow_factory(),
        reported.id,
        build_command("dispatch", {"unit_code": route.unit_code, "note": note}),
        actor,
        now,
        calendar,
        policy,
    )
    uow = uow_factory()
    with uow:
        case = uow.cases.get(reported.id)
        if case is None:  # pragma: no cover - the case was just written
            raise NotFound(f"案件不存在: {reported.id}")
        log.info("project_blocker", project_id=project_id, blocker_id=blocker_id, case_id=reported.id)
        return BlockerReported(
            blocker_id,
            project_id,
            reported.id,
            reported.tracking_code,
            case.status,
            route.unit_code,
            case.handle_due_at,
            True,
        )
