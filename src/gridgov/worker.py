"""Background work, in one of two shapes (GRIDGOV_JOB_QUEUE, docs/operations.md#production):

- in process (SQLite, the embedded default): threads of `gridgov serve` — the deadline scheduler (with the
  record's checkpoints) and the intake enricher;
- on the job queue (PostgreSQL, procrastinate): `gridgov worker` runs the same bodies as tasks — enrichment
  jobs written by intake in its own transaction, and two periodic jobs deferred exactly once per period across
  any number of workers: the deadline sweep (warnings, escalations, cases left without their proposal) and the
  checkpoint. Deadlines stay on the case rows (next_alarm_at) and the sweep finds them; no job waits for days.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from gridgov.audit.sql import LogError, make_checkpoint
from gridgov.bootstrap import Container
from gridgov.callbacks.cli import callback_policy  # 督办/催办/回访 (issue 15)
from gridgov.callbacks.repository import SqlCallbacksUnitOfWork
from gridgov.callbacks.services import sweep_closed
from gridgov.cases.services import enrich_cases, scan_overdue
from gridgov.cases.services.supervision import scan_supervisions
from gridgov.jobs.ports import AUDIT_CHECKPOINT, ENRICH_CASE, ENRICH_CASES, SCAN_DEADLINES
from gridgov.logging import get_logger
from gridgov.open311.outbound import PUSH_UPDATES
from gridgov.safety.repository import SqlSafetyUnitOfWork
from gridgov.safety.services import scan_overdue_hazards

log = get_logger(__name__)


class DeadlineScheduler:
    """Every interval: warnings and escalations, and enrichment of any case left without its proposal."""

    def __init__(self, container: Container, enricher: Enricher | None = None) -> None:
        self.container = container
        self.enricher = enricher
        self.checkpoints = CheckpointScheduler(container)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.checkpoints.start()
        interval = self.container.settings.escalation_interval_seconds
        if interval <= 0:
            return
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="deadline-scheduler", daemon=True)
        self._thread.start()

    def _loop(self, interval: int) -> None:
        while not self._stop.wait(interval):
            self.run_once()

    def run_once(self) -> None:
        c = self.container
        try:
            scan_overdue(c.uow_factory, c.clock.now(), c.calendar, c.policy, c.settings.escalation_batch_size)
            if c.open311_remotes:  # updates owed to remote Open311 endpoints, due by now (gridgov.open311.outbound)
                c.push_open311()
            press_and_call_back(c)  # 督办/催办/回访 (issue 15)
            if self.enricher is not None:
                with c.uow(write=False) as uow:
                    stale = uow.cases.not_enriched(c.clock.now() - timedelta(seconds=30), 1000)
                for case_id in stale:
                    self.enricher.submit(case_id)
        except Exception:  # an entry point: log and keep the loop alive
            log.exception("deadline_scan_failed")

    def stop(self) -> None:
        self._stop.set()
        self.checkpoints.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)


class CheckpointScheduler:
    """Every GRIDGOV_AUDIT_CHECKPOINT_INTERVAL_SECONDS: sign the log's tree and append the checkpoint to the stores
    outside the database (as `gridgov audit checkpoint`). Runs only where the key is configured."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        interval = self.container.settings.audit_checkpoint_interval_seconds
        if interval <= 0 or self.container.audit_signer is None:
            return
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="audit-checkpoint", daemon=True)
        self._thread.start()

    def _loop(self, interval: int) -> None:
        while not self._stop.wait(interval):
            self.run_once()

    def run_once(self) -> None:
        c = self.container
        signer = c.audit_signer
        if signer is None:
            return
        try:
            with c.sessions() as session:
                result = make_checkpoint(
                    session, signer=signer, stores=c.checkpoint_stores(), origin=c.audit_origin, now=c.clock.now()
                )
            log.info("audit_checkpoint", size=result.checkpoint.size, root=result.checkpoint.root)
        except LogError as exc:  # the log does not extend the last checkpoint: say so loudly, sign nothing
            log.error("audit_checkpoint_refused", reason=str(exc))
        except Exception:  # an entry point: log and keep the loop alive
            log.exception("audit_checkpoint_failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class Enricher:
    """Classifies new cases and looks for duplicates after their intake commit, in batches.

    A case whose enrichment is lost (the process stops) is picked up again by the scheduler: the case itself
    was committed before it was queued, so nothing acknowledged is lost."""

    def __init__(self, container: Container, batch_size: int = 64) -> None:
        self.container = container
        self.batch_size = batch_size
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, case_id: int) -> None:
        self._queue.put(case_id)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="intake-enricher", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.batch_size:
                try:
                    nxt = self._queue.get(timeout=0.02)
                except queue.Empty:
                    break
                if nxt is None:
                    self._run(batch)
                    return
                batch.append(nxt)
            self._run(batch)

    def _run(self, batch: list[int]) -> None:
        c = self.container
        try:
            enrich_cases(c.uow_factory, batch, c.classifier, c.policy, c.clock.now())
        except Exception:  # an entry point: log; the scheduler retries cases left without a proposal
            log.exception("enrich_failed", cases=len(batch))

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)


