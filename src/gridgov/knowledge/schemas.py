"""The knowledge base's request bodies (Pydantic): an article's text, a review step, a flag, a direct close."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from gridgov.knowledge.domain import MAX_ANSWER, MAX_TITLE, MAX_VARIANT, MAX_VARIANTS, ArticleDraft
from gridgov.validation import CleanText


class _Body(CleanText):
    model_config = ConfigDict(extra="forbid")


class ArticleIn(_Body):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER)
    category: str = Field(min_length=1, max_length=50)
    unit_code: str = Field(min_length=1, max_length=40, description="责任部门编码")
    variants: list[str] = Field(default_factory=list, max_length=MAX_VARIANTS)
    basis: str = Field(default="", max_length=2000, description="政策依据")
    valid_from: date | None = None
    valid_to: date | None = None
    version: int | None = Field(default=None, description="修改时: 读到的行版本, 防止覆盖他人修改")

    def draft(self) -> ArticleDraft:
        for v in self.variants:
            if len(v) > MAX_VARIANT:
                from gridgov.errors import ValidationFailed

                raise ValidationFailed(f"每条问法不能超过 {MAX_VARIANT} 字", field="variants")
        return ArticleDraft(
            self.title,
            self.answer,
            self.category,
            self.unit_code,
            tuple(self.variants),
            self.basis,
            self.valid_from,
            self.valid_to,
        )


class StepIn(_Body):
    action: Literal["submit", "approve", "send_back", "expire"]
    reason: str = Field(default="", max_length=2000)
    version: int | None = None


class FlagIn(_Body):
    reason: str = Field(min_length=1, max_length=2000)
    case_id: int | None = Field(default=None, ge=1)


class ResolveIn(_Body):
    resolution: str = Field(min_length=1, max_length=2000)


class CloseIn(_Body):
    case_id: int = Field(ge=1)
    note: str = Field(default="", max_length=4000, description="答复内容; 空则用条目的答复口径")
    version: int | None = None


class SynonymsIn(_Body):
    words: list[str] = Field(min_length=2, max_length=20)
