"""Who may administer what (pure). A city admin (an admin with no unit, or the city's) administers everything; a
district admin (an admin whose unit governs a district) administers only the users whose unit lies in that
district, and may give no city-wide role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gridgov.accounts.domain import CITY_WIDE_ROLES
from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied
from gridgov.grids.domain import PREFIX_LENGTH, GridLevel, level_of

DISTRICT_PREFIX = PREFIX_LENGTH[GridLevel.DISTRICT]  # every grid of a district starts with its 6 digits


class AdminAction(StrEnum):
    CREATE_USER = "create_user"
    CHANGE_USER = "change_user"
    RESET_PASSWORD = "reset_password"
    UNLOCK = "unlock"
    DEACTIVATE = "deactivate"
    REVOKE_TOKEN = "revoke_token"
    IMPORT_GRIDS = "import_grids"
    ACTIVATE_GRIDS = "activate_grids"
    SET_RULE = "set_rule"
    CREATE_UNIT = "create_unit"
    CREATE_CATEGORY = "create_category"
    CHANGE_CATEGORY = "change_category"
    RENAME_UNIT = "rename_unit"
    MOVE_UNIT = "move_unit"
    MERGE_UNIT = "merge_unit"
    DEACTIVATE_UNIT = "deactivate_unit"
    DELETE_RULE = "delete_rule"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    AdminAction.CREATE_USER: "创建用户",
    AdminAction.CHANGE_USER: "修改角色/单位/网格",
    AdminAction.RESET_PASSWORD: "重置密码",
    AdminAction.UNLOCK: "解除登录限制",
    AdminAction.DEACTIVATE: "停用",
    AdminAction.REVOKE_TOKEN: "吊销令牌",
    AdminAction.IMPORT_GRIDS: "导入网格版本",
    AdminAction.ACTIVATE_GRIDS: "启用网格版本",
    AdminAction.SET_RULE: "设置权属规则",
    AdminAction.CREATE_UNIT: "新建单位",
    AdminAction.CREATE_CATEGORY: "新建类别",
    AdminAction.CHANGE_CATEGORY: "修改类别与时限",
    AdminAction.RENAME_UNIT: "单位改名",
    AdminAction.MOVE_UNIT: "调整上级单位",
    AdminAction.MERGE_UNIT: "合并单位",
    AdminAction.DEACTIVATE_UNIT: "撤销单位",
    AdminAction.DELETE_RULE: "删除权属规则",
}
EVENT_TYPES = {
    AdminAction.CREATE_USER: "user_created",
    AdminAction.CHANGE_USER: "user_changed",
    AdminAction.RESET_PASSWORD: "password_reset",
    AdminAction.UNLOCK: "user_unlocked",
    AdminAction.DEACTIVATE: "user_deactivated",
    AdminAction.REVOKE_TOKEN: "token_revoked",
    AdminAction.IMPORT_GRIDS: "grid_version_imported",
    AdminAction.ACTIVATE_GRIDS: "grid_version_activated",
    AdminAction.SET_RULE: "rule_set",
    AdminAction.CREATE_UNIT: "unit_created",
    AdminAction.CREATE_CATEGORY: "category_created",
    AdminAction.CHANGE_CATEGORY: "category_changed",
    AdminAction.RENAME_UNIT: "unit_renamed",
    AdminAction.MOVE_UNIT: "unit_moved",
    AdminAction.MERGE_UNIT: "unit_merged",
    AdminAction.DEACTIVATE_UNIT: "unit_deactivated",
    AdminAction.DELETE_RULE: "rule_deleted",
}
ACTIVE, INACTIVE = "active", "inactive"
TARGET_LABELS = {  # gridgov.units.domain.RuleTarget, as the tester reads it
    "unit": "指定单位",
    "street": "所在街道办",
    "community": "所在社区",
    "district_bureau": "所在区县的对口部门",
}
CITY_WIDE = CITY_WIDE_ROLES  # roles a district admin may not give


@dataclass(frozen=True, slots=True)
class AdminScope:
    """Where an admin's writ runs: `district` None for the whole city, else a 6-digit district code."""

    district: str | None

    def covers(self, grid_code: str | None) -> bool:
        """Whether a user whose unit governs `grid_code` (None: no unit) is this admin's to manage."""
        if self.district is None:
            return True
        return grid_code is not None and grid_code.startswith(self.district)

    def may_give(self, role: Role) -> bool:
        return self.district is None or role not in CITY_WIDE


def scope_of(actor: Actor) -> AdminScope:
    """The admin's scope from their unit's grid (a district's code is 6 digits then zeros); refused for others."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("只有管理员可以管理用户")
    grid = actor.unit_grid
    if grid and level_of(grid) >= GridLevel.DISTRICT:  # the district that contains the admin's unit
        return AdminScope(grid[:DISTRICT_PREFIX])
    return AdminScope(None)


def check_covers(scope: AdminScope, grid_code: str | None) -> None:
    if not scope.covers(grid_code):
        raise PermissionDenied("该用户不在您管辖的区县内")


def check_city_admin(scope: AdminScope) -> None:
    """Grid versions cover the whole city: only a city admin imports or activates them."""
    if scope.district is not None:
        raise PermissionDenied("网格版本覆盖全市, 只有市级管理员可以导入或启用")


UNIT_KIND_LABELS = {  # gridgov.units.domain.UnitKind
    "community": "社区居委会/村委会",
    "street_office": "街道办事处/乡镇",
    "district_bureau": "区县职能部门",
    "district": "区县城运中心",
    "city_department": "市级职能部门",
    "city": "市城运中心",
}
LOAD_LABELS = {
    "users": "在用用户",
    "rules": "权属规则",
    "children": "下级单位",
    "cases": "在办案件",
    "tasks": "在办任务",
}


def load_problem(load: dict[str, int], keys: tuple[str, ...]) -> str | None:
    """Why a unit cannot be retired yet (what still hangs on it), or None."""
    left = [f"{LOAD_LABELS[k]} {load[k]} 个" for k in keys if load.get(k)]
    return "、".join(left) if left else None


def check_may_give(scope: AdminScope, role: Role) -> None:
    if not scope.may_give(role):
        raise PermissionDenied(f"区县管理员不能授予「{role.label}」角色")
