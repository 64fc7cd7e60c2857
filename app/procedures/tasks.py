"""The statutory procedures' jobs (mapped to their kinds in ``app/tasks.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actor import Actor
from app.procedures import advance


async def settle_arrivals(session: AsyncSession, payload: dict[str, Any]) -> None:
    """People arrived in a household (``households:members-arrived``): write the advances that
    waited for them, as the staff member whose change it was. Safe to run twice: a written
    advance is no longer pending."""
    actor = Actor(
        kind="staff",
        id=int(payload["actor_id"]),
        role=str(payload["role"]),
        region_code=payload.get("region_code"),
        client="job",
    )
    await advance.settle_for_household(session, actor, int(payload["household_id"]))
