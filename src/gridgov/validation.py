"""Request validation shared by every feature's schemas."""

from __future__ import annotations

from pydantic import BaseModel, model_validator


def _no_control_characters(model: BaseModel) -> None:
    """Text with NUL or other control characters is refused (PostgreSQL cannot store NUL)."""
    for name, value in model:
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in v):
                raise ValueError(f"{name} 含有不可见控制字符")


class CleanText(BaseModel):
    @model_validator(mode="after")
    def _clean(self) -> CleanText:
        _no_control_characters(self)
        return self
