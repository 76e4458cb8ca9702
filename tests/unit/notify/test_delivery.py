"""The delivery service on the fakes: leases, answers, retries, lookups of messages in doubt."""

from __future__ import annotations

from datetime import timedelta

from gridgov.clock import FixedClock
from gridgov.notify.domain import Channel, Outcome, Policy
from gridgov.notify.ports import Answer
from gridgov.notify.services import deliver_due

from fakes import START, FakeNotifyUnitOfWork, FakeSender

POLICY = Policy(max_attempts=3, backoff_seconds=10)


def run(uow: FakeNotifyUnitOfWork, sender: FakeSender, clock: FixedClock, lease: float = 30) -> object:
    return deliver_due(uow, {sender.channel: sender}, clock.now, POLICY, batch=10, lease_seconds=lease)


def test_a_due_message_is_sent_once_with_its_key_and_the_gateways_id() -> None:
    uow, clock = FakeNotifyUnitOfWork(), FixedClock(START)
    uow.messages.add("k1", "sms", "13800000001", START)
    uow.messages.add("k2", "sms", "13800000002", START + timedelta(hours=1))  # not yet due
    sender = FakeSender(Channel.SMS)
    run(uow, sender, clock)
    assert sender.sent == ["k1"]
    assert (uow.rows[1]["status"], uow.rows[1]["gateway_id"]) == ("sent", "g1")
    run(uow, sender, clock)
    assert sender.sent == ["k1"]


def test_temporary_failures_back_off_then_fail_with_the_gateways_answer() -> None:
    uow, clock = FakeNotifyUnitOfWork(), FixedClock(START)
    uow.messages.add("k1", "sms", "13800000001", START)
    busy = Answer(Outcome.RETRY, "", "HTTP 503 busy")
    sender = FakeSender(Channel.SMS, [busy, ConnectionRefusedError("refused"), busy])
    run(uow, sender, clock)
    assert uow.rows[1]["status"] == "queued" and uow.rows[1]["not_before"] > START
    clock.advance(timedelta(seconds=5))
    run(uow, sender, clock)
    assert len(sender.sent) == 1  # waits out the backoff
    clock.advance(timedelta(seconds=10))
    run(uow, sender, clock)
    assert "ConnectionRefusedError" in uow.rows[1]["answer"]
    clock.advance(timedelta(seconds=30))
    run(uow, sender, clock)
    assert (uow.rows[1]["status"], uow.rows[1]["answer"]) == ("failed", "HTTP 503 busy")  # 3 attempts spent
    assert sender.sent == ["k1", "k1", "k1"]


def test_a_rejection_fails_at_once() -> None:
    uow, clock = FakeNotifyUnitOfWork(), FixedClock(START)
    uow.messages.add("k1", "sms", "1", START)
    run(uow, FakeSender(Channel.SMS, [Answer(Outcome.REJECTED, "", "HTTP 400 MOBILE_INVALID")]), clock)
    assert (uow.rows[1]["status"], uow.rows[1]["answer"]) == ("failed", "HTTP 400 MOBILE_INVALID")


def test_a_message_cut_off_by_a_dead_worker_is_looked_up_not_sent_again() -> None:
    uow, clock = FakeNotifyUnitOfWork(), FixedClock(START)
    uow.messages.add("k1", "sms", "13800000001", START)
    uow.messages.add("k2", "sms", "13800000002", START)
    sender = FakeSender(Channel.SMS, known={"k1": Answer(Outcome.ACCEPTED, "g-early", "ok")})
    # a worker took both and died: k1 had reached the gateway, k2 had not
    uow.messages.claim(START, 10, START + timedelta(seconds=30))
    clock.advance(timedelta(seconds=10))
    run(uow, sender, clock)
    assert sender.sent == []  # still leased to the dead worker
    clock.advance(timedelta(seconds=30))
    run(uow, sender, clock)
    assert sender.lookups == ["k1", "k2"] and sender.sent == ["k2"]
    assert (uow.rows[1]["status"], uow.rows[1]["gateway_id"]) == ("sent", "g-early")
    assert uow.rows[2]["status"] == "sent"


def test_a_channel_without_a_sender_is_left_queued() -> None:
    uow, clock = FakeNotifyUnitOfWork(), FixedClock(START)
    uow.messages.add("k1", "wechat", "oOPENID", START)
    run(uow, FakeSender(Channel.SMS), clock)
    assert (uow.rows[1]["status"], uow.rows[1]["attempts"]) == ("queued", 0)
