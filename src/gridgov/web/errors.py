"""One place that turns domain errors into HTTP responses: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgov.errors import GridgovError
from gridgov.logging import get_logger
from gridgov.web import messages, render

log = get_logger(__name__)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install(app: FastAPI) -> None:
    @app.exception_handler(GridgovError)
    async def _domain(request: Request, exc: GridgovError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        wait = exc.details.get("retry_after_seconds")
        if isinstance(wait, int) and exc.status in (423, 429, 503):
            headers["Retry-After"] = str(wait)
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        found = messages.problems(exc.errors())  # in Chinese: no pydantic English reaches anyone
        if render.is_page(request):  # a page opened in the browser gets a Chinese page, not JSON
            page = render.error_page
            return await run_in_threadpool(page, request, request.app.state.container, 422, "地址或参数不合法", found)
        return JSONResponse(error_body("validation_error", "请求参数不合法", {"problems": found}), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: ("not_found", "地址不存在"),
            405: ("method_not_allowed", "不支持该请求方法"),
            413: ("payload_too_large", "请求内容过大"),
        }
        code, message = messages.get(exc.status_code, ("http_error", str(exc.detail)))
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database_busy", path=request.url.path)
        return JSONResponse(error_body("busy", "系统繁忙，请稍后重试"), status_code=503, headers={"Retry-After": "1"})
