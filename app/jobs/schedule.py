"""Periodic jobs: each period's run is one job row whose key names the period, so however
many runners schedule it, it runs once per period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Done jobs are kept this long (their keys still deduplicate), then purged; no period may
# be longer, or a period's row could be purged while the period lasts and run again.
DONE_RETENTION = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Periodic:
    """Run ``kind`` once every ``every``, periods starting ``offset`` after midnight UTC
    (``offset=timedelta(hours=19)`` with a daily period: 03:00 in Beijing)."""

    kind: str
    every: timedelta
    offset: timedelta = timedelta(0)
    payload: Mapping[str, Any] = field(default_factory=dict)

    def period_start(self, at: datetime) -> datetime:
        """The start of the period ``at`` falls in."""
        origin = EPOCH + self.offset
        return origin + ((at - origin) // self.every) * self.every

    def key(self, period_start: datetime) -> str:
        return f"periodic:{self.kind}:{period_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
