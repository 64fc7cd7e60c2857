"""The statutory clock by itself: working days, calendar days, pauses, the end of the data."""

from __future__ import annotations

from datetime import date

import pytest

from app.calendar.clock import Basis, CalendarOutOfRange, Pause
from tests.calendar.support import package_calendar

CALENDAR = package_calendar(2024, 2025, 2026)


def test_three_working_days_from_national_day_eve_end_on_the_make_up_saturday() -> None:
    assert CALENDAR.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CALENDAR.is_working_day(date(2026, 10, 10))  # 调休上班
    assert not CALENDAR.is_working_day(date(2026, 10, 5))  # a Monday inside the holiday


def test_a_calendar_day_period_ending_in_the_holiday_moves_to_the_next_working_day() -> None:
    assert CALENDAR.add_calendar_days(date(2026, 9, 30), 7) == date(2026, 10, 8)
    assert CALENDAR.add_calendar_days(date(2026, 9, 30), 2) == date(2026, 10, 8)
    # Ending on an ordinary Saturday: on to Monday.
    assert CALENDAR.add_calendar_days(date(2026, 11, 2), 5) == date(2026, 11, 9)


def test_earlier_years_follow_their_own_schedules() -> None:
    assert CALENDAR.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Sunday 调休
    assert CALENDAR.add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)


def test_paused_days_do_not_count() -> None:
    waiting = [Pause(date(2026, 11, 3), date(2026, 11, 5))]  # Tuesday to Thursday
    assert CALENDAR.add_working_days(date(2026, 11, 2), 3, waiting) == date(2026, 11, 10)
    assert CALENDAR.add_calendar_days(date(2026, 11, 2), 3, waiting) == date(2026, 11, 9)
    assert CALENDAR.due(date(2026, 11, 2), 3, Basis.working_days) == date(2026, 11, 5)


def test_the_clock_never_guesses_past_its_data() -> None:
    with pytest.raises(CalendarOutOfRange) as raised:
        CALENDAR.add_working_days(date(2026, 12, 28), 4)
    assert raised.value.year == 2027
    assert CALENDAR.add_working_days(date(2026, 12, 28), 3) == date(2026, 12, 31)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(date(2026, 12, 28), 0)
