"""The notify rules: statuses, keys, quiet hours with a fixed clock, backoff, consent, the daily cap, templates."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gridgov.errors import InvalidTransition
from gridgov.notify.domain import (
    BEIJING,
    Audience,
    Budget,
    Channel,
    MessageStatus,
    Outcome,
    Policy,
    Recipient,
    Rule,
    Template,
    TemplateError,
    check_template,
    idempotency_key,
    mask_address,
    next_status,
    not_before,
    plan_message,
    retry_at,
)
from gridgov.notify.rules import SHIPPED, load

POLICY = Policy()
RULE = Rule("case_registered", Audience.REPORTER, Channel.SMS, "resident_registered")
TEMPLATE = Template("立案 {tracking_code}", "您的问题已立案 {tracking_code} {link}")


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    return datetime(2025, 9, day, hour, minute, tzinfo=BEIJING)


def plan(
    now: datetime, *, consented: bool = True, budget: Budget | None = None, emergency: bool = False, rule: Rule = RULE
):  # type: ignore[no-untyped-def]
    return plan_message(
        event_id=7,
        rule=rule,
        recipient=Recipient("phone:abc", "13812345678"),
        template=TEMPLATE,
        values={"tracking_code": "ZZ2025", "link": "http://x/track"},
        consented=consented,
        budget=budget or Budget(POLICY.daily_cap),
        emergency=emergency,
        now=now,
        policy=POLICY,
    )


def test_an_sms_at_23_00_waits_until_08_00_beijing() -> None:
    assert not_before(at(23), Channel.SMS, False, POLICY) == at(8, day=27)
    assert not_before(at(3, 30), Channel.SMS, False, POLICY) == at(8)
    assert plan(at(23)).not_before == at(8, day=27)


def test_an_emergency_sms_goes_at_once_even_at_night() -> None:
    assert plan(at(23), emergency=True).not_before == at(23)
    whistle = Rule("whistle_blown", Audience.SUMMONED, Channel.SMS, "x", at_once=True)
    assert plan(at(23, 30), rule=whistle).not_before == at(23, 30)


def test_quiet_hours_hold_only_sms_and_only_at_night() -> None:
    assert not_before(at(22, 0), Channel.SMS, False, POLICY) == at(8, day=27)
    assert not_before(at(21, 59), Channel.SMS, False, POLICY) == at(21, 59)
    assert not_before(at(8, 0), Channel.SMS, False, POLICY) == at(8, 0)
    assert not_before(at(23), Channel.EMAIL, False, POLICY) == at(23)
    utc = at(23).astimezone(datetime.now().astimezone().tzinfo)  # any zone in, the same instant out
    assert not_before(utc, Channel.SMS, False, POLICY) == at(8, day=27)


def test_the_key_is_stable_per_event_rule_and_recipient() -> None:
    k = idempotency_key(7, RULE.id, "phone:abc")
    assert k == idempotency_key(7, RULE.id, "phone:abc") == plan(at(9)).key
    assert len({k, idempotency_key(8, RULE.id, "phone:abc"), idempotency_key(7, RULE.id, "phone:abd")}) == 3


def test_statuses_go_queued_sent_delivered_or_failed() -> None:
    Q, S, D, F = MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED
    assert next_status(Q, Outcome.ACCEPTED) is S
    assert next_status(S, Outcome.DELIVERED) is D
    assert next_status(Q, Outcome.DELIVERED) is D
    assert next_status(Q, Outcome.REJECTED) is F
    assert next_status(S, Outcome.REJECTED) is F
    assert next_status(Q, Outcome.RETRY) is Q
    for done in (D, F, MessageStatus.SKIPPED):
        with pytest.raises(InvalidTransition):
            next_status(done, Outcome.ACCEPTED)
    assert Q.kind.value == "waiting" and D.kind.value == "done"


def test_backoff_doubles_with_a_cap_and_stops_after_the_last_attempt() -> None:
    now = at(9)
    key = "0000" + "f" * 28  # no jitter
    delays = [(retry_at(now, n, key, POLICY) - now).total_seconds() for n in range(1, POLICY.max_attempts)]  # type: ignore[operator]
    assert delays == [30, 60, 120, 240, 480]
    assert retry_at(now, POLICY.max_attempts, key, POLICY) is None
    capped = Policy(max_attempts=50, backoff_cap_seconds=3600)
    assert retry_at(now, 20, key, capped) == now + timedelta(seconds=3600)
    jittered = retry_at(now, 1, "ffff" + "0" * 28, POLICY)
    assert jittered is not None and timedelta(seconds=30) < jittered - now <= timedelta(seconds=33)


def test_a_withdrawn_consent_skips_the_message() -> None:
    p = plan(at(9), consented=False)
    assert (p.status, p.reason) == (MessageStatus.SKIPPED, "no_consent")


def test_the_daily_cap_skips_what_is_over_it_but_not_an_emergency() -> None:
    budget = Budget(2)
    assert [plan(at(9), budget=budget).status for _ in range(3)] == [
        MessageStatus.QUEUED,
        MessageStatus.QUEUED,
        MessageStatus.SKIPPED,
    ]
    assert plan(at(9), budget=budget).reason == "daily_cap"
    assert plan(at(9), budget=budget, emergency=True).status is MessageStatus.QUEUED


def test_a_template_may_use_no_personal_field() -> None:
    with pytest.raises(TemplateError, match="reporter_phone"):
        check_template("bad", Template("", "您好 {reporter_phone}"))
    check_template("ok", TEMPLATE)


def test_the_shipped_rules_cover_the_loop_and_the_other_helpers_events() -> None:
    book = load()
    types = book.event_types
    for t in ("case_registered", "case_dispatched", "case_handled", "case_verified", "case_reopened"):
        assert any(r.audience is Audience.REPORTER for r in book.for_event(t)), t
    for t in ("deadline_warned", "case_escalated", "urged", "supervised"):
        assert t in types
    assert all(r.at_once for r in book.for_event("whistle_blown"))
    assert book.for_event("no_such_event") == []


def test_a_bad_rules_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "templates.json").write_text((SHIPPED / "templates.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "rules.csv").write_text(
        "event_type,audience,channel,template,at_once\ncase_registered,reporter,sms,resident_registered,\n"
        "case_registered,reporter,pigeon,resident_registered,\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateError, match="第 3 行"):
        load(tmp_path)


def test_staff_see_addresses_masked() -> None:
    assert mask_address(Channel.SMS, "13812345678") == "138****5678"
    assert mask_address(Channel.EMAIL, "zhang.wei@example.cn") == "z***@example.cn"
    assert mask_address(Channel.WECHAT, "oABCDEFG123") == "oABC****"


@pytest.mark.parametrize(
    ("channel", "typed", "stored"),
    [
        ("sms", "13812345678", "13812345678"),
        ("sms", "+86 138-1234-5678", "13812345678"),
        ("sms", "  ", ""),
        ("email", " wang@zz.gov.cn ", "wang@zz.gov.cn"),
        ("email", "", ""),
    ],
)
def test_a_staff_contact_is_stored_in_one_form(channel: str, typed: str, stored: str) -> None:
    from gridgov.notify.domain import Channel, normalise_contact

    assert normalise_contact(Channel(channel), typed) == stored


@pytest.mark.parametrize(
    ("channel", "typed", "field"),
    [
        ("sms", "1381234567", "address"),  # 10 digits
        ("sms", "12812345678", "address"),  # no mainland mobile starts 12
        ("sms", "0371-12345678", "address"),  # a landline takes no SMS
        ("email", "wang@", "address"),
        ("email", "wang zz@gov.cn", "address"),
        ("email", "a@b." + "c" * 200, "address"),
        ("wechat", "oAbc123", "channel"),
        ("inapp", "x", "channel"),
    ],
)
def test_a_bad_staff_contact_is_refused_naming_the_field(channel: str, typed: str, field: str) -> None:
    from gridgov.errors import ValidationFailed
    from gridgov.notify.domain import Channel, normalise_contact

    with pytest.raises(ValidationFailed) as caught:
        normalise_contact(Channel(channel), typed)
    assert caught.value.details["field"] == field
