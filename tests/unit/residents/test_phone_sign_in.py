"""Phone sign-in on the fakes: a 6-digit code, stored only as a keyed digest, 5 minutes, single use, a few wrong
tries, limits per number and per client address, and one answer for known and unknown numbers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from gridgov.ratelimit import RateLimiter
from gridgov.residents.domain import BadPhone, CodeInvalid, CodePolicy, CodeRateLimited, mobile_of, phone_key
from gridgov.residents.services import SmsUnavailable, request_code, verify_code

from fakes import CodeOutbox, FakeCodeStore

SECRET = "test-secret"
T0 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 23:00 Beijing: inside the quiet hours, the code goes anyway
PHONE = "13812345678"


def ask(store: FakeCodeStore, outbox: CodeOutbox, phone: str = PHONE, client: str = "10.0.0.1", **kw: object) -> dict:
    limits = kw.pop("limits", (RateLimiter(60, 100), RateLimiter(60, 100)))
    assert isinstance(limits, tuple)
    return request_code(
        store, outbox, limits[0], limits[1], secret=SECRET, city="郑州市", phone=phone, client=client, now=T0, **kw
    )  # type: ignore[arg-type]


def code_of(outbox: CodeOutbox) -> str:
    found = re.search(r"验证码为 (\d{6})", outbox.sent[-1][1])
    assert found is not None
    return found.group(1)


def test_a_code_is_six_digits_sent_at_once_and_stored_only_as_a_digest() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    answer = ask(store, outbox, phone="+86 138-1234-5678")
    assert answer == {"status": "sent", "phone": "138****5678", "expires_in": 300}
    (mobile, text, key), code = outbox.sent[0], code_of(outbox)
    assert mobile == PHONE and "5 分钟内有效" in text and PHONE not in key
    (stored,) = store.codes.values()
    assert stored.phone_key == phone_key(SECRET, PHONE) and PHONE not in stored.phone_key
    assert code not in stored.digest and len(stored.digest) == 64  # HMAC-SHA256, not the code
    assert stored.expires_at == T0 + timedelta(minutes=5)


def test_the_right_code_signs_up_once_then_signs_in() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    ask(store, outbox)
    token, made = verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=T0, hours=12)
    assert made and token.startswith("ggs_")
    with pytest.raises(CodeInvalid):  # single use
        verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=T0, hours=12)
    ask(store, outbox)
    _, made = verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=T0, hours=12)
    assert not made and len(store.accounts) == 1


def test_a_code_expires_after_five_minutes() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    ask(store, outbox)
    late = T0 + timedelta(minutes=5)
    with pytest.raises(CodeInvalid):
        verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=late, hours=12)
    ok = T0 + timedelta(minutes=4, seconds=59)
    assert verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=ok, hours=12)[1]


def test_wrong_tries_are_limited_per_code_and_a_new_code_voids_the_old() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    ask(store, outbox)
    right = code_of(outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(CodePolicy().max_tries):
        with pytest.raises(CodeInvalid):
            verify_code(store, secret=SECRET, phone=PHONE, code=wrong, now=T0, hours=12)
    with pytest.raises(CodeInvalid):  # exhausted: even the right code is refused now
        verify_code(store, secret=SECRET, phone=PHONE, code=right, now=T0, hours=12)
    ask(store, outbox)
    with pytest.raises(CodeInvalid):  # the older code is void once a newer one is sent
        verify_code(store, secret=SECRET, phone=PHONE, code=right, now=T0, hours=12)
    assert verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=T0, hours=12)[1]


def test_limits_per_number_and_per_client_address() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    limits = (RateLimiter(5 / 60, 3), RateLimiter(20 / 60, 10))
    for _ in range(3):
        ask(store, outbox, limits=limits)
    with pytest.raises(CodeRateLimited):
        ask(store, outbox, limits=limits)
    for n in range(6):  # other numbers from the same address: every try counts there, refused ones too (10)
        ask(store, outbox, phone=f"1390000000{n}", limits=limits)
    with pytest.raises(CodeRateLimited):
        ask(store, outbox, phone="13900000099", limits=limits)
    ask(store, outbox, phone="13900000099", client="10.0.0.2", limits=limits)  # another address is not slowed
    assert len(outbox.sent) == 10


def test_the_same_answer_for_known_and_unknown_numbers_and_bad_input() -> None:
    store, outbox = FakeCodeStore(), CodeOutbox()
    ask(store, outbox)
    verify_code(store, secret=SECRET, phone=PHONE, code=code_of(outbox), now=T0, hours=12)
    known, unknown = ask(store, outbox), ask(store, outbox, phone="13987654321")
    assert known.keys() == unknown.keys() and known["status"] == unknown["status"] == "sent"
    with pytest.raises(CodeInvalid):  # a number that never asked: the same error as a wrong code
        verify_code(store, secret=SECRET, phone="13700000000", code="123456", now=T0, hours=12)
    for bad in ("12345", "23812345678", "1381234567x"):
        with pytest.raises(BadPhone):
            mobile_of(bad)
    with pytest.raises(SmsUnavailable):
        ask(store, CodeOutbox(accept=False))
