"""Annotated dependencies: the container, the current actor, role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.services import authenticate
from gridgov.bootstrap import Container
from gridgov.errors import PermissionDenied, Unauthenticated

bearer = HTTPBearer(auto_error=False, description="`gridgov token issue NAME` 生成的访问令牌")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_actor(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated()
    token = credentials.credentials
    cached = container.tokens.get(token)
    if cached is not None:
        return cached
    actor = authenticate(container.uow(write=False), token)
    container.tokens.put(token, actor)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: Role) -> Callable[[Actor], Actor]:
    def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied()
        return actor

    return check
