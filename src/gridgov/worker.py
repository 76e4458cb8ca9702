"""Background work inside `gridgov serve`: the deadline scheduler (with the record's checkpoints) and the intake
enricher."""

from __future__ import annotations

import queue
import threading
from datetime import timedelta

from gridgov.audit.sql import LogError, make_checkpoint
from gridgov.bootstrap import Container
from gridgov.cases.services import enrich_cases, scan_overdue
from gridgov.logging import get_logger

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
