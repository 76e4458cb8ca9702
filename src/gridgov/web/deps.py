"""Annotated dependencies: the container, the current actor, role checks."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.services import authenticate
from gridgov.bootstrap import Container
from gridgov.errors import GridgovError, PermissionDenied, Unauthenticated

bearer = HTTPBearer(auto_error=False, description="`gridgov token issue NAME` 生成的访问令牌")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]

MAX_ID = 2**31 - 1  # ids are INTEGER columns (PostgreSQL int4)
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]


SESSION_COOKIE = "gg_session"
CSRF_COOKIE = "gg_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    message = "缺少或错误的 CSRF 令牌"


class InsufficientScope(PermissionDenied):
    code = "insufficient_scope"
    message = "该访问令牌只读，不能修改数据"


def actor_for_token(container: Container, token: str) -> Actor:
    """The token's actor, remembered for a few seconds (Container.tokens). Raises Unauthenticated."""
    actor = container.tokens.get(token)
    if actor is None:
        actor = authenticate(container.uow(write=False), token, container.clock.now())
        container.tokens.put(token, actor)
    return actor


def get_actor(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """A bearer token (API) or the session cookie (pages). A cookie session must send the CSRF token it was
    given with every change; a read-only token cannot change anything."""
    if credentials is not None and credentials.scheme.lower() == "bearer" and credentials.credentials:
        token = credentials.credentials
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise Unauthenticated()
    actor = actor_for_token(container, token)
    if request.method not in SAFE_METHODS:
        if actor.via_session:
            sent, expected = request.headers.get(CSRF_HEADER, ""), request.cookies.get(CSRF_COOKIE, "")
            if not sent or not expected or not secrets.compare_digest(sent, expected):
                raise CsrfFailed()
        if "write" not in actor.scopes:
            raise InsufficientScope()
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: Role) -> Callable[[Actor], Actor]:
    def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied()
        return actor

    return check


class RateLimiter:
    """Token buckets in memory: `per_minute` requests a minute per key, with bursts up to `burst`."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return True


class RateLimited(GridgovError):
    code = "rate_limited"
    status = 429
    message = "提交过于频繁，请稍后再试"


# public intake: residents (and their Open311 submissions) are limited; hotline and command staff are not
LIMITED_ROLES = frozenset({Role.RESIDENT})


def limit_public_intake(request: Request, container: ContainerDep, actor: Actor) -> None:
    if actor.role not in LIMITED_ROLES:
        return
    limiter: RateLimiter = request.app.state.intake_limiter
    key = (
        f"user:{actor.user_id}" if actor.user_id is not None else f"ip:{request.client.host if request.client else '-'}"
    )
    if not limiter.allow(key):
        raise RateLimited(retry_after_seconds=int(60 / max(limiter.rate * 60, 1)) + 1)
