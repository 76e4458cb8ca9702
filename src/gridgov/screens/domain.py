"""Which screen each role works in, and who may open which screen. Pure rules."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.accounts.domain import Role


@dataclass(frozen=True)
class Screen:
    path: str
    title: str
    roles: frozenset[Role]


_STAFF = frozenset({Role.ADMIN})
SCREENS: dict[str, Screen] = {
    "report": Screen("/report", "我要反映", frozenset({Role.RESIDENT}) | _STAFF),
    "my": Screen("/my", "我的反映", frozenset({Role.RESIDENT}) | _STAFF),
    "hotline": Screen("/hotline", "12345 热线受理", frozenset({Role.OPERATOR}) | _STAFF),
    "queue": Screen("/queue", "派遣队列", frozenset({Role.DISPATCHER, Role.OPERATOR}) | _STAFF),
    "inbox": Screen("/inbox", "待办案件", frozenset({Role.DEPARTMENT, Role.STREET, Role.COMMUNITY}) | _STAFF),
    "worker": Screen("/worker", "网格员", frozenset({Role.GRID_WORKER}) | _STAFF),
    "dashboard": Screen(
        "/dashboard", "指挥大屏", frozenset({Role.LEADER, Role.DISPATCHER, Role.OPERATOR, Role.STREET}) | _STAFF
    ),
    "campaigns": Screen(
        "/campaigns-admin", "意见征集", frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER}) | _STAFF
    ),
}

HOME: dict[Role, str] = {
    Role.RESIDENT: "report",
    Role.OPERATOR: "hotline",
    Role.DISPATCHER: "queue",
    Role.DEPARTMENT: "inbox",
    Role.STREET: "inbox",
    Role.COMMUNITY: "inbox",
    Role.GRID_WORKER: "worker",
    Role.LEADER: "dashboard",
    Role.ADMIN: "queue",
}


def home_of(role: Role) -> str:
    return SCREENS[HOME.get(role, "my")].path


def screens_for(role: Role) -> list[Screen]:
    """The navigation a role sees, in a fixed order."""
    return [s for s in SCREENS.values() if role in s.roles]


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target):
        return None  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    return target
