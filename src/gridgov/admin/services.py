"""The admin's changes to users, each one transaction with its event on the admin record (a hash chain per user,
a leaf of the city's log). The account rules are the accounts feature's own (which unit kinds each role may
belong to, the password rule and hasher, the token digest); a district admin acts only within the district."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridgov.accounts.domain import Role
from gridgov.accounts.hashing import ARGON2
from gridgov.accounts.models import User
from gridgov.accounts.ports import LoginThrottle, PasswordHasher
from gridgov.accounts.services import ROLE_UNIT_KINDS, UserExists
from gridgov.actor import Actor
from gridgov.admin.domain import (
    ACTIVE,
    INACTIVE,
    TARGET_LABELS,
    AdminAction,
    AdminScope,
    check_city_admin,
    check_covers,
    check_may_give,
    load_problem,
    scope_of,
)
from gridgov.admin.events import record
from gridgov.admin.ports import AdminUnitOfWork
from gridgov.clock import TimeUnit
from gridgov.errors import NotFound, ValidationFailed
from gridgov.geo.geojson import parse_feature_collection
from gridgov.grids.domain import check_code, prefix_of
from gridgov.units import admin as units_admin
from gridgov.units.domain import RuleTarget, RuleView, UnitKind, category_prefixes, most_specific
from gridgov.units.models import Unit
from gridgov.units.ports import UnitAdminStore
from gridgov.units.services import NoResponsibleUnit, grid_prefixes, resolve

MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class UserChange:
    """What an admin sets on a user; None leaves it as it is."""

    role: str | None = None
    unit_code: str | None = None
    display_name: str | None = None
    grids: Sequence[str] | None = None  # a grid worker's assigned grids, all of them


def _role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        raise ValidationFailed(f"未知角色: {value}", field="role") from None
    if role is Role.SYSTEM:
        raise ValidationFailed("不能创建系统角色用户", field="role")
    return role


def _unit(uow: AdminUnitOfWork, role: Role, unit_code: str | None) -> Unit | None:
    allowed = ROLE_UNIT_KINDS[role]
    if not unit_code:
        if allowed is not None:
            raise ValidationFailed(f"角色「{role.label}」必须指定所属单位", field="unit_code")
        return None
    unit = uow.units.by_code(unit_code)
    if unit is None:
        raise NotFound(f"单位不存在: {unit_code}", field="unit_code")
    if allowed is not None and unit.kind not in allowed:
        raise ValidationFailed(f"角色「{role.label}」不能属于该类单位 ({unit.kind})", field="unit_code")
    if not unit.active:
        raise ValidationFailed(f"单位已撤销: {unit_code}", field="unit_code")
    return unit


def _user(uow: AdminUnitOfWork, scope: AdminScope, username: str) -> tuple[User, Unit | None]:
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound(f"用户不存在: {username}", field="username")
    unit = uow.units.get(user.unit_id) if user.unit_id is not None else None
    check_covers(scope, unit.grid_code if unit else None)
    return user, unit


def _status(user: User) -> str:
    return ACTIVE if user.active else INACTIVE


def _event(
    uow: AdminUnitOfWork,
    user: User,
    action: AdminAction,
    actor: Actor,
    before: str | None,
    now: datetime,
    payload: dict[str, Any],
) -> None:
    subject = uow.admin.subject("user", str(user.id))
    uow.admin.add_event(
        record(subject, action, actor, before, _status(user), now, {"username": user.username} | payload)
    )


def _grids(uow: AdminUnitOfWork, scope: AdminScope, codes: Sequence[str]) -> list[str]:
    out = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        check_code(code)
        check_covers(scope, code)
        if not uow.unit_admin.grid_in_active_version(code):
            raise NotFound(f"网格不存在: {code}", field="grids")
        out.append(code)
    return out


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"密码至少 {MIN_PASSWORD} 位", field="password")


def new_password() -> str:
    """A first or reset password the admin hands over once (the user changes nothing else to sign in)."""
    return secrets.token_urlsafe(12)


def create_user(
    uow: AdminUnitOfWork,
    actor: Actor,
    now: datetime,
    username: str,
    role: str,
    unit_code: str | None,
    password: str,
    display_name: str = "",
    grids: Sequence[str] = (),
    hasher: PasswordHasher = ARGON2,
) -> int:
    scope = scope_of(actor)
    role_enum = _role(role)
    check_may_give(scope, role_enum)
    name = username.strip()
    if not name or len(name) > 80:
        raise ValidationFailed("用户名须为 1–80 个字符", field="username")
    _check_password(password)
    with uow:
        if uow.users.by_username(name) is not None:
            raise UserExists(f"用户名已存在: {name}")
        unit = _unit(uow, role_enum, unit_code)
        check_covers(scope, unit.grid_code if unit else None)
        codes = _grids(uow, scope, grids)
        if codes and role_enum is not Role.GRID_WORKER:
            raise ValidationFailed("只有网格员可以分配网格", field="grids")
        user = User(
            username=name,
            display_name=display_name.strip() or name,
            role=role_enum.value,
            unit_id=unit.id if unit else None,
            active=True,
            created_at=now,
            password_hash=hasher.hash(password),
        )
        uow.users.add(user)
        if codes:
            uow.admin.set_grids(user.id, codes)
        payload = {"role": role_enum.value, "unit": unit.code if unit else None, "grids": codes}
        _event(uow, user, AdminAction.CREATE_USER, actor, None, now, payload)
        uow.commit()
        return user.id


def change_user(uow: AdminUnitOfWork, actor: Actor, now: datetime, username: str, change: UserChange) -> None:
    scope = scope_of(actor)
    with uow:
        user, unit = _user(uow, scope, username)
        before = {"role": user.role, "unit": unit.code if unit else None, "grids": uow.admin.grids_of(user.id)}
        role = _role(change.role) if change.role is not None else Role(user.role)
        check_may_give(scope, role)
        if change.unit_code is not None or change.role is not None:
            code = change.unit_code if change.unit_code is not None else (unit.code if unit else None)
            unit = _unit(uow, role, code or None)
            check_covers(scope, unit.grid_code if unit else None)
        user.role = role.value
        user.unit_id = unit.id if unit else None
        if change.display_name is not None and change.display_name.strip():
            user.display_name = change.display_name.strip()
        grids = before["grids"]
        if change.grids is not None:
            grids = _grids(uow, scope, change.grids)
            if grids and role is not Role.GRID_WORKER:
                raise ValidationFailed("只有网格员可以分配网格", field="grids")
            uow.admin.set_grids(user.id, grids)
        elif role is not Role.GRID_WORKER and grids:
            uow.admin.set_grids(user.id, [])  # no longer a grid worker: no grids either
            grids = []
        after = {"role": role.value, "unit": unit.code if unit else None, "grids": grids}
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if change.display_name is not None:
            changed["display_name"] = {"to": user.display_name}
        _event(uow, user, AdminAction.CHANGE_USER, actor, _status(user), now, {"changed": changed})
        uow.commit()


def reset_password(
    uow: AdminUnitOfWork,
    actor: Actor,
    now: datetime,
    username: str,
    password: str,
    hasher: PasswordHasher = ARGON2,
) -> None:
    """A new password; the user's sessions end (their API tokens stay: revoke those one by one)."""
    _check_password(password)
    scope = scope_of(actor)
    with uow:
        user, _ = _user(uow, scope, username)
        user.password_hash = hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        ended = 0
        for token in uow.admin.tokens_of(user.id):
            if token.kind == "session" and token.revoked_at is None:
                token.revoked_at = now
                ended += 1
        _event(uow, user, AdminAction.RESET_PASSWORD, actor, _status(user), now, {"sessions_ended": ended})
        uow.commit()


