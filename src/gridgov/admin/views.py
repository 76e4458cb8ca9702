"""The admin's JSON routes (/api/v1/admin): users, their tokens and record, and the responsibility tester.
Every change is one service call with its event on the admin record."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from gridgov.accounts.repository import SqlLoginThrottle
from gridgov.actor import Actor, Role
from gridgov.admin import queries, services
from gridgov.admin.domain import scope_of
from gridgov.admin.repository import SqlAdminUnitOfWork
from gridgov.admin.schemas import CategoryUpdate, PasswordReset, RuleSet, UnitChange, UnitCreate, UserCreate, UserUpdate
from gridgov.admin.settings_view import settings_rows
from gridgov.basemap import basemap
from gridgov.errors import ValidationFailed
from gridgov.geo.geojson import preview_grid_file
from gridgov.geo.services import compare_versions, list_versions
from gridgov.units import admin as units_admin
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role
from gridgov.web.limits import IMPORT_MAX_BYTES

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


# -- grid versions --------------------------------------------------------------------------------------------
async def _file_text(file: UploadFile) -> bytes:
    data = await file.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationFailed(f"网格文件超过 {IMPORT_MAX_BYTES // 1048576} MB", field="file")
    return data


@router.get("/grids/versions", summary="网格版本列表")
def grid_versions(container: ContainerDep, actor: Admin) -> list[dict[str, Any]]:
    return list_versions(container.sessions)


@router.post("/grids/preview", summary="预检网格文件: 全部要素与问题 (不写入)")
async def grid_preview(actor: Admin, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = await _file_text(file)
    return await run_in_threadpool(preview_grid_file, data)


@router.post("/grids", status_code=201, summary="导入网格版本 (GeoJSON; 有任何问题则不导入)")
async def grid_import(
    container: ContainerDep,
    actor: Admin,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    activate: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    data = await _file_text(file)
    version_id, counts = await run_in_threadpool(
        services.import_grid_version, _uow(container), actor, container.clock.now(), data, name, activate
    )
    return {"id": version_id, "name": name, "active": activate, "counts": counts}


@router.post("/grids/{version_id}/activate", summary="启用网格版本")
def grid_activate(version_id: RowId, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    before = services.activate_grid_version(_uow(container), actor, container.clock.now(), version_id)
    return {"id": version_id, "active": True, "replaced": before}


@router.get("/grids/compare", summary="比较两个网格版本: 新增、删除、改名、改边界")
def grid_compare(
    container: ContainerDep,
    actor: Admin,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int, Query(ge=1)],
    shapes: bool = False,
) -> dict[str, Any]:
    return compare_versions(container.sessions, old, new, shapes=shapes)


# -- responsibility rules, settings ---------------------------------------------------------------------------
@router.get("/rules", summary="权属规则 (按类别、网格筛选)")
def list_rules(
    container: ContainerDep,
    actor: Admin,
    category: Annotated[str | None, Query(max_length=20)] = None,
    grid: Annotated[str | None, Query(pattern=r"^\d{15}$")] = None,
) -> list[dict[str, Any]]:
    scope_of(actor)
    return [asdict(r) for r in units_admin.list_rules(container.uow(write=False), category or None, grid)]


@router.put("/rules", summary="设置权属规则 (类别子树 × 网格子树 → 责任单位)")
def put_rule(body: RuleSet, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    rule_id = services.set_rule(
        _uow(container), actor, container.clock.now(), body.category, body.grid, body.target, body.unit_code, body.note
    )
    return {"id": rule_id}


@router.delete("/rules", summary="删除权属规则")
def remove_rule(
    container: ContainerDep,
    actor: Admin,
    grid: Annotated[str, Query(pattern=r"^\d{15}$")],
    category: Annotated[str, Query(max_length=20)] = "",
) -> dict[str, Any]:
    services.delete_rule(_uow(container), actor, container.clock.now(), category, grid)
    return {"deleted": True}


@router.get("/settings", summary="当前设置 (只读, 密钥与密码隐藏)")
def read_settings(container: ContainerDep, actor: Admin) -> list[dict[str, str]]:
    scope_of(actor)
    mode = {"name": "底图 (basemap)", "value": basemap(container.settings).summary()}
    return [mode, *({"name": n, "value": v} for n, v in settings_rows(container.settings.model_dump()))]


# -- units ----------------------------------------------------------------------------------------------------
@router.post("/units", status_code=201, summary="新建单位")
def create_unit(body: UnitCreate, container: ContainerDep, actor: Admin) -> dict[str, Any]:
    now = container.clock.now()
    unit_id = services.create_unit(
        _uow(container), actor, now, body.code, body.name, body.kind, body.parent_code, body.grid_code
    )
    return {"id": unit_id, "code": body.code}


@router.post("/units/{code}", summary="单位: 改名、调整上级、合并到另一单位或撤销 (每次一项)")
def change_unit(
    code: Annotated[str, Path(min_length=1, max_length=40)], body: UnitChange, container: ContainerDep, actor: Admin
) -> dict[str, Any]:
    chosen = [body.name is not None, body.parent_code is not None, body.into_code is not None, body.deactivate]
    if sum(chosen) != 1:
        raise ValidationFailed("每次只能做一项: 改名、调整上级、合并或撤销", field="body")
    uow, now = _uow(container), container.clock.now()
    moved: dict[str, int] | None = None
    if body.name is not None:
        services.rename_unit(uow, actor, now, code, body.name)
    elif body.parent_code is not None:
        services.move_unit(uow, actor, now, code, body.parent_code)
    elif body.into_code is not None:
        moved = services.merge_unit(uow, actor, now, code, body.into_code)
        container.forget_tokens()  # its users now act for the other unit
    else:
        services.deactivate_unit(uow, actor, now, code)
    return {"code": code, "moved": moved}


@router.get("/units/{code}/record", summary="该单位的管理记录")
def unit_record(
    code: Annotated[str, Path(min_length=1, max_length=40)], container: ContainerDep, actor: Admin
) -> list[dict[str, Any]]:
    scope_of(actor)
    with container.sessions() as session:
        return queries.record_of(session, "unit", code)


# -- categories -----------------------------------------------------------------------------------------------
@router.patch("/categories/{code}", summary="修改类别: 名称、紧急程度、响应与处置时限、停用")
def change_category(
    code: Annotated[str, Path(min_length=1, max_length=20)], body: CategoryUpdate, container: ContainerDep, actor: Admin
) -> dict[str, Any]:
    change = services.CategoryChange(
        body.name,
        body.urgency,
        (body.response.limit, body.response.unit) if body.response else None,
        (body.handle.limit, body.handle.unit) if body.handle else None,
        body.active,
    )
    services.change_category(_uow(container), actor, container.clock.now(), code, change)
    cache = getattr(container, "reference", None)
    if cache is not None and hasattr(cache, "clear"):
        cache.clear()  # this process reads the new deadline at once; others within GRIDGOV_REFERENCE_CACHE_SECONDS
    with container.sessions() as session:
        return queries.record_of(session, "category", code)[-1]


@router.get("/categories/{code}/record", summary="该类别的管理记录")
def category_record(
    code: Annotated[str, Path(min_length=1, max_length=20)], container: ContainerDep, actor: Admin
) -> list[dict[str, Any]]:
    scope_of(actor)
    with container.sessions() as session:
        return queries.record_of(session, "category", code)
