"""Working time and limits (gridgov.clock), on fixed dates around the 2025 National Day holiday.

The rule under test (clock.py): working-day limits are measured in *working time*. Every working
day contributes its full 24 hours, holidays and ordinary weekends contribute nothing, and 调休
make-up weekend days count as working days. A case that arrives on a non-working day starts its
clock at 00:00 of the next working day. All calendar logic runs in Asia/Shanghai.

2025 National Day (State Council notice): Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gridgov.clock import (
    SHANGHAI,
    FixedClock,
    Limit,
    TimeUnit,
    WorkingDays,
    chinese_calendar_working_days,
)

HOUR = 3600.0
DAY = 24 * HOUR


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal() -> WorkingDays:
    return chinese_calendar_working_days()


def working(n: int) -> Limit:
    return Limit(n, TimeUnit.WORKING_DAYS)


# -- the calendar ------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", [date(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_holiday_days_are_off(cal: WorkingDays, day: date) -> None:
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11)])
def test_national_day_2025_make_up_weekend_days_are_working_days(cal: WorkingDays, day: date) -> None:
    assert day.weekday() >= 5
    assert cal.is_working_day(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 26), True),  # Fri
        (date(2025, 9, 27), False),  # Sat, an ordinary weekend day
        (date(2025, 9, 29), True),  # Mon
        (date(2025, 9, 30), True),  # Tue, the last day before the holiday
        (date(2025, 10, 9), True),  # Thu, the first day after
        (date(2025, 10, 12), False),  # Sun, ordinary weekend
        (date(2025, 10, 13), True),  # Mon
    ],
)
def test_ordinary_days_around_national_day_2025(cal: WorkingDays, day: date, expected: bool) -> None:
    assert cal.is_working_day(day) is expected


def test_make_up_day_wins_over_a_listed_holiday() -> None:
    d = date(2025, 9, 28)
    cal = WorkingDays(holidays=[d], workdays=[d])
    assert cal.is_working_day(d)


def test_plain_calendar_treats_weekdays_as_working_and_weekends_as_off() -> None:
    cal = WorkingDays(holidays=())
    assert cal.is_working_day(date(2025, 10, 1))  # no holidays given: a plain Wednesday
    assert not cal.is_working_day(date(2025, 10, 4))  # Saturday


# -- working-day deadlines -----------------------------------------------------------------------
def test_one_working_day_from_the_eve_of_national_day_ends_after_the_holiday(cal: WorkingDays) -> None:
    """Tue 09-30 10:00 has 14 h of working time left that day; Oct 1–8 give none; Thu 10-09 gives the
    remaining 10 h, so the limit ends at 10:00, the same wall-clock time one working day later."""
    assert cal.deadline(at(2025, 9, 30, 10), working(1)) == at(2025, 10, 9, 10)


def test_case_arriving_on_a_weekend_starts_its_clock_on_the_make_up_sunday(cal: WorkingDays) -> None:
    """Sat 09-27 is an ordinary weekend day, so the clock starts at 00:00 of the next working day,
    Sun 09-28 (调休 make-up day); its 24 h end at Mon 09-29 00:00."""
    assert cal.deadline(at(2025, 9, 27, 10), working(1)) == at(2025, 9, 29, 0)


def test_three_working_days_count_the_make_up_saturday_and_skip_the_sunday(cal: WorkingDays) -> None:
    """From Thu 10-09 09:00: 15 h that day + 24 h Fri 10-10 + 24 h Sat 10-11 (make-up) = 63 h; Sun 10-12
    is off; the last 9 h fall on Mon 10-13, ending at 09:00."""
    assert cal.deadline(at(2025, 10, 9, 9), working(3)) == at(2025, 10, 13, 9)


def test_case_arriving_during_the_holiday_starts_at_midnight_of_the_first_working_day(cal: WorkingDays) -> None:
    """Fri 10-03 is a holiday: the clock starts Thu 10-09 00:00 and one working day ends Fri 10-10 00:00."""
    assert cal.deadline(at(2025, 10, 3, 15), working(1)) == at(2025, 10, 10, 0)


def test_working_seconds_across_the_whole_holiday_count_only_the_days_either_side(cal: WorkingDays) -> None:
    """Tue 09-30 12:00 → Thu 10-09 12:00: 12 h on 09-30 plus 12 h on 10-09; the holiday adds nothing."""
    assert cal.working_seconds(at(2025, 9, 30, 12), at(2025, 10, 9, 12)) == 24 * HOUR


def test_working_seconds_inside_the_holiday_are_zero(cal: WorkingDays) -> None:
    assert cal.working_seconds(at(2025, 10, 1, 0), at(2025, 10, 9, 0)) == 0.0


def test_working_seconds_count_a_make_up_sunday_in_full(cal: WorkingDays) -> None:
    assert cal.working_seconds(at(2025, 9, 27, 0), at(2025, 9, 29, 0)) == DAY


def test_working_seconds_are_negative_when_end_is_before_start(cal: WorkingDays) -> None:
    assert cal.working_seconds(at(2025, 10, 9, 12), at(2025, 9, 30, 12)) == -24 * HOUR


def test_working_seconds_are_measured_in_shanghai_time_whatever_the_input_zone(cal: WorkingDays) -> None:
    """09-30 16:00 UTC is 10-01 00:00 in Shanghai: the holiday has begun, so no working time follows."""
    start = datetime(2025, 9, 30, 16, tzinfo=UTC)
    assert cal.working_seconds(start, at(2025, 10, 8, 23)) == 0.0
    assert cal.working_seconds(datetime(2025, 9, 30, 4, tzinfo=UTC), start) == 12 * HOUR


def test_add_working_seconds_inverts_working_seconds(cal: WorkingDays) -> None:
    start = at(2025, 9, 26, 17, 30)
    for seconds in (0.0, 1.0, 6.5 * HOUR, DAY, 3 * DAY + 7 * HOUR, 10 * DAY):
        end = cal.add_working_seconds(start, seconds)
        assert cal.working_seconds(start, end) == seconds


def test_add_working_seconds_keeps_the_callers_time_zone(cal: WorkingDays) -> None:
    start = datetime(2025, 9, 30, 2, tzinfo=UTC)  # 10:00 in Shanghai
    end = cal.add_working_seconds(start, DAY)
    assert end.tzinfo is UTC
    assert end == at(2025, 10, 9, 10)


def test_add_working_seconds_refuses_negative_time(cal: WorkingDays) -> None:
    with pytest.raises(ValueError):
        cal.add_working_seconds(at(2025, 9, 30, 10), -1.0)


def test_calendar_without_working_days_fails_instead_of_looping() -> None:
    start = date(2025, 1, 1)
    every_day = [start + timedelta(days=i) for i in range(4000)]
    cal = WorkingDays(holidays=every_day)
    with pytest.raises(ValueError):
        cal.add_working_seconds(at(2025, 1, 1, 0), 1.0)


def test_naive_datetimes_are_refused(cal: WorkingDays) -> None:
    with pytest.raises(ValueError):
        cal.working_seconds(datetime(2025, 9, 30, 10), datetime(2025, 10, 9, 10))
    with pytest.raises(ValueError):
        cal.add_working_seconds(datetime(2025, 9, 30, 10), 1.0)


# -- natural limits ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("limit", "delta"),
    [
        (Limit(24, TimeUnit.HOURS), timedelta(hours=24)),
        (Limit(72, TimeUnit.HOURS), timedelta(hours=72)),
        (Limit(30, TimeUnit.MINUTES), timedelta(minutes=30)),
        (Limit(90, TimeUnit.MINUTES), timedelta(minutes=90)),
    ],
)
def test_natural_limits_ignore_the_holiday_calendar(cal: WorkingDays, limit: Limit, delta: timedelta) -> None:
    start = at(2025, 9, 30, 22)  # the night before the holiday
    assert cal.deadline(start, limit) == start + delta


def test_natural_measure_and_advance_use_wall_clock_time(cal: WorkingDays) -> None:
    a, b = at(2025, 10, 1, 0), at(2025, 10, 3, 0)
    assert cal.measure(a, b, TimeUnit.HOURS) == 48 * HOUR
    assert cal.measure(a, b, TimeUnit.MINUTES) == 48 * HOUR
    assert cal.measure(a, b, TimeUnit.WORKING_DAYS) == 0.0
    assert cal.advance(a, 48 * HOUR, TimeUnit.HOURS) == b
    assert cal.advance(a, HOUR, TimeUnit.WORKING_DAYS) == at(2025, 10, 9, 1)


@pytest.mark.parametrize("amount", [0, -1])
def test_limit_must_be_positive(amount: int) -> None:
    with pytest.raises(ValueError):
        Limit(amount, TimeUnit.HOURS)


def test_limit_labels_are_chinese() -> None:
    assert Limit(7, TimeUnit.WORKING_DAYS).label() == "7个工作日"
    assert Limit(2, TimeUnit.HOURS).label() == "2小时"
    assert Limit(30, TimeUnit.MINUTES).label() == "30分钟"


def test_only_working_days_limits_are_not_natural() -> None:
    assert Limit(3, TimeUnit.WORKING_DAYS).natural() is None
    assert TimeUnit.WORKING_DAYS.is_working
    assert not TimeUnit.HOURS.is_working
    assert not TimeUnit.MINUTES.is_working


# -- clocks ---------------------------------------------------------------------------------------------
def test_fixed_clock_returns_its_time_and_advances_explicitly() -> None:
    clock = FixedClock(at(2025, 9, 30, 10))
    assert clock.now() == at(2025, 9, 30, 10)
    assert clock.advance(timedelta(hours=2)) == at(2025, 9, 30, 12)
    assert clock.now() == at(2025, 9, 30, 12)
    clock.set(at(2025, 10, 9, 0))
    assert clock.now() == at(2025, 10, 9, 0)


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        FixedClock(datetime(2025, 9, 30, 10))
