"""Use cases for users and API tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from gridgov.accounts.domain import Actor, LoginPolicy, Role, wait_text
from gridgov.accounts.hashing import ARGON2
from gridgov.accounts.models import ApiToken, User
from gridgov.accounts.ports import AccountsUnitOfWork as Uow
from gridgov.accounts.ports import LoginThrottle, PasswordHasher
from gridgov.errors import GridgovError, NotFound, Unauthenticated, ValidationFailed

TOKEN_PREFIX = "ggv_"
DEFAULT_LOGIN_POLICY = LoginPolicy()

# which unit kinds each role may belong to (None: no unit needed)
ROLE_UNIT_KINDS: dict[Role, frozenset[str] | None] = {
    Role.RESIDENT: None,
    Role.GRID_WORKER: frozenset({"community", "street_office"}),
    Role.COMMUNITY: frozenset({"community"}),
    Role.STREET: frozenset({"street_office"}),
    Role.DEPARTMENT: frozenset({"city_department", "district_bureau"}),
    Role.OPERATOR: frozenset({"city", "district"}),
    Role.DISPATCHER: frozenset({"city", "district"}),
    Role.LEADER: None,
    Role.ADMIN: None,
    Role.DEPUTY: None,
    Role.PROPOSAL_OFFICE: None,
}


class UserExists(GridgovError):
    code = "user_exists"
    status = 409
    message = "用户名已存在"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(
    uow: Uow,
    username: str,
    role: str,
    unit_code: str | None,
    now: datetime,
    display_name: str = "",
) -> int:
    try:
        role_enum = Role(role)
    except ValueError:
        raise ValidationFailed(f"未知角色: {role}", field="role") from None
    if role_enum is Role.SYSTEM:
        raise ValidationFailed("不能创建系统角色用户", field="role")
    if not username.strip():
        raise ValidationFailed("用户名不能为空", field="username")
    with uow:
        if uow.users.by_username(username) is not None:
            raise UserExists(f"用户名已存在: {username}")
        unit_id = None
        if unit_code:
            unit = uow.units.by_code(unit_code)
            if unit is None:
                raise NotFound(f"单位不存在: {unit_code}", field="unit")
            allowed = ROLE_UNIT_KINDS[role_enum]
            if allowed is not None and unit.kind not in allowed:
                raise ValidationFailed(f"角色「{role_enum.label}」不能属于该类单位({unit.kind})", field="unit")
            unit_id = unit.id
        elif ROLE_UNIT_KINDS[role_enum] is not None:
            raise ValidationFailed(f"角色「{role_enum.label}」必须指定所属单位", field="unit")
        user = User(
            username=username,
            display_name=display_name or username,
            role=role_enum.value,
            unit_id=unit_id,
            created_at=now,
        )
        uow.users.add(user)
        uow.commit()
        return user.id


SCOPES = frozenset({"read", "write"})


def issue_token(uow: Uow, username: str, now: datetime, name: str = "", scopes: str = "read write") -> str:
    """A new bearer token for the user; only its digest is stored, so it is shown once."""
    wanted = frozenset(scopes.split())
    if not wanted or not wanted <= SCOPES:
        raise ValidationFailed("令牌权限须为 read 和/或 write", field="scopes")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise NotFound(f"用户不存在: {username}", field="username")
        uow.users.add_token(
            ApiToken(
                user_id=user.id,
                name=name or "cli",
                token_hash=hash_token(token),
                prefix=token[:10],
                created_at=now,
                kind="api",
                scopes=" ".join(sorted(wanted)),
            )
        )
        uow.commit()
    return token


class LoginFailed(GridgovError):
    """A wrong password, an unknown name, an account without a password or a deactivated one: one answer."""

    code = "login_failed"
    status = 401
    message = "用户名或密码错误"


class AccountLocked(GridgovError):
    code = "account_locked"
    status = 423
    message = "登录失败次数过多，请稍后再试"


def set_password(uow: Uow, username: str, password: str, hasher: PasswordHasher = ARGON2) -> None:
    if len(password) < 10:
        raise ValidationFailed("密码至少 10 位", field="password")
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise NotFound(f"用户不存在: {username}", field="username")
        user.password_hash = hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        uow.commit()


def login(
    uow: Uow,
    throttle: LoginThrottle,
    username: str,
    password: str,
    client: str,
    now: datetime,
    hours: int = 12,
    *,
    policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
    hasher: PasswordHasher = ARGON2,
) -> str:
    """Check a password (argon2id) and open a browser session: a token of kind `session` that expires.

    Each try is counted for (name, client address) before its password is looked at; after the policy's free
    tries each further try from that address must wait longer (423 with how long), while the same account
    from any other address signs in as before. An unknown name costs the same work and gets the same answer
    as a wrong password."""
    client = (client or "-")[:64]
    admission = throttle.admit(username, client, now, policy)
    if not admission.admitted:
        assert admission.blocked_until is not None
        raise _locked(admission.blocked_until, now)
    with uow:  # the password is checked outside any transaction: argon2 takes a while and holds no lock
        user = uow.users.by_username(username)
        stored = user.password_hash if user is not None and user.active else None
        user_id = user.id if user is not None else None
    if stored is None or user_id is None:
        hasher.verify_dummy(password)
        raise LoginFailed()
    if not hasher.verify(stored, password):
        raise LoginFailed()
    with uow:
        token, row = new_session(user_id, "browser", now, hours)
        uow.users.add_token(row)
        uow.commit()
    throttle.succeeded(username, client)
    return token


def new_session(user_id: int, name: str, now: datetime, hours: int) -> tuple[str, ApiToken]:
    """A browser session: the token (shown once, to the cookie) and its row, stored by its hash only."""
    token = "ggs_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
        created_at=now,
        kind="session",
        scopes="read write",
        expires_at=now + timedelta(hours=hours),
    )
    return token, row


def _locked(until: datetime, now: datetime) -> AccountLocked:
    seconds = max((until - now).total_seconds(), 1.0)
    return AccountLocked(
        f"登录失败次数过多，{wait_text(seconds)}",
        retry_after_seconds=math.ceil(seconds),
        locked_until=until.isoformat(),
    )


def unlock(uow: Uow, throttle: LoginThrottle, username: str) -> int:
    """An admin lifts every delay on this account's sign-in, from every address; how many were lifted."""
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise NotFound(f"用户不存在: {username}", field="username")
        user.failed_logins = 0
        user.locked_until = None
        uow.commit()
    return throttle.clear(username)


