"""Delivery: claim due messages (a lease), send each through its channel, record the answers.

At-least-once with a key: a worker killed after the gateway took a message but before it recorded the answer
leaves the message leased; once the lease runs out the next claim marks it *in doubt*, and the sender first asks
the gateway what it knows of that key (`lookup`) — only a gateway that never saw it is sent it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridgov.logging import get_logger
from gridgov.notify.domain import Channel, MessageStatus, Outcome, Policy, next_status, retry_at
from gridgov.notify.ports import Answer, NotifyUnitOfWork, Outgoing, Result, Sender

log = get_logger(__name__)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    looked_up: int = 0  # in-doubt messages settled by asking the gateway

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "delivered", "retried", "failed", "looked_up"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def settle(message: Outgoing, answer: Answer, now: datetime, policy: Policy) -> Result:
    """The message's next status from the gateway's answer; a temporary failure is retried with backoff, until
    the attempts are spent (then failed, with the answer kept)."""
    status = next_status(message.status, answer.outcome)
    when = None
    if status is MessageStatus.QUEUED:
        when = retry_at(now, message.attempts, message.key, policy)
        if when is None:
            status = MessageStatus.FAILED
    return Result(message.id, status, message.attempts, answer, when)


def _send(sender: Sender | None, message: Outgoing) -> tuple[Answer, bool]:
    """The gateway's answer, and whether it came from a lookup (a message in doubt the gateway already had)."""
    if sender is None:
        return Answer(Outcome.RETRY, text=f"渠道 {message.channel.value} 未配置"), False
    if not message.address:
        return Answer(Outcome.REJECTED, text="无联系方式（反映人信息已删除）"), False
    try:
        if message.in_doubt:
            known = sender.lookup(message.key)
            if known is not None:
                return known, True
        return sender.send(message), False
    except Exception as exc:  # a gateway that cannot be reached, a timeout: temporary
        return Answer(Outcome.RETRY, text=f"{type(exc).__name__}: {exc}"[:500]), False


def _send_all(
    senders: Mapping[Channel, Sender], claimed: list[Outgoing], report: DeliveryReport, pool: Executor | None
) -> list[Answer]:
    def one(m: Outgoing) -> tuple[Answer, bool]:
        return _send(senders.get(m.channel), m)

    done = list(pool.map(one, claimed)) if pool is not None else [one(m) for m in claimed]
    report.looked_up += sum(1 for _, looked in done if looked)
    return [answer for answer, _ in done]


def deliver_batch(
    uow: NotifyUnitOfWork,
    senders: Mapping[Channel, Sender],
    now: Callable[[], datetime],
    policy: Policy,
    batch: int = 200,
    lease_seconds: float = 30.0,
    pool: Executor | None = None,
) -> DeliveryReport:
    """One batch: claim (one transaction), send (on `pool`'s threads, each with its own gateway connection, when
    given), record (one transaction)."""
    report = DeliveryReport()
    at = now()
    with uow:
        # only the channels configured here: a message for a channel without a sender waits for one
        claimed = uow.messages.claim(at, batch, at + timedelta(seconds=lease_seconds), list(senders))
        uow.commit()
    if not claimed:
        return report
    report.claimed = len(claimed)
    results = []
    answers = _send_all(senders, claimed, report, pool)
    for message, answer in zip(claimed, answers, strict=True):
        result = settle(message, answer, now(), policy)
        results.append(result)
        if result.status is MessageStatus.SENT:
            report.sent += 1
        elif result.status is MessageStatus.DELIVERED:
            report.delivered += 1
        elif result.status is MessageStatus.FAILED:
            report.failed += 1
            log.warning("notify_failed", message_id=message.id, channel=message.channel.value)
        else:
            report.retried += 1
    with uow:
        uow.messages.record(results, now())
        uow.commit()
    return report


def deliver_due(
    uow: NotifyUnitOfWork,
    senders: Mapping[Channel, Sender],
    now: Callable[[], datetime],
    policy: Policy,
    batch: int = 200,
    lease_seconds: float = 30.0,
    max_batches: int = 1000,
    concurrency: int = 1,
) -> DeliveryReport:
    """The delivery job: batches until nothing is due (what waits for its retry time or the end of the quiet
    hours is left for the next run); `concurrency` messages in flight at once."""
    total = DeliveryReport()
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="notify-send") if concurrency > 1 else None
    try:
        for _ in range(max_batches):
            report = deliver_batch(uow, senders, now, policy, batch, lease_seconds, pool)
            total.add(report)
            if report.claimed < batch:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    if total.claimed:
        log.info("notify_delivered", claimed=total.claimed, sent=total.sent, failed=total.failed)
    return total
