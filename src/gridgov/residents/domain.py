"""Resident sign-in by phone and SMS one-time code (pure Python: the time and the secret are passed in).

- A code is 6 digits, lasts 5 minutes, is used once and allows a few wrong tries.
- Only a keyed digest of the code is stored (HMAC-SHA256 under the signing secret, bound to the number's key), so
  a copy of the database tells nobody a code. The number itself is stored nowhere by this feature: a phone is
  named by `signing.caller_key`, the same keyed digest cases keep of their reporter's phone (重复来电), which is
  what lets a new account find its earlier cases.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridgov.errors import GridgovError, ValidationFailed
from gridgov.signing import caller_key, normalise_phone

MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True, slots=True)
class CodePolicy:
    digits: int = 6
    lifetime_seconds: int = 300  # 5 minutes
    max_tries: int = 5  # wrong tries per code, then a new code must be asked for
    per_number_per_hour: float = 5.0
    per_number_burst: int = 3
    per_client_per_hour: float = 20.0
    per_client_burst: int = 10


DEFAULT_CODE_POLICY = CodePolicy()


class BadPhone(ValidationFailed):
    code = "otp_bad_phone"
    message = "请输入正确的 11 位手机号"


class CodeInvalid(GridgovError):
    """A wrong, expired, used or exhausted code, or no code at all: one answer, so nothing is learnt."""

    code = "otp_invalid"
    status = 400
    message = "验证码错误或已失效，请重新获取"


class CodeRateLimited(GridgovError):
    code = "otp_rate_limited"
    status = 429
    message = "获取验证码过于频繁，请稍后再试"


def mobile_of(phone: str) -> str:
    """The 11-digit mainland mobile number (+86 and 0086 dropped), or BadPhone."""
    digits = normalise_phone(phone or "")
    if not MOBILE.match(digits):
        raise BadPhone(field="phone")
    return digits


def phone_key(secret: str, mobile: str) -> str:
    key = caller_key(secret, mobile)
    assert key is not None  # an 11-digit number is long enough to match
    return key


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def code_digest(secret: str, key: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 over the number's key and the code, under the signing secret."""
    return hmac.new(secret.encode(), f"otp:{key}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(secret: str, key: str, code: str, digest: str) -> bool:
    return hmac.compare_digest(code_digest(secret, key, code.strip()), digest)


@dataclass(frozen=True, slots=True)
class StoredCode:
    id: int
    phone_key: str
    digest: str
    expires_at: datetime
    tries: int
    used_at: datetime | None

    def usable(self, now: datetime, policy: CodePolicy) -> bool:
        return self.used_at is None and now < self.expires_at and self.tries < policy.max_tries


def expiry(now: datetime, policy: CodePolicy) -> datetime:
    return now + timedelta(seconds=policy.lifetime_seconds)


def code_text(city: str, code: str, minutes: int) -> str:
    return f"【{city}】您的验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。"


def masked(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:]
