"""The 回访 form: one call's outcome and, when reached, the resident's answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gridgov.callbacks.domain import Outcome
from gridgov.callbacks.services import Answers
from gridgov.cases.domain import Satisfaction
from gridgov.errors import ValidationFailed
from gridgov.validation import CleanText


class AttemptIn(CleanText):
    outcome: Literal["reached", "no_answer", "refused", "wrong_number"]
    resolved: Literal["true", "false"] | None = None
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied"] | None = None
    comment: str = Field(default="", max_length=1000)
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _answers_when_reached(self) -> AttemptIn:
        if self.outcome == "reached" and (self.resolved is None or self.satisfaction is None):
            raise ValidationFailed("已接通: 请记录问题是否解决和满意程度", field="resolved")
        return self

    def answers(self) -> Answers | None:
        if self.outcome != "reached" or self.resolved is None or self.satisfaction is None:
            return None
        return Answers(self.resolved == "true", Satisfaction(self.satisfaction), self.comment)

    def outcome_value(self) -> Outcome:
        return Outcome(self.outcome)
