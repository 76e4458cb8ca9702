"""Composition root: builds the engine, session factory, calendar and policies from settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.services import authenticate
from gridgov.accounts.tokencache import TokenCache
from gridgov.actor import Actor
from gridgov.audit.log import Signer, Verifier
from gridgov.audit.ports import CheckpointStore
from gridgov.audit.sql import LogSettings, SqlCheckpointStore
from gridgov.audit.store import DirectoryCheckpointStore
from gridgov.cases.audit import AuditedCaseRepository
from gridgov.cases.postgis_pool import PostgisAuditedCaseRepository
from gridgov.cases.services import CasePolicy
from gridgov.classify.duplicates import DuplicateParams
from gridgov.classify.ports import Classifier
from gridgov.clock import Clock, SystemClock, WorkingDays, chinese_calendar_working_days
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker
from gridgov.geo.services import GeoLocator, LocatorCache
from gridgov.groupcommit import IntakeGroup
from gridgov.jobs.inprocess import InProcessQueue
from gridgov.jobs.ports import JobQueue
from gridgov.media.services import add_photo, clean_image
from gridgov.media.storage import DATABASE, DirectoryPhotoStorage, PhotoStorage
from gridgov.open311.domain import Remote, parse_remotes
from gridgov.open311.outbound import DeliveryRecorder, PushReport, http_send, push_due
from gridgov.ratelimit import Limiter, MemoryStreamLeases, RateLimiter, StreamLeases
from gridgov.refcache import ReferenceCache
from gridgov.uow import UnitOfWork


class MediaPhotos:
    """gridgov.media's photo checks and store behind Open311's Photos port (gridgov.open311.ports)."""

    def __init__(self, sessions: sessionmaker[Session], storage: PhotoStorage) -> None:
        self.sessions, self.storage = sessions, storage

    def check(self, data: bytes) -> None:
        clean_image(data)

    def add(self, case_id: int, data: bytes, actor: Actor, now: datetime) -> str:
        return str(add_photo(self.sessions, case_id, data, actor, now, self.storage)["ref"])


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    calendar: WorkingDays
    tokens: TokenCache = field(default_factory=lambda: TokenCache(0))
    reference: ReferenceCache = field(default_factory=lambda: ReferenceCache(0))
    locators: LocatorCache = field(default_factory=LocatorCache)
    enricher: Any = None  # worker.Enricher while a server runs with GRIDGOV_ENRICH_ASYNC
    jobs: JobQueue = field(default_factory=InProcessQueue)  # where units of work write their jobs
    listener: Any = None  # gridgov.jobs.notify.Listener, once start_listening() has run

    def __post_init__(self) -> None:
        _ = self.open311_remotes  # a bad GRIDGOV_OPEN311_REMOTES stops the start, naming the item

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            write=write,
            cache=self.reference,
            log=self.log_settings,
            jobs=self.jobs,
            case_repository=PostgisAuditedCaseRepository
            if self.settings.geo_backend == "postgis"
            else AuditedCaseRepository,
            before_commit=(self.open311_deliveries,) if self.open311_deliveries is not None else (),
            on_case_events=self.notify_outbox,
        )

    @cached_property
    def open311_remotes(self) -> tuple[Remote, ...]:
        return parse_remotes(self.settings.open311_remotes)

    @cached_property
    def open311_deliveries(self) -> DeliveryRecorder | None:
        """Writes the updates owed to remote Open311 endpoints in each event's transaction (none configured: none)."""
        return DeliveryRecorder(self.open311_remotes, self.sessions) if self.open311_remotes else None

    def push_open311(self, ids: Sequence[int] | None = None) -> PushReport:
        s = self.settings
        return push_due(
            self.sessions,
            self.open311_remotes,
            self.clock.now(),
            http_send,
            ids=ids,
            max_attempts=s.open311_push_attempts,
            backoff_seconds=s.open311_push_backoff_seconds,
        )

    # notifications (docs/notify.md): the outbox writer every unit of work calls at commit, and the channels

    @cached_property
    def notify_outbox(self) -> Any:
        from gridgov.notify.setup import outbox_writer

        return outbox_writer(self.settings) if self.settings.notify_enabled else None

    @cached_property
    def notify_senders(self) -> Any:
        from gridgov.notify.setup import senders

        return senders(self.settings)

    # many processes: the job queue, the state the processes share, the one LISTEN connection

    @property
    def runs_background_here(self) -> bool:
        """Whether this process's server runs the background work in threads (the in-process queue), or
        leaves it to `gridgov worker` (procrastinate)."""
        return self.settings.queue_kind == "inprocess"

    @cached_property
    def queue_app(self) -> Any:
        """procrastinate's App on this database (imported only where the queue is used)."""
        app = getattr(self.jobs, "app", None)
        if app is not None:
            return app
        from gridgov.jobs.pgqueue import make_app

        return make_app(self.settings.database_url)

    @cached_property
    def photo_storage(self) -> PhotoStorage:
        if self.settings.photo_storage == "directory":
            return DirectoryPhotoStorage(self.settings.photo_dir)
        return DATABASE

    @cached_property
    def photos(self) -> MediaPhotos:
        return MediaPhotos(self.sessions, self.photo_storage)

    @cached_property
    def intake_group(self) -> IntakeGroup:
        return IntakeGroup(self.uow, self.settings.intake_group_max, reader=lambda: self.uow(write=False))

    def intake_uow(self) -> Any:
        """The unit of work of one intake request: a member of this process's group commit
        (gridgov.groupcommit), or a plain one with GRIDGOV_INTAKE_GROUP_MAX=1."""
        return self.intake_group.unit_of_work() if self.settings.intake_group_max > 1 else self.uow()

    def intake_limiter(self) -> Limiter:
        s = self.settings
        if s.shared_state == "memory":
            return RateLimiter(s.intake_rate_per_minute, s.intake_burst)
        from gridgov.jobs.shared import SqlRateLimiter

        return SqlRateLimiter(self.engine, s.intake_rate_per_minute, s.intake_burst)

    @cached_property
    def stream_leases(self) -> StreamLeases:
        if self.settings.shared_state == "memory":
            return MemoryStreamLeases()
        from gridgov.jobs.shared import SqlStreamLeases

        return SqlStreamLeases(self.engine)

    @property
    def live_updates_notify(self) -> bool:
        mode = self.settings.live_updates
        return mode == "notify" or (mode == "auto" and self.engine.dialect.name == "postgresql")

    def start_listening(self) -> Any:
        """One LISTEN connection for this process (PostgreSQL, live updates by NOTIFY): case events for the
        dashboard's streams, and reference changes, which clear this process's reference cache and grid index."""
        if self.listener is not None or not self.live_updates_notify:
            return self.listener
        from gridgov.jobs.notify import REFERENCE, Listener
        from gridgov.jobs.pgqueue import conninfo

        self.listener = Listener(conninfo(self.settings.database_url))
        self.listener.subscribe(REFERENCE, self._reference_changed)
        self.listener.start()
        return self.listener

    def _reference_changed(self, table: str | None) -> None:
        self.reference.clear()
        if table in (None, "grids", "grid_versions"):
            old = self.locators
            self.locators = type(old)(old.backend, old.cell_m)  # the next locate builds the index afresh

    # the record: the key (a file, never the database), the log's name, the stores outside the database

    @cached_property
    def audit_signer(self) -> Signer | None:
        from gridgov.audit.keys import load_signer  # cryptography loads only where a key is configured

        path = self.settings.audit_key_path
        return load_signer(path) if path else None

    @property
    def audit_origin(self) -> str:
        return f"gridgov/{self.settings.city_code}"

    @cached_property
    def log_settings(self) -> LogSettings:
        return LogSettings(origin=self.audit_origin, now=self.clock.now, signer=self.audit_signer)

    def audit_verifier(self, public_key: str | None = None) -> Verifier | None:
        """The public key given, else the configured one, else the one beside the private key (None: none)."""
        from gridgov.audit.keys import load_verifier, public_path

        text = public_key or self.settings.audit_public_key
        if text:
            return load_verifier(text)
        if self.settings.audit_key_path:
            pub = public_path(self.settings.audit_key_path)
            return load_verifier(pub) if pub.exists() else self.audit_signer.verifier()  # type: ignore[union-attr]
        return None

    def checkpoint_stores(self) -> list[CheckpointStore]:
        stores: list[CheckpointStore] = [DirectoryCheckpointStore(self.settings.audit_checkpoint_dir)]
        if self.settings.audit_witness_url:
            stores.append(SqlCheckpointStore(self.settings.audit_witness_url))
        return stores

    @property
    def uow_factory(self) -> Callable[[], UnitOfWork]:
        return self.uow

    @cached_property
    def policy(self) -> CasePolicy:
        s = self.settings
        return CasePolicy(
            warning_fraction=s.warning_fraction,
            whistle_report_minutes=s.whistle_report_minutes,
            reopen_window_days=s.reopen_window_days,
            classify_threshold=s.classify_threshold,
            duplicates=DuplicateParams(s.duplicate_radius_m, s.duplicate_window_days, s.duplicate_threshold),
            appeal_days=s.appeal_days,  # 12345 operations (issue 17)
            caller_secret=s.secret_key,  # 重复来电: the caller's phone is matched on its HMAC under this key
        )

    @cached_property
    def classifier(self) -> Classifier:
        """The configured model, else the shipped one, else the keyword rules (said so in every prediction)."""
        return load_classifier(self.settings.model_path)

    def locator(self) -> GeoLocator | None:
        """The locator of the active grid version (None before `gridgov init`)."""
        uow = self.uow(write=False)
        with uow:
            version = uow.grids.active_version()
            if version is None:
                return None
            version_id = version.id
        return self.locators.get(self.sessions, version_id)

    def authenticate(self, token: str) -> Actor:
        """The token's actor, remembered for a few seconds (`tokens`). Raises Unauthenticated."""
        actor = self.tokens.get(token)
        if actor is None:
            actor = authenticate(self.uow(write=False), token, self.clock.now())
            self.tokens.put(token, actor)
        return actor

    def forget_tokens(self) -> None:
        self.tokens.clear()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
        self.engine.dispose()


def load_classifier(path: str | None) -> Classifier:
    from gridgov.classify.keywords import KeywordClassifier
    from gridgov.classify.model import LinearTextModel, load_default
    from gridgov.logging import get_logger

    log = get_logger(__name__)
    model = LinearTextModel.load(path) if path else load_default()
    if model is None:
        log.warning("model_missing_using_keywords")
        return KeywordClassifier.from_taxonomy()
    log.info("model_loaded", version=model.version, labels=len(model.labels))
    return model


def _job_queue(settings: Settings) -> JobQueue:
    if settings.queue_kind == "procrastinate":
        from gridgov.jobs.pgqueue import ProcrastinateQueue, make_app

        return ProcrastinateQueue(make_app(settings.database_url))
    return InProcessQueue()


def bootstrap(settings: Settings, clock: Clock | None = None, calendar: WorkingDays | None = None) -> Container:
    engine = make_engine(settings)
    return Container(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        clock=clock or SystemClock(),
        calendar=calendar or chinese_calendar_working_days(),
        tokens=TokenCache(settings.auth_cache_seconds),
        reference=ReferenceCache(settings.reference_cache_seconds),
        jobs=_job_queue(settings),
        locators=LocatorCache(settings.geo_backend, settings.geo_cell_m),
    )
