"""Sign-in routes: log in and out with a session cookie, who the current user is, and an admin's unlock (the
personal-data routes under /api/v1/me live in gridgov.privacy.views)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from gridgov.accounts.domain import Actor, LoginPolicy, Role
from gridgov.accounts.queries import identity
from gridgov.accounts.repository import SqlLoginThrottle
from gridgov.accounts.services import login, revoke_token, unlock
from gridgov.config import Settings
from gridgov.validation import CleanText
from gridgov.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ContainerDep,
    CurrentActor,
    Runtime,
    csrf_token_for,
    require_role,
)

auth_router = APIRouter(prefix="/api/v1/auth", tags=["登录 sign-in"])


class LoginRequest(CleanText):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class UnlockRequest(CleanText):
    username: str = Field(min_length=1, max_length=80)


def login_policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(free_attempts=settings.login_free_attempts, max_delay_seconds=settings.login_max_delay_seconds)


def throttle_of(container: Runtime) -> SqlLoginThrottle:
    return SqlLoginThrottle(container.sessions)


def client_address(request: Request) -> str:
    """The address the request came from (behind a proxy: what uvicorn's --forwarded-allow-ips lets through)."""
    return request.client.host if request.client else "-"


@auth_router.post(
    "/login",
    summary="用户名和密码登录: 设置会话 Cookie 与 CSRF Cookie (网页使用); 同一地址连续失败后须等待, 时间逐次加倍",
)
def sign_in(body: LoginRequest, request: Request, container: ContainerDep, response: Response) -> dict[str, Any]:
    settings = container.settings
    token = login(
        container.uow(),
        throttle_of(container),
        body.username,
        body.password,
        client_address(request),
        container.clock.now(),
        settings.session_hours,
        policy=login_policy(settings),
    )
    csrf = csrf_token_for(settings.secret_key, token)
    secure = settings.environment == "production"
    max_age = settings.session_hours * 3600
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=max_age)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure, max_age=max_age)
    return {"csrf_token": csrf, "expires_in": max_age}


@auth_router.post("/logout", summary="退出登录 (吊销会话)")
def sign_out(request: Request, container: ContainerDep, actor: CurrentActor, response: Response) -> dict[str, str]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        revoke_token(container.uow(), token, container.clock.now())
        container.forget_tokens()
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return {"status": "ok"}


@auth_router.get("/me", summary="当前用户: 用户名、角色、所属单位")
def who_am_i(container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    return identity(container.sessions, actor)


@auth_router.post("/unlock", summary="解除登录限制 (管理员): 清除该用户在所有地址的失败计数与等待")
def unlock_user(
    body: UnlockRequest, container: ContainerDep, actor: Annotated[Actor, Depends(require_role(Role.ADMIN))]
) -> dict[str, Any]:
    cleared = unlock(container.uow(), throttle_of(container), body.username)
    return {"username": body.username, "cleared": cleared}