def revoke_token(uow: Uow, token: str, now: datetime) -> None:
    with uow:
        row = uow.users.token_by_hash(hash_token(token))
        if row is None:
            raise NotFound("令牌不存在")
        row.revoked_at = now
        uow.commit()


def authenticate(uow: Uow, token: str, now: datetime) -> Actor:
    with uow:
        grant = uow.users.grant_by_hash(hash_token(token))
    if grant is None or grant.revoked_at is not None:
        raise Unauthenticated()
    if grant.expires_at is not None and grant.expires_at <= now:
        raise Unauthenticated("会话已过期，请重新登录")
    if grant.user_id is None or grant.role is None or not grant.active:
        raise Unauthenticated("用户已停用")
    return Actor(
        user_id=grant.user_id,
        role=Role(grant.role),
        unit_id=grant.unit_id,
        name=grant.display_name or "",
        unit_grid=grant.unit_grid,
        scopes=frozenset(grant.scopes.split()),
        via_session=grant.kind == "session",
    )


def actor_of(
    uow: Uow,
    user: User,
    scopes: frozenset[str] = frozenset({"read", "write"}),
    via_session: bool = False,
) -> Actor:
    """The actor a user acts as, with the grid their unit governs (inside an open unit of work)."""
    unit = uow.units.get(user.unit_id) if user.unit_id is not None else None
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        unit_id=user.unit_id,
        name=user.display_name,
        unit_grid=unit.grid_code if unit is not None else None,
        scopes=scopes,
        via_session=via_session,
    )
