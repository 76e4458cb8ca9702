"""The category trees, for pickers on the pages and for apps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from gridgov.categories.models import Category
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1/categories", tags=["类别 categories"])


@router.get("", summary="类别列表 (数字城管 dcg 或 12345 热线 hotline12345)")
def list_categories(
    container: ContainerDep,
    actor: CurrentActor,
    taxonomy: Annotated[str | None, Query(pattern="^(dcg|hotline12345)$")] = None,
    parent: Annotated[str | None, Query(pattern="^[A-Za-z0-9]{0,20}$", description="上级编码; 空字符串为顶级")] = None,
) -> list[dict[str, Any]]:
    stmt = select(Category).where(Category.active.is_(True))
    if taxonomy:
        stmt = stmt.where(Category.taxonomy == taxonomy)
    if parent is not None:
        stmt = stmt.where(Category.parent_code.is_(None) if parent == "" else Category.parent_code == parent)
    with container.sessions() as session:
        rows = session.scalars(stmt.order_by(Category.code)).all()
        return [
            {
                "code": c.code,
                "name": c.name,
                "parent_code": c.parent_code,
                "taxonomy": c.taxonomy,
                "kind": c.kind,
                "urgency": c.urgency,
            }
            for c in rows
        ]
