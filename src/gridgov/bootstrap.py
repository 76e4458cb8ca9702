"""Composition root: builds the engine, session factory, calendar and policies from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gridgov.cases.services import CasePolicy
from gridgov.clock import Clock, SystemClock, WorkingDays, chinese_calendar_working_days
from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker
from gridgov.uow import UnitOfWork


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    calendar: WorkingDays

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.sessions, write=write)

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
        )

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, clock: Clock | None = None, calendar: WorkingDays | None = None) -> Container:
    engine = make_engine(settings)
    return Container(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        clock=clock or SystemClock(),
        calendar=calendar or chinese_calendar_working_days(),
    )
