"""Supply-demand matching (供需匹配): projects ranked for each open need, explained in words."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.matching import repository
from app.assistance.matching.scoring import Fit, reasons
from app.households.service import readable
from app.kit.actor import Actor

DEFAULT_PER_NEED = 5


@dataclass(frozen=True)
class Match:
    household_id: int
    need_id: int
    project_id: int
    project_name: str
    score: int
    remaining: int
    reasons: list[str]


def _fit(row: Any) -> Fit:
    return Fit(
        service_type=row.service_type,
        distance=int(row.distance),
        category=row.category,
        category_mask=int(row.category_mask),
        group_hit=int(row.group_hit),
        key_target=bool(row.key_target),
        remaining=int(row.remaining),
        capacity=int(row.capacity),
    )


async def matches_for(
    session: AsyncSession,
    actor: Actor,
    household_ids: Collection[int],
    *,
    on: date,
    per_need: int = DEFAULT_PER_NEED,
) -> dict[int, list[Match]]:
    """Matches for many households in one statement, per household, best first. Households
    the actor may not read are left out (as if they had no needs)."""
    found: dict[int, list[Match]] = {}
    for row in await repository.matches(session, actor, household_ids, on=on, per_need=per_need):
        found.setdefault(row.household_id, []).append(
            Match(
                household_id=row.household_id,
                need_id=row.need_id,
                project_id=row.project_id,
                project_name=row.project_name,
                score=int(row.score),
                remaining=int(row.remaining),
                reasons=reasons(_fit(row)),
            )
        )
    return found


async def household_matches(
    session: AsyncSession, actor: Actor, household_id: int, *, on: date, per_need: int
) -> list[Match]:
    """One household's matches; 404 outside the actor's jurisdiction."""
    household = await readable(session, actor, household_id)
    found = await matches_for(session, actor, [household.id], on=on, per_need=per_need)
    return found.get(household.id, [])
