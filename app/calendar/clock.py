"""The statutory clock: due dates in working days or calendar days over the working-day
calendar, with pauses. Pure: no database, no "today"; the calendar is handed in.

As the Civil Code counts periods (民法典 arts. 201 and 203):

- the start day is not counted: the period begins the next day;
- a period in working days counts the days that are working days: Monday to Friday unless a
  public holiday, and a weekend day that is a make-up working day (调休上班);
- a period in calendar days counts every day, and when its last day is not a working day (a
  public holiday or a weekend) it ends on the next working day;
- a paused day (waiting on the applicant: 补正材料 and the like) is not counted either way.

It never guesses: a day in a year the calendar has no schedule for raises
:class:`CalendarOutOfRange` naming that year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

# A period longer than this is no statutory time limit but a typing error.
MAX_DAYS = 366


class Basis(StrEnum):
    working_days = "working_days"
    calendar_days = "calendar_days"


class CalendarOutOfRange(Exception):
    """The clock needed a day of a year whose holiday schedule is not recorded."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no holiday schedule for {year}")


@dataclass(frozen=True)
class Pause:
    """Days the clock stands still, both ends included (``until`` None: still paused)."""

    since: date
    until: date | None = None

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class WorkingCalendar:
    """The years known and their exceptions to Monday to Friday, as loaded at ``revision``."""

    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # make-up working days
    revision: int = 0

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises for a year with no schedule."""
        if day.year not in self.years:
            raise CalendarOutOfRange(day.year)
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.workdays

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day = _after(day)
        return day

    def add_working_days(self, start: date, days: int, pauses: Iterable[Pause] = ()) -> date:
        """The day on which ``days`` working days counted after ``start`` are complete."""
        _check(days)
        stops = tuple(pauses)
        day, counted = start, 0
        while counted < days:
            day = _after(day)
            if self.is_working_day(day) and not _paused(day, stops):
                counted += 1
        return day

    def add_calendar_days(self, start: date, days: int, pauses: Iterable[Pause] = ()) -> date:
        """The last day of a period of ``days`` calendar days after ``start``, moved on to
        the next working day when it falls on a holiday or a weekend."""
        _check(days)
        stops = tuple(pauses)
        day, counted = start, 0
        while counted < days:
            day = _after(day)
            if day.year not in self.years:
                raise CalendarOutOfRange(day.year)
            if not _paused(day, stops):
                counted += 1
        return self.next_working_day(day)

    def due(self, start: date, days: int, basis: Basis, pauses: Iterable[Pause] = ()) -> date:
        """The due date of a period of ``days`` on ``basis`` from ``start``."""
        if basis == Basis.working_days:
            return self.add_working_days(start, days, pauses)
        return self.add_calendar_days(start, days, pauses)


def _check(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a period is 1 to {MAX_DAYS} days")


def _after(day: date) -> date:
    if day == date.max:
        raise CalendarOutOfRange(day.year + 1)
    return day + timedelta(days=1)


def _paused(day: date, pauses: tuple[Pause, ...]) -> bool:
    return any(p.covers(day) for p in pauses)
