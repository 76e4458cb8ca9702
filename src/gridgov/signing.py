"""Signed, short-lived rights (kernel): HMAC tokens that grant one narrow thing to whoever holds them.

`upload_token` is the right to attach photos to one case for half an hour; the case feature issues it with the
report, the media feature checks it on upload. Pure: the secret and the time are passed in.
"""

from __future__ import annotations

import hashlib
import hmac

UPLOAD_TOKEN_SECONDS = 30 * 60  # an anonymous reporter has half an hour to attach photos


def upload_token(secret: str, case_id: int, issued_at: int) -> str:
    """A one-case, short-lived right to attach photos, for an anonymous report: the case keeps no account, so
    scope alone would let nobody (not even the reporter) attach a photo to it."""
    mac = hmac.new(secret.encode(), f"photo-upload:{case_id}:{issued_at}".encode(), hashlib.sha256).hexdigest()
    return f"{issued_at}.{mac[:40]}"


def upload_token_valid(secret: str, case_id: int, token: str, now: int) -> bool:
    issued, _, _ = token.partition(".")
    if not issued.isdigit() or len(token) > 64:
        return False
    if not 0 <= now - int(issued) <= UPLOAD_TOKEN_SECONDS:
        return False
    return hmac.compare_digest(token, upload_token(secret, case_id, int(issued)))


LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a receipt and typed back


def lookup_secret(secret: str, case_id: int, tracking_code: str) -> str:
    """The 查询码 printed on a report's receipt: with the 查询编号 it opens the case's public timeline (/track) to
    whoever holds the receipt, an anonymous reporter included. Six characters of an HMAC of the case, so nothing
    is stored and nobody can work it out from the tracking code."""
    mac = hmac.new(secret.encode(), f"case-lookup:{case_id}:{tracking_code}".encode(), hashlib.sha256).digest()
    return "".join(LOOKUP_ALPHABET[b % len(LOOKUP_ALPHABET)] for b in mac[:6])


RATING_TOKEN_DAYS = 15  # a closed case may be rated from the link for this long


def _mac(secret: str, text: str, n: int = 32) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:n]


def rating_token(secret: str, case_id: int, closed_seq: int, issued_at: int) -> str:
    """The right to rate one closure of one case, without an account (the 结案 message's link). One-time: the case
    takes one evaluation per closure (it leaves 已结案 when rated), and the token names the closing event."""
    return f"{case_id}.{closed_seq}.{issued_at}.{_mac(secret, f'case-rating:{case_id}:{closed_seq}:{issued_at}')}"


def read_rating_token(secret: str, token: str, now: int) -> tuple[int, int] | None:
    """(case id, closing event seq) of a valid, unexpired rating token; None otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]) or len(token) > 100:
        return None
    case_id, seq, issued = (int(p) for p in parts[:3])
    if not 0 <= now - issued <= RATING_TOKEN_DAYS * 86_400:
        return None
    return (case_id, seq) if hmac.compare_digest(token, rating_token(secret, case_id, seq, issued)) else None


def unsubscribe_token(secret: str, recipient_key: str, channel: str) -> str:
    """The unsubscribe link's right: stop one channel to one person (never expires; nothing stored)."""
    return _mac(secret, f"unsubscribe:{recipient_key}:{channel}", 24)


def unsubscribe_token_valid(secret: str, recipient_key: str, channel: str, token: str) -> bool:
    return len(token) == 24 and hmac.compare_digest(token, unsubscribe_token(secret, recipient_key, channel))


def normalise_phone(phone: str) -> str:
    """The digits of a phone number, without China's country code: +86 138…, 0086 138… and 138… are one caller."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def caller_key(secret: str, phone: str) -> str | None:
    """重复来电 (issue 17): the keyed hash a caller's phone is matched on, never the number itself. Without the
    key, the 10^11 possible mobile numbers cannot be tried against it; None for a number too short to match."""
    digits = normalise_phone(phone)
    if len(digits) < 7:
        return None
    return _mac(secret, f"caller-phone:{digits}", 32)
