"""Request-body limits, applied before any work: an ASGI middleware that refuses a body larger than its route
allows with 413 `payload_too_large`, before authentication and before anything is parsed.

- A declared `Content-Length` over the limit is answered at once; the app is never called.
- A body without one (chunked) is counted while it streams in; once past the limit the app's reads fail, and
  whatever the app answers is replaced by the 413. At most the limit is ever held in memory.

Every route gets `GRIDGOV_BODY_MAX_BYTES` (1 MiB: JSON, plain forms) unless the table gives its path more:
the photo upload, the campaign mail import and the campaign letter and form uploads. `GRIDGOV_BODY_LIMITS`
adds to or overrides the table (`{"/api/v1/cases/*/photos": 20971520}`; `*` is one path segment).

This module is kernel-level: it imports no feature, so the sizes the features enforce themselves are repeated
here with a margin for the multipart framing (tests/functional/test_body_limit.py checks they still agree).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gridgov.config import Settings
from gridgov.web.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024
MULTIPART_MARGIN = MIB  # the form's text fields and multipart framing, on top of the file itself
PHOTO_MAX_BYTES = 8 * MIB  # gridgov.media.domain.MAX_BYTES


IMPORT_MAX_BYTES = 64 * 1024 * 1024  # a data file imported over HTTP (air quality, indicator values)


def default_limits(settings: Settings) -> dict[str, int]:
    """The routes that take more than the default: uploads and imports, each with its own limit plus the
    framing, so that the feature's own check (with its own message) still answers a file slightly too large."""
    return {
        "/api/v1/cases/*/photos": PHOTO_MAX_BYTES + MULTIPART_MARGIN,
        "/api/v1/campaigns/*/mail": settings.campaign_import_max_bytes + MULTIPART_MARGIN,
        "/api/v1/campaigns/*/letters": settings.campaign_attachment_max_bytes + MULTIPART_MARGIN,
        "/campaigns/*": settings.campaign_attachment_max_bytes + MULTIPART_MARGIN,
        "/api/v1/projects/*/evidence": PHOTO_MAX_BYTES + MULTIPART_MARGIN,  # a document or an on-site photo
        "/api/v1/projects/import": 16 * MIB + MULTIPART_MARGIN,  # gridgov.projects.views.IMPORT_MAX_BYTES
        # data files: a year of hourly station data (20 stations, 175,200 rows) is about 12 MB of CSV
        "/api/v1/air/*": IMPORT_MAX_BYTES + MULTIPART_MARGIN,
        "/api/v1/indicators/*/values/import": IMPORT_MAX_BYTES + MULTIPART_MARGIN,
        "/api/v1/safety/inspections": 24 * MIB,  # a checklist with its photos (base64 JSON; the phone shrinks them)
        "/api/v1/safety/hazards/*/actions": 12 * MIB,  # rectification photos (base64 JSON)
        "/api/v1/safety/places/import": 16 * MIB + MULTIPART_MARGIN,  # gridgov.safety.views.IMPORT_MAX_BYTES
        "/api/v1/admin/grids": IMPORT_MAX_BYTES + MULTIPART_MARGIN,  # a city's grid file (GeoJSON)
        "/api/v1/admin/grids/preview": IMPORT_MAX_BYTES + MULTIPART_MARGIN,
    }


def _compile(pattern: str) -> re.Pattern[str]:
    parts = (("[^/]+" if part == "*" else re.escape(part)) for part in pattern.strip("/").split("/"))
    return re.compile("/" + "/".join(parts) + "/?")


@dataclass(frozen=True, slots=True)
class BodyLimits:
    default: int
    table: tuple[tuple[str, re.Pattern[str], int], ...] = ()

    @classmethod
    def build(cls, default: int, table: Mapping[str, int]) -> BodyLimits:
        rows = sorted(table.items(), key=lambda kv: (-kv[0].count("/"), -len(kv[0])))  # most specific first
        return cls(default, tuple((p, _compile(p), int(n)) for p, n in rows))

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls.build(settings.body_max_bytes, {**default_limits(settings), **settings.body_limits})

    def for_path(self, path: str) -> int:
        for _pattern, regex, limit in self.table:
            if regex.fullmatch(path):
                return limit
        return self.default


class BodyTooLarge(Exception):
    """Raised into the app from `receive` once a streamed body passes its limit."""


def _size(n: int) -> str:
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MB"
    if n >= MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def too_large(limit: int, **details: int) -> JSONResponse:
    body = error_body("payload_too_large", f"请求内容过大，上限 {_size(limit)}", {"limit_bytes": limit, **details})
    return JSONResponse(body, status_code=413)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimit:
    """The middleware (pure ASGI, so nothing is buffered on the way)."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit, declared_bytes=declared)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a failed read (a 400, a 500) gives way to the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except BodyTooLarge:
            if started:
                raise
        if exceeded and not started:
            await too_large(limit, received_bytes=received)(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost of the app's own middleware: added last, so it runs first."""
    app.add_middleware(BodyLimit, limits=BodyLimits.from_settings(settings))
