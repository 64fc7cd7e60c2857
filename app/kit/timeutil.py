"""Local time (Asia/Shanghai) for display and working-day deadlines; UTC in storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.config import get_settings


@lru_cache
def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def now() -> datetime:
    return datetime.now(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_zone())


def local_today() -> date:
    return now().astimezone(local_zone()).date()


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time ``days`` working days (Monday to Friday) later."""
    local = to_local(start)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local.astimezone(UTC)