class QueuedEnrichment:
    """`container.enricher` in a web process whose jobs go to the queue: the intake's job row is the hand-off,
    so there is nothing left to submit after the commit."""

    def submit(self, case_id: int) -> None:
        return None


ENRICH_BATCH = 64
STALE_SECONDS = 30


def enrich_pending(container: Container, older_than: float = 0.0, listed: Sequence[int] = ()) -> int:
    """Enrich the `listed` cases of a job together with other cases still without their proposal (created at
    least `older_than` seconds ago), up to a batch: one job usually finishes the cases of many, and theirs find
    nothing left to do."""
    c = container
    named = list(listed)
    with c.uow(write=False) as uow:
        pending = uow.cases.not_enriched(c.clock.now() - timedelta(seconds=older_than), ENRICH_BATCH)
    ids = list(dict.fromkeys([*named, *pending]))[: max(ENRICH_BATCH, len(named))]
    done = 0
    for start in range(0, len(ids), ENRICH_BATCH):
        done += enrich_cases(c.uow_factory, ids[start : start + ENRICH_BATCH], c.classifier, c.policy, c.clock.now())
    return done


def sweep(container: Container) -> None:
    """The periodic job: the deadline scan, then every case left without its proposal for STALE_SECONDS (its
    job lost, say, with a worker killed while running it)."""
    c = container
    scan_overdue(c.uow_factory, c.clock.now(), c.calendar, c.policy, c.settings.escalation_batch_size)
    press_and_call_back(c)  # 督办/催办/回访 (issue 15)
    while enrich_pending(c, older_than=STALE_SECONDS):
        pass
    if c.open311_remotes:
        c.push_open311()


def press_and_call_back(container: Container) -> None:
    """督办/催办/回访 (issue 15): unanswered 督办 escalate; closed cases enter the 回访 queue. 安全生产: hidden hazards
    past their rectification deadline go one level up (street → district → city), as cases do."""
    c = container
    scan_supervisions(c.uow_factory, c.clock.now())
    sweep_closed(SqlCallbacksUnitOfWork(c.uow()), c.clock.now(), c.calendar, callback_policy(c.settings))
    scan_overdue_hazards(lambda: SqlSafetyUnitOfWork(c.uow()), c.clock.now(), c.calendar)


