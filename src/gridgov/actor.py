"""Who acts: roles and the actor passed to every service (kernel: imported by every layer)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"
    OPERATOR = "operator"
    DISPATCHER = "dispatcher"
    LEADER = "leader"
    ADMIN = "admin"
    DEPUTY = "deputy"  # 人大代表 / 政协委员 (proposals)
    PROPOSAL_OFFICE = "proposal_office"  # 人大/政协 建议提案办理工作人员 (proposals)
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RESIDENT: "居民",
    Role.GRID_WORKER: "网格员",
    Role.COMMUNITY: "社区",
    Role.STREET: "街道办",
    Role.DEPARTMENT: "职能部门",
    Role.OPERATOR: "热线话务员",
    Role.DISPATCHER: "指挥中心派遣员",
    Role.LEADER: "领导(只读)",
    Role.ADMIN: "系统管理员",
    Role.DEPUTY: "人大代表/政协委员",
    Role.PROPOSAL_OFFICE: "人大政协办公室",
    Role.SYSTEM: "系统",
}

# roles whose unit must match the unit that handles a task
HANDLER_ROLES = frozenset({Role.DEPARTMENT, Role.STREET, Role.COMMUNITY})
COMMAND_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    role: Role
    unit_id: int | None
    name: str = ""
    unit_grid: str | None = None  # the grid the actor's unit governs (a street office's L1 grid, …)
    scopes: frozenset[str] = frozenset({"read", "write"})  # what the credential allows
    via_session: bool = False  # signed in through a browser session (CSRF applies)

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, role=Role.SYSTEM, unit_id=None, name="system")
