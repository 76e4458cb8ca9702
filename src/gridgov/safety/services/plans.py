"""Plans as data (rules.json `plans`): for a month, each plan makes one task per round (the month, or each week
whose Monday falls in it) for every open place it selects, to the grid worker of the place's grid. Run again for
the same month, it adds only what is missing (a place registered since) and changes nothing else: idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS
from gridgov.logging import get_logger
from gridgov.safety import events
from gridgov.safety.domain import PLANNERS, NotPermitted, UnknownPlan, parse_month, slots
from gridgov.safety.models import SafetyPlanRun
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import Rules, shipped_rules

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PlanResult:
    plan_code: str
    period: str
    rounds: tuple[str, ...]
    made: int  # tasks made by this run
    total: int  # tasks of the plan for the month, all runs together


def generate_plan(
    uow: SafetyUnitOfWork,
    period: str,
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
    plan_codes: Sequence[str] = (),
) -> list[PlanResult]:
    """Every plan (or those named) for the month `period` (YYYY-MM), in one transaction."""
    rules = rules or shipped_rules()
    if actor.role not in PLANNERS and actor.role.value != "system":
        raise NotPermitted("只有应急管理部门或指挥中心可以生成检查计划")
    year, month = parse_month(period)
    key = f"{year}-{month:02d}"
    unknown = [c for c in plan_codes if c not in rules.plans]
    if unknown:
        raise UnknownPlan(f"检查计划不存在: {', '.join(unknown)}", field="plan")
    out: list[PlanResult] = []
    with uow:
        for plan in (rules.plans[c] for c in (plan_codes or list(rules.plans))):
            rounds = slots(plan.frequency, year, month)
            if not rounds:
                continue
            run = uow.safety.plan_run(plan.code, key)
            created = run is None
            if run is None:
                run = SafetyPlanRun(
                    code=f"{plan.code}:{key}",
                    plan_code=plan.code,
                    period=key,
                    slots=[s.key for s in rounds],
                    tasks=0,
                    created_at=now,
                    updated_at=now,
                    event_count=0,
                    last_event_hash=GENESIS,
                )
                uow.safety.add_plan_run(run)
            made = uow.safety.generate_tasks(run.id, plan, key, plan.types, rounds)
            if made or created:
                run.tasks += made
                uow.safety.add_event(
                    events.record(
                        events.PLAN_STREAM,
                        run,
                        "generate",
                        actor,
                        None if created else "generated",
                        "generated",
                        now,
                        {"plan": plan.code, "period": key, "rounds": [s.key for s in rounds], "made": made},
                    )
                )
            out.append(PlanResult(plan.code, key, tuple(s.key for s in rounds), made, run.tasks))
        uow.commit()
    log.info("safety_plan_generated", period=key, made=sum(r.made for r in out))
    return out
