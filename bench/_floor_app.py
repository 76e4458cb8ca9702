"""The floors bench/intake.py measures gridgov's intake against, served by the same uvicorn with the same client:

* ``bare``: a plain ASGI callable that reads the body, decodes the JSON and answers 201 with a small JSON body:
  what HTTP alone costs on this machine (uvicorn, httptools, the loopback, the client);
* ``fastapi``: FastAPI with a pydantic model of the draft and the Idempotency-Key header, a sync endpoint run in
  the thread pool (as gridgov's are), answering the same: what the framework adds;
* ``commit``: the same FastAPI endpoint that also commits one row per request (the key unique, the title and
  the description) through a psycopg connection pool: the least any intake that stores what it acknowledges
  can do here, without gridgov's validation, locating, audit log, jobs or group commit.

Which one is served comes from GRIDGOV_FLOOR (bare, fastapi, commit); the commit floor's database from
GRIDGOV_FLOOR_DB (a libpq URL) and its table is bench_floor (created by the benchmark)."""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI, Header
from pydantic import BaseModel

ANSWER = {"id": 1, "tracking_code": "ZZ-0000-0001", "status": "reported"}


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    draft = json.loads(body) if body else {}
    out = json.dumps({**ANSWER, "title": draft.get("title")}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": out})


class Draft(BaseModel):
    title: str
    description: str = ""
    source: str
    category_code: str | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    grid_code: str | None = None


def framework(commit: bool) -> FastAPI:
    api = FastAPI()
    pool = None
    if commit:
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(os.environ["GRIDGOV_FLOOR_DB"], min_size=20, max_size=20, open=True)

    @api.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/api/v1/cases", status_code=201)
    def create(draft: Draft, idempotency_key: str = Header()) -> dict[str, Any]:
        if pool is not None:
            with pool.connection() as conn:  # one transaction, committed when the block ends
                conn.execute(
                    "INSERT INTO bench_floor (k, title, body) VALUES (%s, %s, %s)",
                    (idempotency_key, draft.title, draft.description),
                )
        return {**ANSWER, "title": draft.title}

    return api


async def _bare_with_health(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/healthz":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await bare(scope, receive, send)


_kind = os.environ.get("GRIDGOV_FLOOR", "bare")
app: Any = _bare_with_health if _kind == "bare" else framework(_kind == "commit")
