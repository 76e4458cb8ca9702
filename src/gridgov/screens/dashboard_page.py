"""The 指挥大屏 page (its data comes from dashboard.views' JSON and stream): the normal page, the wall mode that
fits a 1920×1080 screen with no scroll (KPIs, map, trend, the top and bottom 10 streets and departments, the
overdue list), and the full rankings, paged, on their own page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI
from gridgov.dashboard import queries
from gridgov.metrics import queries as metrics
from gridgov.metrics.domain import RANKING_ROLES, Weights
from gridgov.screens.domain import SCREENS
from gridgov.web.deps import ContainerDep, PageNo, Runtime
from gridgov.web.render import PageRoute, add_filters, page

router = APIRouter(include_in_schema=False, route_class=PageRoute)
add_filters(sv_pct=lambda v: "—" if v is None else f"{v * 100:.1f}%")  # 挂牌督办's rates (issue 15)
RANKING_PAGE_SIZE = 20
APPEALS_SHOWN = 50
APPEAL_STATUS = {"pending": "待审核", "upheld": "已通过", "refused": "未通过"}
GROUPS = {"streets": "街道", "departments": "部门"}


def dashboard_context(wall: bool) -> Any:
    def context(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
        with container.sessions() as session:
            plotted = queries.open_plotted(session, actor)
            now = container.clock.now()  # 挂牌督办 (issue 15)
            board = queries.supervision_board(session, actor, now, now.astimezone(SHANGHAI).strftime("%Y-%m"))
            # 申诉/甄别 (issue 17): the pending ones by their deadline first, for the ranking's readers only
            appeals = metrics.appeals(session, limit=APPEALS_SHOWN) if actor.role in RANKING_ROLES else None
        for a in appeals or []:
            due = datetime.fromisoformat(a["due_at"]) if a["due_at"] else None
            a["overdue"] = a["status"] == "pending" and due is not None and due < now  # instants, not their texts
        return {
            "wall": wall,
            "plotted": plotted,
            "min_tasks": queries.MIN_RANKED_TASKS,
            "board": board,
            "appeals": appeals,
            "appeal_status": APPEAL_STATUS,
        }

    return context


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, container: ContainerDep, wall: Annotated[str, Query(pattern="^(1|0|)$")] = ""
) -> Response:
    target = SCREENS["dashboard"]
    title = target.title + (" · 大屏模式" if wall == "1" else "")
    return page(request, container, target.roles, "screens/dashboard.html", title, dashboard_context(wall == "1"))


Month = Annotated[str, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="考核月份 YYYY-MM")]


@router.get("/dashboard/rankings", response_class=HTMLResponse)
def rankings(
    request: Request,
    container: ContainerDep,
    group: Annotated[str, Query(pattern="^(streets|departments)$")] = "streets",
    month: Month = "",
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Response:
    """Every ranked unit of a group, paged, with the units of too few tasks (样本不足) at the end."""

    def context(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
        s = container.settings
        weights = Weights(s.weight_response, s.weight_resolution, s.weight_satisfaction)
        now = container.clock.now()
        chosen = month or now.astimezone(SHANGHAI).strftime("%Y-%m")
        with container.sessions() as session:
            data = queries.ranking(session, chosen, weights, now)
        rows = data[group]
        pages = max(1, -(-len(rows) // RANKING_PAGE_SIZE))
        at = min(page_no, pages)
        return {
            "group": group,
            "groups": GROUPS,
            "month": chosen,
            "rows": rows[(at - 1) * RANKING_PAGE_SIZE : at * RANKING_PAGE_SIZE],
            "page": at,
            "pages": pages,
            "total": len(rows),
            "ranked": sum(1 for r in rows if r["rank"] is not None),
            "min_tasks": data["min_tasks"],
        }

    target = SCREENS["dashboard"]
    return page(request, container, target.roles, "screens/rankings.html", f"{GROUPS[group]}月度排名", context)
