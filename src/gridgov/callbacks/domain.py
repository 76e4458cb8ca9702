"""回访 call-backs (issue 15): which closed cases are called back, by when, and what an attempt leads to (pure).

- Every closed case with a contact enters the queue, or a deterministic sample of its category (`sampled`): the
  same case is always in or out for the same rate, whichever process looks.
- It is due within N working days of closing (default 2, the project's working-day calendar).
- An attempt is reached, no answer, refused or wrong number. Reached: the answers become the case's evaluation
  (the case loop's evaluate rules). Refused: the call-back ends as 拒绝回访. No answer or a wrong number is a
  failed attempt; after MAX_FAILED_ATTEMPTS of them the call-back ends as 未回访.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from gridgov.actor import Role

MAX_FAILED_ATTEMPTS = 3
DEFAULT_DUE_WORKING_DAYS = 2
CALLBACK_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})  # who works the queue
READ_ROLES = CALLBACK_ROLES | frozenset({Role.DISPATCHER, Role.LEADER})  # who may see it


class Outcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def failed(self) -> bool:
        return self in (Outcome.NO_ANSWER, Outcome.WRONG_NUMBER)


OUTCOME_LABELS = {
    Outcome.REACHED: "已接通",
    Outcome.NO_ANSWER: "无人接听",
    Outcome.REFUSED: "拒绝回访",
    Outcome.WRONG_NUMBER: "号码错误",
}


class CallbackStatus(StrEnum):
    OPEN = "open"  # in the queue
    REACHED = "reached"  # done: the evaluation was recorded
    UNREACHED = "unreached"  # 未回访: the failed attempts ran out
    REFUSED = "refused"  # 拒绝回访
    MOOT = "moot"  # the case changed meanwhile (the resident evaluated it, or it was reopened)
    SKIPPED = "skipped"  # not in its category's sample, or no contact to call

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def done(self) -> bool:
        return self is not CallbackStatus.OPEN


STATUS_LABELS = {
    CallbackStatus.OPEN: "待回访",
    CallbackStatus.REACHED: "已回访",
    CallbackStatus.UNREACHED: "未回访",
    CallbackStatus.REFUSED: "拒绝回访",
    CallbackStatus.MOOT: "无需回访",
    CallbackStatus.SKIPPED: "未抽中或无联系方式",
}


@dataclass(frozen=True, slots=True)
class SamplePlan:
    """Which share of each category's closed cases is called back: `rates[category_code]`, else `default`."""

    default: float = 1.0
    rates: Mapping[str, float] | None = None

    def rate(self, category_code: str | None) -> float:
        if self.rates and category_code is not None and category_code in self.rates:
            return self.rates[category_code]
        return self.default


def sampled(tracking_code: str, rate: float) -> bool:
    """Deterministic: the case's tracking code hashed onto [0, 1) is below the rate."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    point = int.from_bytes(hashlib.sha256(tracking_code.encode("utf-8")).digest()[:8], "big") / 2**64
    return point < rate


@dataclass(frozen=True, slots=True)
class AfterAttempt:
    status: CallbackStatus
    failed_attempts: int


def after_attempt(failed_attempts: int, outcome: Outcome) -> AfterAttempt:
    """What one attempt leads to."""
    if outcome is Outcome.REACHED:
        return AfterAttempt(CallbackStatus.REACHED, failed_attempts)
    if outcome is Outcome.REFUSED:
        return AfterAttempt(CallbackStatus.REFUSED, failed_attempts)
    failed = failed_attempts + 1
    return AfterAttempt(CallbackStatus.UNREACHED if failed >= MAX_FAILED_ATTEMPTS else CallbackStatus.OPEN, failed)
