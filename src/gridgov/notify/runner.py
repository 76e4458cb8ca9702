"""Running delivery: the task body the job queue calls (`gridgov.notify_deliver`), a thread for the in-process
queue (woken by each commit that queued a message, and every `poll` seconds for retries and quiet-hour holds),
and the loop of `gridgov notify worker`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from gridgov.logging import get_logger
from gridgov.notify.domain import Channel, Policy
from gridgov.notify.ports import Sender
from gridgov.notify.repository import SessionUnitOfWork, SqlNotifyUnitOfWork
from gridgov.notify.services import DeliveryReport, deliver_due

log = get_logger(__name__)


class Delivery:
    def __init__(
        self,
        uow: Callable[[], SessionUnitOfWork],
        senders: Mapping[Channel, Sender],
        now: Callable[[], datetime],
        policy: Policy,
        batch: int = 200,
        lease_seconds: float = 60.0,
        concurrency: int = 1,
    ) -> None:
        self.uow, self.senders, self.now, self.policy = uow, senders, now, policy
        self.batch, self.lease_seconds, self.concurrency = batch, lease_seconds, concurrency

    def run_once(self) -> DeliveryReport:
        uow = SqlNotifyUnitOfWork(self.uow())
        return deliver_due(
            uow, self.senders, self.now, self.policy, self.batch, self.lease_seconds, concurrency=self.concurrency
        )

    def __call__(self, **_: object) -> None:  # the job's body
        self.run_once()


class DeliveryThread:
    """In-process delivery: `wake()` after a commit (the in-process queue's handler), a poll otherwise."""

    def __init__(self, delivery: Delivery, poll_seconds: float) -> None:
        self.delivery, self.poll = delivery, poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, _args: object = None) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="notify-delivery", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.delivery.run_once()
            except Exception:  # an entry point: log; the next wake or poll tries again
                log.exception("notify_delivery_failed")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def run_loop(delivery: Delivery, poll_seconds: float, stop: threading.Event, idle_exit: float | None = None) -> int:
    """`gridgov notify worker`: deliver until stopped (or, with `idle_exit`, once nothing was due that long)."""
    total = 0
    idle = 0.0
    while not stop.is_set():
        report = delivery.run_once()
        total += report.claimed
        if report.claimed:
            idle = 0.0
            continue
        if idle_exit is not None and idle >= idle_exit:
            break
        stop.wait(poll_seconds)
        idle += poll_seconds
    return total
