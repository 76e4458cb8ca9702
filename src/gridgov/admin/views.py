"""The admin's JSON routes (/api/v1/admin): users, their tokens and record, and the responsibility tester.
Every change is one service call with its event on the admin record."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from gridgov.accounts.repository import SqlLoginThrottle
from gridgov.actor import Actor, Role
from gridgov.admin import queries, services
from gridgov.admin.domain import scope_of
from gridgov.admin.repository import SqlAdminUnitOfWork
from gridgov.admin.schemas import PasswordReset, UserCreate, UserUpdate
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/admin", tags=["系统管理 admin"])
Admin = Annotated[Actor, Depends(require_role(Role.ADMIN))]
Username = Annotated[str, Path(min_length=1, max_length=80, description="用户名")]


def _uow(container: Runtime) -> SqlAdminUnitOfWork:
    return SqlAdminUnitOfWork(container.uow())


def _user_row(container: Runtime, actor: Actor, username: str) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.user(session, scope_of(actor), username)


@router.get("/users", summary="用户列表 (区县管理员: 本区县的用户)")
def list_users(
    container: ContainerDep, actor: Admin, q: Annotated[str, Query(max_length=80)] = ""
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.users(session, scope_of(actor), q.strip())


@router.post("/users", status_code=201, summary="创建用户 (不填密码则生成, 只显示一次)")
def create_user(body: UserCreate, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    password = body.password or services.new_password()
    user_id = services.create_user(
        _uow(container),
        actor,
        container.clock.now(),
        body.username,
        body.role,
        body.unit_code,
        password,
        body.display_name,
        body.grids,
    )
    return {"id": user_id, "username": body.username, "password": None if body.password else password}


@router.patch("/users/{username}", summary="修改角色、单位、姓名、负责网格")
def change_user(username: Username, body: UserUpdate, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    change = services.UserChange(body.role, body.unit_code, body.display_name, body.grids)
    services.change_user(_uow(container), actor, container.clock.now(), username, change)
    container.forget_tokens()  # the new role holds from the next request
    return _user_row(container, actor, username)


@router.post("/users/{username}/password", summary="重置密码 (结束其登录会话)")
def reset_password(username: Username, body: PasswordReset, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    password = body.password or services.new_password()
    services.reset_password(_uow(container), actor, container.clock.now(), username, password)
    container.forget_tokens()
    return {"username": username, "password": None if body.password else password}


@router.post("/users/{username}/unlock", summary="解除登录限制")
def unlock(username: Username, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    throttle = SqlLoginThrottle(container.sessions)
    cleared = services.unlock_user(_uow(container), throttle, actor, container.clock.now(), username)
    return {"username": username, "addresses_cleared": cleared}


@router.post("/users/{username}/deactivate", summary="停用用户 (吊销其全部令牌与会话)")
def deactivate(username: Username, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    revoked = services.deactivate_user(_uow(container), actor, container.clock.now(), username)
    container.forget_tokens()
    return {"username": username, "tokens_revoked": revoked}


@router.get("/users/{username}/tokens", summary="用户的令牌与会话 (只显示前缀)")
def list_tokens(username: Username, container: ContainerDep, actor: Admin) -> list[dict[str, Any]]:
    user = _user_row(container, actor, username)
    with container.sessions() as session:
        return queries.tokens(session, user["id"])


@router.post("/users/{username}/tokens/{token_id}/revoke", summary="吊销一个令牌或会话")
def revoke_token(username: Username, token_id: RowId, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    services.revoke_user_token(_uow(container), actor, container.clock.now(), username, token_id)
    container.forget_tokens()
    return {"username": username, "token_id": token_id, "revoked": True}


@router.get("/users/{username}/record", summary="该用户的管理记录 (防篡改事件链)")
def user_record(username: Username, container: ContainerDep, actor: Admin) -> list[dict[str, Any]]:
    user = _user_row(container, actor, username)
    with container.sessions() as session:
        return queries.record_of(session, "user", str(user["id"]))


@router.get("/responsible", summary="权属测试: 这个案件会派给谁?")
def tester(
    container: ContainerDep,
    actor: Admin,
    category: Annotated[str, Query(min_length=1, max_length=20)],
    grid: Annotated[str, Query(pattern=r"^\d{15}$")],
) -> dict[str, Any]:
    return asdict(services.who_would_get(container.uow(write=False), actor, category, grid))
