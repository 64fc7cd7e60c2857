"""Today, for every procedure clock: one place (tests freeze it here)."""

from __future__ import annotations

import calendar
from datetime import date

from app.kit.timeutil import local_today


def today() -> date:
    """The local date now (Beijing time by default)."""
    return local_today()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
