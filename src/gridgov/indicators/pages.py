"""The pages: a unit's scorecard (/scorecards/{unit}) and a ranking (/rankings/{scheme}), rendered on the server
through web.render; the charts are drawn by /static/indicators/scorecard.js from the data the page carries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.actor import Actor
from gridgov.indicators import services, views
from gridgov.indicators.schemas import Code, PeriodText, UnitCode
from gridgov.indicators.views import ranking_body, scorecard_body, uow
from gridgov.web.deps import ContainerDep, Runtime
from gridgov.web.render import add_filters, page

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages


def number(value: float | None, digits: int = 2) -> str:
    """A value as people read it: 99.5, 3.06; — when there is none."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "±") + number(abs(value), digits)


add_filters(ind_num=number, ind_signed=signed)


@router.get("/scorecards/{unit_code}", response_class=HTMLResponse, include_in_schema=False)
def scorecard_page(
    request: Request,
    container: ContainerDep,
    unit_code: UnitCode,
    as_of: Annotated[PeriodText | None, Query()] = None,
) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        card = scorecard_body(services.scorecard(uow(c, write=False), unit_code, as_of, c.clock.now()))
        return {"card": card, "chart_data": {"indicators": card["indicators"], "unit": card["unit"]}}

    return page(request, container, services.READERS, "indicators/scorecard.html", "三标计分卡", context)


@router.get("/rankings/{scheme_code}", response_class=HTMLResponse, include_in_schema=False)
def ranking_page(
    request: Request,
    container: ContainerDep,
    scheme_code: Code,
    as_of: Annotated[PeriodText | None, Query()] = None,
) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        result = ranking_body(services.ranking(uow(c, write=False), scheme_code, as_of, c.clock.now()))
        return {"ranking": result, "as_of": as_of or ""}

    return page(request, container, services.READERS, "indicators/ranking.html", "三标排名", context)