def unlock_user(uow: AdminUnitOfWork, throttle: LoginThrottle, actor: Actor, now: datetime, username: str) -> int:
    """Lift every sign-in delay on the account (from every address); how many addresses were lifted."""
    scope = scope_of(actor)
    with uow:
        user, _ = _user(uow, scope, username)
        user.failed_logins = 0
        user.locked_until = None
        _event(uow, user, AdminAction.UNLOCK, actor, _status(user), now, {})
        uow.commit()
    return throttle.clear(username)  # the throttle keeps its own rows, in its own transaction


def deactivate_user(uow: AdminUnitOfWork, actor: Actor, now: datetime, username: str) -> int:
    """The user can no longer sign in or use a token: every session and token is revoked with it. The row stays
    (the record names it); how many tokens were revoked."""
    scope = scope_of(actor)
    with uow:
        user, _ = _user(uow, scope, username)
        if user.id == actor.user_id:
            raise ValidationFailed("不能停用自己的账号", field="username")
        if not user.active:
            raise ValidationFailed(f"用户已停用: {username}", field="username")
        user.active = False
        revoked = 0
        for token in uow.admin.tokens_of(user.id):
            if token.revoked_at is None:
                token.revoked_at = now
                revoked += 1
        _event(uow, user, AdminAction.DEACTIVATE, actor, ACTIVE, now, {"tokens_revoked": revoked})
        uow.commit()
        return revoked


