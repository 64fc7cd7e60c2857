"""Local time (Asia/Shanghai) for display and deadlines (counted by app.calendar); UTC in
storage."""

from __future__ import annotations

from datetime import UTC, date, datetime
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
