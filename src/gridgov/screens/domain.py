"""Which screen each role works in, who may open which screen, and which cases each screen lists. Pure rules."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.actor import Role
from gridgov.callbacks.domain import READ_ROLES as CALLBACK_READERS  # 督办/催办 (issue 15)
from gridgov.cases.domain import CaseStatus as S
from gridgov.dashboard.domain import DASHBOARD_ROLES
from gridgov.projects.domain import READERS as PROJECT_READERS
from gridgov.proposals.domain import READ_ALL as PROPOSAL_REPORT_READERS
from gridgov.proposals.domain import READERS as PROPOSAL_READERS
from gridgov.safety.domain import FOLLOWERS as SAFETY_FOLLOWERS
from gridgov.safety.domain import INSPECTORS as SAFETY_INSPECTORS


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
    "dashboard": Screen("/dashboard", "指挥大屏", DASHBOARD_ROLES),
    "campaigns": Screen(
        "/campaigns-admin", "意见征集", frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER}) | _STAFF
    ),
    "projects": Screen("/projects", "三个一批", PROJECT_READERS),
    "proposals": Screen("/proposals", "建议提案", PROPOSAL_READERS),
    "proposal_report": Screen("/proposals/report", "建议提案办理情况", PROPOSAL_REPORT_READERS),
    # 督办/催办 (issue 15)
    "callbacks": Screen("/callbacks", "回访", CALLBACK_READERS),
    "safety_inspect": Screen("/safety/inspect", "安全检查", SAFETY_INSPECTORS),  # 安全生产 (gridgov.safety.pages)
    "safety": Screen("/safety/hazards", "安全隐患", SAFETY_FOLLOWERS | frozenset({Role.LEADER})),
    "admin": Screen("/admin", "系统管理", _STAFF),  # gridgov.admin.pages
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
    Role.DEPUTY: "proposals",
    Role.PROPOSAL_OFFICE: "proposals",
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


def _statuses(*statuses: S) -> str:
    return ",".join(s.value for s in statuses)


# the one list of each screen's status filters (value for GET /api/v1/cases?status=, what people read)
WAITING = _statuses(S.REPORTED, S.REGISTERED, S.RETURNED, S.REOPENED)  # the queue's default: to register or dispatch
QUEUE_FILTERS: list[tuple[str, str]] = [
    (WAITING, "待立案/待派遣"),
    ("open", "全部在办"),
    (S.REPORTED.value, "待立案"),
    (S.REGISTERED.value, "已立案待派遣"),
    (S.RETURNED.value, "被退回"),
    (S.DISPATCHED.value, "已派遣待签收"),
    (S.ACCEPTED.value, "处置中"),
    (S.HANDLED.value, "待核查"),
    (S.CLOSED.value, "已结案待评价"),
    ("", "全部"),
]
QUEUE_REVIEW = "open"  # the "needs a person" tab looks at every open case
INBOX_FILTERS: list[tuple[str, str]] = [
    (_statuses(S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.SUSPENDED), "在办"),
    (S.DISPATCHED.value, "待签收"),
    (S.ACCEPTED.value, "处置中 (含吹哨报到)"),
    (S.HANDLED.value, "已反馈待核查"),
    (_statuses(S.CLOSED, S.EVALUATED), "已结案"),
]
WORKER_VERIFY = S.HANDLED.value  # a grid worker verifies handled cases of their own grids on site
WORKER_OPEN = _statuses(S.REPORTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.SUSPENDED)
WORKER_ACTIONS = "verify,rework"  # the grid worker's panel offers only the verification
TO_RATE = S.CLOSED.value  # a resident's closed case waits for their rating