def revoke_user_token(uow: AdminUnitOfWork, actor: Actor, now: datetime, username: str, token_id: int) -> None:
    scope = scope_of(actor)
    with uow:
        user, _ = _user(uow, scope, username)
        token = uow.admin.token(token_id)
        if token is None or token.user_id != user.id:
            raise NotFound("令牌不存在", field="token_id")
        if token.revoked_at is not None:
            raise ValidationFailed("令牌已吊销", field="token_id")
        token.revoked_at = now
        payload = {"token_id": token.id, "prefix": token.prefix, "kind": token.kind, "name": token.name}
        _event(uow, user, AdminAction.REVOKE_TOKEN, actor, _status(user), now, payload)
        uow.commit()


@dataclass(frozen=True, slots=True)
class TesterAnswer:
    """Who would get a case of `category` in `grid`: the unit the matrix names (the dispatcher's suggestion),
    and the rules that were weighed, most specific first."""

    unit: dict[str, str] | None
    rules: list[dict[str, Any]]
    message: str


def who_would_get(uow: AdminUnitOfWork, actor: Actor, category: str, grid: str) -> TesterAnswer:
    """The responsibility tester: changes nothing, records nothing."""
    scope_of(actor)
    check_code(grid)
    with uow:
        rows = list(uow.units.rules_for(category_prefixes(category), grid_prefixes(grid)))
        views = [RuleView(r.id, r.category_code, r.grid_prefix, RuleTarget(r.target), r.unit_id) for r in rows]
        ordered = []
        while views:
            best = most_specific(views)
            assert best is not None
            views.remove(best)
            ordered.append(best)
        rules = [
            {
                "category": v.category_code or "(全部类别)",
                "grid_prefix": v.grid_prefix or "(全市)",
                "target": v.target.value,
                "target_label": TARGET_LABELS.get(v.target.value, v.target.value),
                "unit": (u.code if (u := uow.units.get(v.unit_id)) else None) if v.unit_id else None,
                "id": v.id,
            }
            for v in ordered
        ]
        try:
            unit = resolve(uow.units, category, grid)
        except NoResponsibleUnit as exc:
            return TesterAnswer(None, rules, exc.message)
        found = {"code": unit.code, "name": unit.name, "kind": unit.kind}
        return TesterAnswer(found, rules, f"将派给: {unit.name}")


def import_grid_version(
    uow: AdminUnitOfWork, actor: Actor, now: datetime, text: str | bytes, name: str, activate: bool = False
) -> tuple[int, dict[int, int]]:
    """A checked grid file as a new version (all or nothing: a refused file, GridFileInvalid with every problem,
    writes nothing), with its event; activated in the same transaction when asked."""
    check_city_admin(scope_of(actor))
    label = name.strip()
    if not label or len(label) > 200:
        raise ValidationFailed("版本名须为 1–200 个字符", field="name")
    parsed = parse_feature_collection(text)
    with uow:
        before = None
        version_id, counts = uow.grid_files.store(parsed, label, now, False)
        if activate:
            before = uow.grid_files.activate(version_id, now)
        subject = uow.admin.subject("grid_version", str(version_id))
        payload = {"name": label, "counts": {str(k): v for k, v in counts.items()}, "replaced": before}
        status = "active" if activate else "inactive"
        uow.admin.add_event(record(subject, AdminAction.IMPORT_GRIDS, actor, None, status, now, payload))
        uow.commit()
        return version_id, counts


