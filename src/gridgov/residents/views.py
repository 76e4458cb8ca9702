"""Phone sign-in routes: ask for an SMS code, then sign in (or sign up) with it; the session is the login's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from gridgov.accounts.views import client_address
from gridgov.cases.privacy import claim_phone_reports
from gridgov.ratelimit import Limiter, RateLimiter
from gridgov.residents.domain import DEFAULT_CODE_POLICY, CodePolicy
from gridgov.residents.repository import NotifySmsCodeSender, SqlCodeStore
from gridgov.residents.services import request_code, verify_code
from gridgov.validation import CleanText
from gridgov.web.deps import CSRF_COOKIE, SESSION_COOKIE, ContainerDep, Runtime, csrf_token_for

router = APIRouter(prefix="/api/v1/auth/phone", tags=["登录 sign-in"])


class CodeRequest(CleanText):
    phone: str = Field(min_length=1, max_length=20)


class CodeLogin(CleanText):
    phone: str = Field(min_length=1, max_length=20)
    code: str = Field(min_length=1, max_length=10)


def _limiter(container: Runtime, per_hour: float, burst: int) -> Limiter:
    if container.settings.shared_state == "memory":
        return RateLimiter(per_hour / 60.0, burst)
    from gridgov.jobs.shared import SqlRateLimiter

    engine: Any = getattr(container, "engine")  # noqa: B009  (bootstrap.Container; not on the web's Runtime)
    return SqlRateLimiter(engine, per_hour / 60.0, burst)


def limiters(container: Runtime, policy: CodePolicy = DEFAULT_CODE_POLICY) -> tuple[Limiter, Limiter]:
    """Per number and per client address, in the shared rate-limit table (they hold across processes)."""
    return (
        _limiter(container, policy.per_number_per_hour, policy.per_number_burst),
        _limiter(container, policy.per_client_per_hour, policy.per_client_burst),
    )


@router.post(
    "/code",
    openapi_extra={"x-roles": "public"},
    summary="获取短信验证码 (6 位, 5 分钟内有效); 无论该号码是否已注册, 回答相同",
)
def ask_code(body: CodeRequest, request: Request, container: ContainerDep) -> dict[str, Any]:
    from gridgov.notify.domain import Channel

    per_number, per_client = limiters(container)
    return request_code(
        SqlCodeStore(container.sessions),
        NotifySmsCodeSender(getattr(container, "notify_senders", {}).get(Channel.SMS)),
        per_number,
        per_client,
        secret=container.settings.secret_key,
        city=container.settings.city_name,
        phone=body.phone,
        client=client_address(request),
        now=container.clock.now(),
    )


def _claim(container: Runtime, user_id: int, key: str, now: datetime) -> list[int]:
    """The cases reported earlier with this phone join the account, in one transaction of the case loop."""
    uow = container.uow()
    with uow:
        ids = claim_phone_reports(uow, user_id, key, now)
        uow.commit()
    return ids


@router.post(
    "/login",
    openapi_extra={"x-roles": "public"},
    summary="手机号 + 验证码登录; 首次使用时注册居民账号; 设置会话 Cookie 与 CSRF Cookie",
)
def phone_login(body: CodeLogin, container: ContainerDep, response: Response) -> dict[str, Any]:
    settings = container.settings
    token, made = verify_code(
        SqlCodeStore(container.sessions),
        secret=settings.secret_key,
        phone=body.phone,
        code=body.code,
        now=container.clock.now(),
        hours=settings.session_hours,
        claim=lambda user_id, key, now: _claim(container, user_id, key, now),
    )
    csrf = csrf_token_for(settings.secret_key, token)
    secure = settings.environment == "production"
    max_age = settings.session_hours * 3600
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=max_age)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure, max_age=max_age)
    return {"csrf_token": csrf, "expires_in": max_age, "new_account": made}