def queue_tasks(container: Container) -> tuple[dict[str, Any], list[Any]]:
    """The task bodies bound to their names, and the periodic ones with their periods."""
    from gridgov.jobs.pgqueue import Periodic

    c = container
    checkpoints = CheckpointScheduler(c)

    def enrich(case_id: int) -> None:  # a job queued before ENRICH_CASES
        enrich_pending(c, listed=[case_id])

    def enrich_listed(case_ids: list[int]) -> None:  # the cases one transaction (a group commit) reported
        enrich_pending(c, listed=case_ids)

    periodic = []
    if c.settings.escalation_interval_seconds > 0:
        periodic.append(Periodic(SCAN_DEADLINES, c.settings.escalation_interval_seconds, lambda _ts: sweep(c)))
    if c.settings.audit_checkpoint_interval_seconds > 0 and c.audit_signer is not None:
        every = c.settings.audit_checkpoint_interval_seconds
        periodic.append(Periodic(AUDIT_CHECKPOINT, every, lambda _ts: checkpoints.run_once()))

    def push_open311(delivery_ids: list[int]) -> None:
        c.push_open311(delivery_ids)

    tasks: dict[str, Any] = {ENRICH_CASES: enrich_listed, ENRICH_CASE: enrich, PUSH_UPDATES: push_open311}
    if c.settings.notify_enabled:  # notifications: the delivery job the outbox enqueues, and a periodic look
        from gridgov.notify.repository import NOTIFY_DELIVER

        delivery = notify_delivery(c)
        tasks[NOTIFY_DELIVER] = delivery
        periodic.append(
            Periodic(NOTIFY_DELIVER + "_sweep", int(c.settings.notify_poll_seconds) or 1, lambda _ts: delivery())
        )

        def digest(_ts: int) -> None:
            digests(c)

        periodic.append(Periodic(NOTIFY_DIGEST, 3600, digest))  # hourly; one digest a follower a day
    return tasks, periodic


NOTIFY_DIGEST = "gridgov.notify_digest"


def digests(container: Container) -> int:
    """The followers' daily digests (gridgov.notify.follows): idempotent per Beijing day, so the hourly run and
    several workers write one digest a follower a day, from GRIDGOV_NOTIFY_DIGEST_HOUR on."""
    from gridgov.notify.follows import send_digests
    from gridgov.notify.setup import links

    c = container
    return send_digests(c.sessions, links(c.settings), c.clock.now(), from_hour=c.settings.notify_digest_hour)


def notify_delivery(container: Container) -> Any:
    """The notify delivery (gridgov.notify.runner.Delivery) over this container's channels."""
    from gridgov.notify.runner import Delivery
    from gridgov.notify.setup import policy

    c, s = container, container.settings
    return Delivery(
        c.uow, c.notify_senders, c.clock.now, policy(s), s.notify_batch, s.notify_lease_seconds, s.notify_concurrency
    )


def run_queue_worker(container: Container, concurrency: int = 2) -> None:
    """`gridgov worker` on procrastinate: runs until SIGINT/SIGTERM. Loads the classifier before the first job."""
    from gridgov.jobs.pgqueue import register, run_worker_blocking

    tasks, periodic = queue_tasks(container)
    app = container.queue_app
    register(app, tasks, periodic)
    _ = container.classifier
    log.info("worker_started", periodic=[p.task for p in periodic], concurrency=concurrency)
    run_worker_blocking(app, concurrency=concurrency)


def run_thread_worker(container: Container) -> None:
    """`gridgov worker` without a queue (SQLite): the scheduler and the checkpoints in this process until
    interrupted; cases another process accepted are enriched by the sweep."""
    enricher = Enricher(container)
    scheduler = DeadlineScheduler(container, enricher)
    enricher.start()
    scheduler.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
        enricher.stop()


def notify_thread(container: Container) -> Any:
    """In-process delivery for `gridgov serve` (in-process queue): a thread woken by each commit that queued a
    message (the queue's handler for the delivery job), and every GRIDGOV_NOTIFY_POLL_SECONDS otherwise."""
    from gridgov.jobs.inprocess import InProcessQueue
    from gridgov.notify.repository import NOTIFY_DELIVER
    from gridgov.notify.runner import DeliveryThread

    thread = DeliveryThread(notify_delivery(container), container.settings.notify_poll_seconds)
    if isinstance(container.jobs, InProcessQueue):
        container.jobs.register(NOTIFY_DELIVER, thread.wake)
    return thread