def activate_grid_version(uow: AdminUnitOfWork, actor: Actor, now: datetime, version_id: int) -> int | None:
    """Make a version the active one (cases are located in it from now on); the one it replaced."""
    check_city_admin(scope_of(actor))
    with uow:
        before = uow.grid_files.activate(version_id, now)
        subject = uow.admin.subject("grid_version", str(version_id))
        payload = {"name": uow.grid_files.name_of(version_id), "replaced": before}
        from_status = "active" if before == version_id else "inactive"
        uow.admin.add_event(record(subject, AdminAction.ACTIVATE_GRIDS, actor, from_status, "active", now, payload))
        uow.commit()
        return before


class _Joined:
    """An already open admin unit of work handed to a service that owns its transaction (units.admin): its
    enter, exit and commit are the outer transaction's business, so the change and its event commit together."""

    def __init__(self, outer: AdminUnitOfWork) -> None:
        self._outer = outer

    def __enter__(self) -> _Joined:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        self._outer.rollback()

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._outer.after_commit(hook)

    def savepoint(self) -> AbstractContextManager[object]:
        return self._outer.savepoint()

    @property
    def unit_admin(self) -> UnitAdminStore:
        return self._outer.unit_admin


def _rule_event(
    uow: AdminUnitOfWork, actor: Actor, now: datetime, action: AdminAction, payload: dict[str, Any]
) -> None:
    subject = uow.admin.subject("rule", f"{payload['category'] or '*'}@{payload['grid_prefix']}")
    status = "deleted" if action is AdminAction.DELETE_RULE else "set"
    uow.admin.add_event(record(subject, action, actor, None, status, now, payload))


def set_rule(
    uow: AdminUnitOfWork,
    actor: Actor,
    now: datetime,
    category: str,
    grid: str,
    target: str,
    unit_code: str | None,
    note: str = "",
) -> int:
    """Create or replace a responsibility rule (units.admin.set_rule's checks), with its event. A district admin
    sets rules only for grids of the district."""
    scope = scope_of(actor)
    check_covers(scope, check_code(grid))
    with uow:
        before = [
            r for r in units_admin.list_rules(_Joined(uow), category or None, grid) if r.category_code == category
        ]
        rule_id = units_admin.set_rule(_Joined(uow), category, grid, target, unit_code, note)
        prefix = prefix_of(grid)
        old = next((r for r in before if r.grid_prefix == prefix), None)
        payload = {
            "category": category,
            "grid_prefix": prefix,
            "target": target,
            "unit": unit_code,
            "note": note,
            "replaced": {"target": old.target, "unit": old.unit_code} if old else None,
        }
        _rule_event(uow, actor, now, AdminAction.SET_RULE, payload)
        uow.commit()
        return rule_id


def delete_rule(uow: AdminUnitOfWork, actor: Actor, now: datetime, category: str, grid: str) -> None:
    scope = scope_of(actor)
    check_covers(scope, check_code(grid))
    with uow:
        units_admin.delete_rule(_Joined(uow), category, grid)
        _rule_event(uow, actor, now, AdminAction.DELETE_RULE, {"category": category, "grid_prefix": prefix_of(grid)})
        uow.commit()


# -- units ----------------------------------------------------------------------------------------------------
def _unit_of(uow: AdminUnitOfWork, scope: AdminScope, code: str, field: str = "code") -> Unit:
    unit = uow.units.by_code(code)
    if unit is None:
        raise NotFound(f"单位不存在: {code}", field=field)
    check_covers(scope, unit.grid_code)
    return unit


def _unit_event(
    uow: AdminUnitOfWork,
    unit: Unit,
    action: AdminAction,
    actor: Actor,
    before: str | None,
    now: datetime,
    **payload: Any,
) -> None:
    subject = uow.admin.subject("unit", unit.code)
    status = ACTIVE if unit.active else INACTIVE
    uow.admin.add_event(record(subject, action, actor, before, status, now, {"name": unit.name} | payload))


