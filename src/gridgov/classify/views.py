"""POST /api/v1/classify: the suggested category for a text (hot topics over cases live in cases.topics_views)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import select

from gridgov.categories.models import Category
from gridgov.classify.second_level import shipped as second_level
from gridgov.classify.text import join_fields
from gridgov.validation import CleanText
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1", tags=["智能派遣 smart dispatch"])


class ClassifyRequest(CleanText):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


@router.post("/classify", summary="文本分类: 建议类别 (置信度、前三候选、模型版本或关键词规则) 与二级类别")
def classify(body: ClassifyRequest, container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    text = join_fields([body.title, body.description])
    p = container.classifier.predict(text)
    sub = second_level().propose(text, p.label)
    codes = [code for code, _ in p.top] + [p.label]
    with container.sessions() as s:
        names = dict(s.execute(select(Category.code, Category.name).where(Category.code.in_(codes))).all())
    return {
        "label": p.label,
        "name": names.get(p.label),
        "confidence": round(p.confidence, 4),
        "source": p.source,
        "model_version": p.model_version,
        "needs_review": p.source != "model" or p.confidence < container.settings.classify_threshold,
        "top": [{"code": c, "name": names.get(c), "confidence": round(v, 4)} for c, v in p.top[:3]],
        "second_level": {"code": sub.code, "name": sub.name, "confidence": sub.confidence, "version": sub.version}
        if sub
        else None,
    }
