"""Sign-in routes: log in and out with a session cookie, and who the current user is (the personal-data
routes under /api/v1/me live in gridgov.privacy.views)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from gridgov.accounts.queries import identity
from gridgov.accounts.services import login, revoke_token
from gridgov.web.deps import CSRF_COOKIE, SESSION_COOKIE, ContainerDep, CurrentActor
from gridgov.validation import CleanText

auth_router = APIRouter(prefix="/api/v1/auth", tags=["登录 sign-in"])


class LoginRequest(CleanText):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@auth_router.post("/login", summary="用户名和密码登录: 设置会话 Cookie 与 CSRF Cookie (网页使用)")
def sign_in(body: LoginRequest, container: ContainerDep, response: Response) -> dict[str, Any]:
    token = login(
        container.uow(), body.username, body.password, container.clock.now(), container.settings.session_hours
    )
    csrf = secrets.token_urlsafe(24)
    secure = container.settings.environment == "production"
    max_age = container.settings.session_hours * 3600
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