def create_unit(
    uow: AdminUnitOfWork,
    actor: Actor,
    now: datetime,
    code: str,
    name: str,
    kind: str,
    parent_code: str | None,
    grid_code: str | None = None,
) -> int:
    scope = scope_of(actor)
    try:
        unit_kind = UnitKind(kind)
    except ValueError:
        raise ValidationFailed(f"未知单位类型: {kind}", field="kind") from None
    if not code.strip() or not name.strip():
        raise ValidationFailed("单位编码和名称不能为空", field="code")
    if grid_code:
        check_code(grid_code)
    check_covers(scope, grid_code or None)
    with uow:
        if uow.units.by_code(code.strip()) is not None:
            raise ValidationFailed(f"单位编码已存在: {code}", field="code")
        parent = _unit_of(uow, scope, parent_code, "parent_code") if parent_code else None
        if parent is not None and not parent.active:
            raise ValidationFailed(f"上级单位已撤销: {parent_code}", field="parent_code")
        unit = Unit(
            code=code.strip(),
            name=name.strip(),
            kind=unit_kind.value,
            parent_id=parent.id if parent else None,
            grid_code=grid_code or None,
            generated=False,
            active=True,
        )
        uow.admin.add_unit(unit)
        extra = {"kind": unit.kind, "parent": parent.code if parent else None, "grid_code": unit.grid_code}
        _unit_event(uow, unit, AdminAction.CREATE_UNIT, actor, None, now, **extra)
        uow.commit()
        return unit.id


def rename_unit(uow: AdminUnitOfWork, actor: Actor, now: datetime, code: str, name: str) -> None:
    scope = scope_of(actor)
    if not name.strip() or len(name.strip()) > 200:
        raise ValidationFailed("单位名称须为 1–200 个字符", field="name")
    with uow:
        unit = _unit_of(uow, scope, code)
        old = unit.name
        unit.name = name.strip()
        _unit_event(uow, unit, AdminAction.RENAME_UNIT, actor, ACTIVE if unit.active else INACTIVE, now, old=old)
        uow.commit()


def move_unit(uow: AdminUnitOfWork, actor: Actor, now: datetime, code: str, parent_code: str) -> None:
    scope = scope_of(actor)
    with uow:
        unit = _unit_of(uow, scope, code)
        parent = _unit_of(uow, scope, parent_code, "parent_code")
        if not parent.active:
            raise ValidationFailed(f"上级单位已撤销: {parent_code}", field="parent_code")
        if uow.admin.is_below(parent.id, unit.id):
            raise ValidationFailed("不能把单位移到它自己或它的下级之下", field="parent_code")
        old = uow.units.get(unit.parent_id) if unit.parent_id else None
        unit.parent_id = parent.id
        status = ACTIVE if unit.active else INACTIVE
        moved = {"from": old.code if old else None, "to": parent.code}
        _unit_event(uow, unit, AdminAction.MOVE_UNIT, actor, status, now, parent=moved)
        uow.commit()


def deactivate_unit(uow: AdminUnitOfWork, actor: Actor, now: datetime, code: str) -> None:
    """Retire a unit that nothing hangs on any more (no active user, rule, child unit, open case or task):
    it stays on the record and in finished cases, and takes no new work. Otherwise merge it into another."""
    scope = scope_of(actor)
    with uow:
        unit = _unit_of(uow, scope, code)
        if not unit.active:
            raise ValidationFailed(f"单位已撤销: {code}", field="code")
        problem = load_problem(uow.admin.unit_load(unit.id), ("users", "rules", "children", "cases", "tasks"))
        if problem:
            raise ValidationFailed(f"单位仍有{problem}, 请先合并到其他单位或转走", field="code")
        unit.active = False
        _unit_event(uow, unit, AdminAction.DEACTIVATE_UNIT, actor, ACTIVE, now)
        uow.commit()


