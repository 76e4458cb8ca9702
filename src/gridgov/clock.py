"""Time: an injected clock and China's working-day calendar (pure; no datetime.now outside SystemClock).

Working-day limits are measured in *working time*: each working day contributes its 24 hours,
holidays and weekends contribute nothing (调休 make-up Saturdays/Sundays do count). A limit of
N working days therefore ends at the same wall-clock time N working days later; a case that
arrives on a holiday starts its clock at 00:00 of the next working day. All calendar logic is
done in the city's local time (Asia/Shanghai); datetimes passed in must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and seeding: returns a set time, advanced explicitly."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> datetime:
        self._at = self._at + delta
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at


class TimeUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"

    @property
    def is_working(self) -> bool:
        return self is TimeUnit.WORKING_DAYS


@dataclass(frozen=True, slots=True)
class Limit:
    amount: int
    unit: TimeUnit

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a time limit must be positive")

    def label(self) -> str:
        names = {TimeUnit.MINUTES: "分钟", TimeUnit.HOURS: "小时", TimeUnit.WORKING_DAYS: "个工作日"}
        return f"{self.amount}{names[self.unit]}"

    def natural(self) -> timedelta | None:
        if self.unit is TimeUnit.MINUTES:
            return timedelta(minutes=self.amount)
        if self.unit is TimeUnit.HOURS:
            return timedelta(hours=self.amount)
        return None


class WorkingDays:
    """China's working-day calendar given explicit holiday and make-up working-day sets."""

    def __init__(
        self,
        holidays: Iterable[date],
        workdays: Iterable[date] = (),
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._tz = tz

    def is_working_day(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    # -- working time -------------------------------------------------------------------------
    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("aware datetime required")
        return at.astimezone(self._tz)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (negative if end < start)."""
        if end < start:
            return -self.working_seconds(end, start)
        a, b = self._local(start), self._local(end)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                day_start = datetime(day.year, day.month, day.day, tzinfo=self._tz)
                lo = max(a, day_start)
                hi = min(b, day_start + DAY)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += DAY
        return total

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of working time have passed since `start`."""
        if seconds < 0:
            raise ValueError("negative working time")
        if seconds == 0:
            return start  # no working time to add: the instant itself, even at midnight before a day off
        at = self._local(start)
        remaining = seconds
        day = at.date()
        for _ in range(3660):  # ten years of days: a hard bound against a calendar with no working days
            day_start = datetime(day.year, day.month, day.day, tzinfo=self._tz)
            if self.is_working_day(day):
                lo = max(at, day_start)
                available = (day_start + DAY - lo).total_seconds()
                if remaining <= available:
                    return (lo + timedelta(seconds=remaining)).astimezone(start.tzinfo)
                remaining -= available
            day += DAY
        raise ValueError("working-day calendar has no working days ahead")

    # -- limits ---------------------------------------------------------------------------------
    def measure(self, start: datetime, end: datetime, unit: TimeUnit) -> float:
        """Elapsed time in the limit's own measure (seconds of natural or of working time)."""
        if unit.is_working:
            return self.working_seconds(start, end)
        return (end - start).total_seconds()

    def advance(self, start: datetime, seconds: float, unit: TimeUnit) -> datetime:
        if unit.is_working:
            return self.add_working_seconds(start, seconds)
        return start + timedelta(seconds=seconds)

    def deadline(self, start: datetime, limit: Limit) -> datetime:
        natural = limit.natural()
        if natural is not None:
            return start + natural
        return self.add_working_seconds(start, limit.amount * DAY.total_seconds())


def chinese_calendar_working_days() -> WorkingDays:
    """WorkingDays built from the `chinesecalendar` package (State Council notices, 调休 included)."""
    import chinese_calendar

    holidays: Iterable[date] = chinese_calendar.holidays.keys()
    workdays: Iterable[date] = chinese_calendar.workdays.keys()
    # the package lists ordinary weekends among `holidays`; keep only days that are not weekdays-off
    return WorkingDays(holidays=holidays, workdays=(d for d in workdays if d.weekday() >= 5))


CalendarFactory = Callable[[], WorkingDays]
