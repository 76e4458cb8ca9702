"""Resident sign-up and sign-in by phone number and SMS one-time code (docs/security.md, docs/notify.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gridgov.errors import GridgovError
from gridgov.ratelimit import Limiter
from gridgov.residents.domain import (
    DEFAULT_CODE_POLICY,
    CodeInvalid,
    CodePolicy,
    CodeRateLimited,
    code_digest,
    code_matches,
    code_text,
    expiry,
    masked,
    mobile_of,
    new_code,
    phone_key,
)
from gridgov.residents.ports import CodeSender, CodeStore


class SmsUnavailable(GridgovError):
    code = "otp_sms_unavailable"
    status = 503
    message = "短信暂时无法发送，请稍后再试"


def request_code(
    store: CodeStore,
    sender: CodeSender,
    per_number: Limiter,
    per_client: Limiter,
    *,
    secret: str,
    city: str,
    phone: str,
    client: str,
    now: datetime,
    policy: CodePolicy = DEFAULT_CODE_POLICY,
) -> dict[str, object]:
    """Send a new code to the number. The answer is the same whether the number has an account or not."""
    mobile = mobile_of(phone)
    key = phone_key(secret, mobile)
    client = (client or "-")[:64]
    if not per_client.allow(f"otp-client:{client}") or not per_number.allow(f"otp-phone:{key}"):
        raise CodeRateLimited(retry_after_seconds=60)
    code = new_code(policy.digits)
    code_id = store.add(key, code_digest(secret, key, code), client, now, expiry(now, policy))
    text = code_text(city, code, policy.lifetime_seconds // 60)
    if not sender.send_code(mobile, text, f"otp-{code_id}-{key[:12]}"):
        raise SmsUnavailable()
    return {"status": "sent", "phone": masked(mobile), "expires_in": policy.lifetime_seconds}


def verify_code(
    store: CodeStore,
    *,
    secret: str,
    phone: str,
    code: str,
    now: datetime,
    hours: int,
    policy: CodePolicy = DEFAULT_CODE_POLICY,
    claim: Callable[[int, str, datetime], object] | None = None,
) -> tuple[str, bool]:
    """Check the code; sign the resident in (a session token), making the account on first use: (token, new).
    ``claim(user_id, phone_key, now)`` then gives the account the cases reported earlier with this phone (the case
    loop's ``claim_phone_reports``, each on the case's record), at every sign-in, so a later hotline case joins too."""
    mobile = mobile_of(phone)
    key = phone_key(secret, mobile)
    stored = store.latest(key)
    if stored is None or not stored.usable(now, policy):
        raise CodeInvalid()
    if not code_matches(secret, key, code, stored.digest):
        store.count_try(stored.id)
        raise CodeInvalid()
    if not store.use(stored.id, now):
        raise CodeInvalid()
    user_id, made = store.account(key, f"居民 {masked(mobile)}", now)
    if claim is not None:
        claim(user_id, key, now)
    return store.open_session(user_id, now, hours), made
