"""Jobs of the visits domain (mapped to their kinds in ``app/tasks.py``)."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.schedules.recompute import recompute

log = structlog.get_logger()

RECOMPUTE_JOB = "visits:recompute"


async def recompute_due_dates(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Every active household's due date as of today: after midnight, policy entries dated
    today take effect (a PUT applies the ones in force at once). Safe to run twice."""
    log.info("visits_recomputed", changed=await recompute(session))