def merge_unit(uow: AdminUnitOfWork, actor: Actor, now: datetime, code: str, into_code: str) -> dict[str, int]:
    """Merge a unit into another of the same kind: its users, rules and child units move over and it is retired.
    Refused while it still owns open cases or tasks (those finish, or are dispatched again, first)."""
    scope = scope_of(actor)
    with uow:
        unit = _unit_of(uow, scope, code)
        into = _unit_of(uow, scope, into_code, "into_code")
        if unit.id == into.id:
            raise ValidationFailed("不能合并到自己", field="into_code")
        if unit.kind != into.kind:
            raise ValidationFailed(f"只能合并同类单位 ({unit.kind} → {into.kind})", field="into_code")
        if not unit.active or not into.active:
            raise ValidationFailed("已撤销的单位不能合并", field="into_code")
        if uow.admin.is_below(into.id, unit.id):
            raise ValidationFailed("不能合并到它自己的下级单位", field="into_code")
        problem = load_problem(uow.admin.unit_load(unit.id), ("cases", "tasks"))
        if problem:
            raise ValidationFailed(f"单位仍有{problem}, 办完或改派后再合并", field="code")
        moved = uow.admin.move_unit_load(unit.id, into.id)
        unit.active = False
        _unit_event(uow, unit, AdminAction.MERGE_UNIT, actor, ACTIVE, now, into=into.code, moved=moved)
        _unit_event(uow, into, AdminAction.MERGE_UNIT, actor, ACTIVE, now, merged=unit.code, moved=moved)
        uow.commit()
        return moved


# -- categories and their deadlines ---------------------------------------------------------------------------
URGENCIES = ("normal", "urgent", "emergency")  # gridgov.categories.services.read_taxonomy's


@dataclass(frozen=True, slots=True)
class CategoryChange:
    """What an admin sets on a category; None leaves it. Limits are (amount, unit) with unit minutes, hours or
    working_days (gridgov.clock.TimeUnit); they hold for cases registered from now on."""

    name: str | None = None
    urgency: str | None = None
    response: tuple[int, str] | None = None
    handle: tuple[int, str] | None = None
    active: bool | None = None


def _limit(value: tuple[int, str], field: str) -> tuple[int, str]:
    amount, unit = value
    try:
        TimeUnit(unit)
    except ValueError:
        raise ValidationFailed(f"时限单位须为 minutes、hours 或 working_days: {unit}", field=field) from None
    if not 1 <= amount <= 100_000:
        raise ValidationFailed("时限须为 1–100000", field=field)
    return amount, unit


def change_category(uow: AdminUnitOfWork, actor: Actor, now: datetime, code: str, change: CategoryChange) -> None:
    check_city_admin(scope_of(actor))  # one taxonomy for the whole city
    with uow:
        category = uow.unit_admin.categories().get(code)
        if category is None:
            raise NotFound(f"类别不存在: {code}", field="code")
        before = {
            "name": category.name,
            "urgency": category.urgency,
            "response": [category.response_limit, category.response_unit],
            "handle": [category.handle_limit, category.handle_unit],
            "active": category.active,
        }
        if change.name is not None:
            if not change.name.strip() or len(change.name.strip()) > 100:
                raise ValidationFailed("类别名称须为 1–100 个字符", field="name")
            category.name = change.name.strip()
        if change.urgency is not None:
            if change.urgency not in URGENCIES:
                raise ValidationFailed(f"未知紧急程度: {change.urgency}", field="urgency")
            category.urgency = change.urgency
        if change.response is not None:
            category.response_limit, category.response_unit = _limit(change.response, "response")
        if change.handle is not None:
            category.handle_limit, category.handle_unit = _limit(change.handle, "handle")
        if change.active is not None:
            category.active = change.active
        after = {
            "name": category.name,
            "urgency": category.urgency,
            "response": [category.response_limit, category.response_unit],
            "handle": [category.handle_limit, category.handle_unit],
            "active": category.active,
        }
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        subject = uow.admin.subject("category", code)
        status = ACTIVE if category.active else INACTIVE
        uow.admin.add_event(
            record(
                subject,
                AdminAction.CHANGE_CATEGORY,
                actor,
                ACTIVE if before["active"] else INACTIVE,
                status,
                now,
                {"changed": changed},
            )
        )
        uow.commit()
