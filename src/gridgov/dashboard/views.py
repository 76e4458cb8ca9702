"""The dashboard page and its JSON: summary, overdue list, trend, ranking (JSON and Excel) and a live stream
of the summary (server-sent events)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from gridgov.accounts.domain import Actor
from gridgov.clock import SHANGHAI
from gridgov.dashboard import queries
from gridgov.dashboard.domain import DASHBOARD_ROLES
from gridgov.dashboard.excel import ranking_workbook
from gridgov.errors import GridgovError
from gridgov.jobs.notify import EVENTS
from gridgov.metrics.domain import Weights
from gridgov.ratelimit import StreamLeases
from gridgov.web.deps import ContainerDep, Runtime, require_role

router = APIRouter(tags=["大屏 dashboard"])

MonthParam = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, 默认本月")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0  # a stream ends after this; the browser reconnects (and its sign-in is checked again)
RETRY_MS = 2000
STREAMS_PER_USER = 4  # a wall screen and a few tabs, across every process; more is a runaway client

# the dashboard's data is for the people the dashboard is for (leaders, the command centre, streets, admins)
Reader = Annotated[Actor, Depends(require_role(*DASHBOARD_ROLES))]


class TooManyStreams(GridgovError):
    code = "too_many_streams"
    message = "实时推送连接过多, 请关闭其他大屏页面后重试"
    status = 429


@router.get("/api/v1/dashboard/summary", summary="大屏: 案件数 (今日新增、在办、超期、红黄牌、按状态)")
def summary(container: ContainerDep, actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.summary(session, actor, container.clock.now())


@router.get("/api/v1/dashboard/overdue", summary="大屏: 超期案件 (超期最久的在前)")
def overdue(container: ContainerDep, actor: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    now = container.clock.now()
    with container.sessions() as session:
        return {"as_of": now, "items": queries.overdue_cases(session, actor, now, limit)}


@router.get("/api/v1/dashboard/heat", summary="大屏: 热力图 (近 N 天上报的案件, 可按类别, 约 100 米一格计数)")
def heat(
    container: ContainerDep,
    actor: Reader,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[0-9A-Za-z._-]*$")] = None,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.heat_points(session, actor, container.clock.now(), days, category or None)


@router.get("/api/v1/dashboard/trend", summary="大屏: 每日上报与结案数 (近 N 天)")
def trend(container: ContainerDep, actor: Reader, days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.trend(session, actor, container.clock.now(), days)


def _ranking(container: Runtime, month: str | None) -> dict[str, Any]:
    s = container.settings
    now = container.clock.now()
    weights = Weights(s.weight_response, s.weight_resolution, s.weight_satisfaction)
    with container.sessions() as session:
        return queries.ranking(session, month or now.astimezone(SHANGHAI).strftime("%Y-%m"), weights, now)


@router.get("/api/v1/dashboard/ranking", summary="大屏: 街道与部门月度考核排名 (三率、结案率等)")
def ranking(container: ContainerDep, actor: Reader, month: MonthParam = None) -> dict[str, Any]:
    return _ranking(container, month)


@router.get(
    "/api/v1/dashboard/ranking.xlsx",
    summary="大屏: 月度考核排名导出为 Excel",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Excel 工作簿"}},
)
def ranking_xlsx(container: ContainerDep, actor: Reader, month: MonthParam = None) -> Response:
    data = _ranking(container, month)
    name = f"考核排名-{data['month']}.xlsx"
    disposition = f"attachment; filename=\"ranking-{data['month']}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(ranking_workbook(data), media_type=XLSX, headers={"Content-Disposition": disposition})


@router.get("/api/v1/dashboard/supervision", summary="大屏: 挂牌督办与本月督办件数、督办按期回复率、回访率")
def supervision(container: ContainerDep, actor: Reader, month: MonthParam = None) -> dict[str, Any]:
    now = container.clock.now()
    with container.sessions() as session:
        return queries.supervision_board(session, actor, now, month or now.astimezone(SHANGHAI).strftime("%Y-%m"))


def _event(name: str, data: Any, event_id: str) -> str:
    body = json.dumps(jsonable_encoder(data), ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\nid: {event_id}\ndata: {body}\n\n"


def _marker(container: Runtime) -> tuple[int, int, str]:
    with container.sessions() as session:
        return queries.change_marker(session, container.clock.now())


def _summary(container: Runtime, actor: Actor) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.summary(session, actor, container.clock.now())


@router.get(
    "/api/v1/dashboard/stream",
    summary="大屏: 实时推送 (server-sent events; 有变化时推送 summary 事件)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "事件流"}},
)
async def stream(request: Request, container: ContainerDep, actor: Reader) -> StreamingResponse:
    """Sends the fresh summary when there is a change, a comment line every 15 s otherwise. Ends when the client
    goes, or after five minutes (the browser's EventSource reconnects), so a server can always shut down.

    On PostgreSQL the process's one LISTEN connection wakes the stream when a case event commits (NOTIFY, the
    payload is the event id) and at each minute (deadlines pass without events); the stream then reads the
    change marker, at most once every `dashboard_poll_seconds`. On SQLite it looks every
    `dashboard_poll_seconds`. A user holds at most STREAMS_PER_USER streams across all processes (a lease in
    the shared store, released when the stream ends, lapsing after the stream's lifetime if a process dies)."""
    poll = container.settings.dashboard_poll_seconds
    leases: StreamLeases = request.app.state.stream_leases
    lease = await run_in_threadpool(leases.acquire, f"user:{actor.user_id or 0}", STREAMS_PER_USER, STREAM_SECONDS + 30)
    if lease is None:
        raise TooManyStreams()
    listener = container.listener

    async def events() -> AsyncIterator[str]:
        try:
            if listener is None:
                async for chunk in _polled():
                    yield chunk
            else:
                async for chunk in _notified(listener):
                    yield chunk
        finally:
            with anyio.CancelScope(shield=True):  # the client has gone and the task is cancelled: release anyway
                await run_in_threadpool(leases.release, lease)

    async def _polled() -> AsyncIterator[str]:
        started = last_sent = time.monotonic()
        last: tuple[int, int, str] | None = None
        yield f"retry: {RETRY_MS}\n\n"
        while time.monotonic() - started < STREAM_SECONDS and not await request.is_disconnected():
            marker = await run_in_threadpool(_marker, container)
            if marker != last:
                data = await run_in_threadpool(_summary, container, actor)
                last, last_sent = marker, time.monotonic()
                yield _event("summary", data, f"{marker[0]}-{marker[1]}-{marker[2]}")
            elif time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            await anyio.sleep(poll)

    async def _notified(listener: Any) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        unsubscribe = listener.subscribe(EVENTS, lambda _payload: loop.call_soon_threadsafe(woken.set))
        try:
            started = last_sent = time.monotonic()
            last: tuple[int, int, str] | None = None
            minute = -1
            yield f"retry: {RETRY_MS}\n\n"
            while time.monotonic() - started < STREAM_SECONDS and not await request.is_disconnected():
                if woken.is_set() or int(time.time() // 60) != minute:
                    woken.clear()
                    minute = int(time.time() // 60)
                    marker = await run_in_threadpool(_marker, container)
                    if marker != last:
                        data = await run_in_threadpool(_summary, container, actor)
                        last, last_sent = marker, time.monotonic()
                        yield _event("summary", data, f"{marker[0]}-{marker[1]}-{marker[2]}")
                    await anyio.sleep(poll)  # at most one look every poll seconds, however busy the city
                    continue
                if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                    last_sent = time.monotonic()
                    yield ": keep-alive\n\n"
                with contextlib.suppress(TimeoutError):  # 1 s: notice a client that has gone
                    await asyncio.wait_for(woken.wait(), timeout=1.0)
        finally:
            unsubscribe()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
