"""The public lookup (/track): anyone with a receipt's 查询编号 and 查询码 follows the case, an anonymous reporter
included, without an account. The receipt's 查询码 is drawn here too, for whoever holds the report's upload
right (the report answer's `upload_token`), so the receipt is true for every reporter.

Only the public timeline is shown: the status labels, dates and the names of the units; no staff names, no
internal notes, the title with phones, identity numbers and names masked (gridgov.redact). Tries are limited
per client address, and a wrong code and a wrong 查询码 get the same answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.cases import search
from gridgov.cases.models import Case
from gridgov.errors import NotFound
from gridgov.ratelimit import RateLimiter
from gridgov.signing import upload_token_valid
from gridgov.web.deps import ContainerDep, RateLimited, RowId
from gridgov.web.render import PageRoute, fragment, page_actor, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
TRIES_PER_MINUTE = 10


def _limited(request: Request) -> None:
    limiter = getattr(request.app.state, "track_limiter", None)
    if limiter is None:
        limiter = request.app.state.track_limiter = RateLimiter(TRIES_PER_MINUTE, TRIES_PER_MINUTE)
    if not limiter.allow(f"track:{request.client.host if request.client else '-'}"):
        raise RateLimited(retry_after_seconds=60 // TRIES_PER_MINUTE)


@router.get("/track", response_class=HTMLResponse)
def track(
    request: Request,
    container: ContainerDep,
    code: Annotated[str, Query(max_length=40)] = "",
    secret: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    found = None
    asked = bool(code.strip() or secret.strip())
    if asked:
        _limited(request)
        with container.sessions() as session:
            found = search.public_case(session, container.settings.secret_key, code, secret)
    actor = page_actor(request, container)
    return render(
        request,
        container,
        actor,
        "screens/track.html",
        status_code=404 if asked and found is None else 200,
        title="查询办理进度",
        code=code,
        asked=asked,
        found=found,
    )


@router.get("/report/receipt/{case_id}", response_class=HTMLResponse)
def receipt(
    case_id: RowId,
    request: Request,
    container: ContainerDep,
    x_upload_token: Annotated[str, Header(max_length=64)] = "",
) -> Response:
    """The receipt of a report just filed: its 查询编号, its 查询码 and where to follow it. The right to see it is
    the report's upload right (half an hour), which only the reporter holds."""
    secret_key = container.settings.secret_key
    if not upload_token_valid(secret_key, case_id, x_upload_token, int(container.clock.now().timestamp())):
        raise NotFound(f"案件不存在: {case_id}")
    with container.sessions() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"案件不存在: {case_id}")
        anonymous = case.reporter_user_id is None
        code = case.tracking_code
    return fragment(
        request,
        container,
        "screens/_receipt.html",
        code=code,
        secret=search.receipt_secret(secret_key, case_id, code),
        anonymous=anonymous,
    )
