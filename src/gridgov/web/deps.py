"""Annotated dependencies: the runtime (the composition root, seen through a narrow protocol), the current
actor, role checks.

This module sits below every feature, so it imports only the kernel: the container itself is built in
`gridgov.bootstrap` (above the features) and reached here as `request.app.state.container`, typed by
`Runtime`. Members whose types belong to a feature (the unit of work, the case policy, the classifier, the
locator) are typed `Any` here; each feature's services type their own unit-of-work protocol.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated, Any, Protocol

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from gridgov.actor import Actor, Role
from gridgov.clock import Clock, WorkingDays
from gridgov.config import Settings
from gridgov.errors import GridgovError, PermissionDenied, Unauthenticated
from gridgov.ratelimit import Limiter, RateLimiter

__all__ = ["RateLimiter", "Runtime", "ContainerDep", "CurrentActor"]

bearer = HTTPBearer(auto_error=False, description="`gridgov token issue NAME` 生成的访问令牌")


class Runtime(Protocol):
    """What the web layer needs from the composition root (`gridgov.bootstrap.Container` implements it)."""

    settings: Settings
    clock: Clock
    calendar: WorkingDays
    sessions: sessionmaker[Session]  # read-only queries
    enricher: Any
    listener: Any  # gridgov.jobs.notify.Listener (PostgreSQL, live updates by NOTIFY) or None

    def uow(self, write: bool = True) -> Any: ...  # the AbstractUnitOfWork (gridgov.uow)

    def intake_uow(self) -> Any: ...  # a member of the process's intake group commit (gridgov.groupcommit)

    @property
    def uow_factory(self) -> Callable[[], Any]: ...

    @property
    def policy(self) -> Any: ...  # gridgov.cases.services.CasePolicy

    @property
    def classifier(self) -> Any: ...  # gridgov.classify.ports.Classifier

    @property
    def photo_storage(self) -> Any: ...  # gridgov.media.storage.PhotoStorage (GRIDGOV_PHOTO_STORAGE)

    def locator(self) -> Any: ...  # gridgov.geo.services.GeoLocator | None

    @property
    def photos(self) -> Any: ...  # gridgov.open311.ports.Photos (gridgov.media's checks and store)

    def authenticate(self, token: str) -> Actor: ...  # raises Unauthenticated

    def forget_tokens(self) -> None: ...  # after a sign-out or a revocation


async def get_container(request: Request) -> Runtime:
    """The process's container. `async`, as it does no I/O: FastAPI runs it on the event loop instead of
    handing every request once more to its thread pool and back (a sync dependency's cost)."""
    container: Runtime = request.app.state.container
    return container


ContainerDep = Annotated[Runtime, Depends(get_container)]

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


def csrf_token_for(secret: str, session_token: str) -> str:
    """The CSRF token of one browser session: an HMAC (GRIDGOV_SECRET_KEY) of the session id. It is set in the
    readable `gg_csrf` cookie at sign-in and must come back in `X-CSRF-Token`; a cookie chosen by anyone
    else (a sibling subdomain, a man in the middle on plain HTTP) does not match the session it rides with."""
    mac = hmac.new(secret.encode("utf-8"), b"gg-csrf\x00" + session_token.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()


class InsufficientScope(PermissionDenied):
    code = "insufficient_scope"
    message = "该访问令牌只读，不能修改数据"


def actor_for_token(container: Runtime, token: str) -> Actor:
    """The token's actor, looked up on every request (a cache only with GRIDGOV_AUTH_CACHE_SECONDS), so a
    sign-out or a revocation holds from the next request in every process. Raises Unauthenticated."""
    return container.authenticate(token)


def get_actor(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """A bearer token (API) or the session cookie (pages). A cookie session must send, with every change, the
    CSRF token bound to that session (never merely whatever the CSRF cookie holds); a read-only token cannot
    change anything."""
    if credentials is not None and credentials.scheme.lower() == "bearer" and credentials.credentials:
        token = credentials.credentials
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise Unauthenticated()
    actor = actor_for_token(container, token)
    if request.method not in SAFE_METHODS:
        if actor.via_session:
            sent = request.headers.get(CSRF_HEADER, "")
            expected = csrf_token_for(container.settings.secret_key, token)
            if not sent or not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")):
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


class RateLimited(GridgovError):
    code = "rate_limited"
    status = 429
    message = "提交过于频繁，请稍后再试"


# public intake: residents (and their Open311 submissions) are limited; hotline and command staff are not
LIMITED_ROLES = frozenset({Role.RESIDENT})


def limit_public_intake(request: Request, container: ContainerDep, actor: Actor) -> None:
    """The resident's intake budget, in the store every process shares (GRIDGOV_SHARED_STATE: a table by
    default), so N processes behind a proxy grant what one would."""
    if actor.role not in LIMITED_ROLES:
        return
    limiter: Limiter = request.app.state.intake_limiter
    key = (
        f"user:{actor.user_id}" if actor.user_id is not None else f"ip:{request.client.host if request.client else '-'}"
    )
    if not limiter.allow(key):
        raise RateLimited(retry_after_seconds=int(60 / max(limiter.rate * 60, 1)) + 1)
