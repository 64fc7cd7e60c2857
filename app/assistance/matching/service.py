"""Supply-demand matching (供需匹配): projects ranked for each open need, explained in words."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.matching import repository
from app.assistance.matching.scoring import Fit, reasons
from app.households.service import readable
from app.kit.actor import Actor

DEFAULT_PER_NEED = 5


FIT_COLUMNS = slice(6, 14)  # the columns of the statement that make a ``Fit``


@dataclass(frozen=True, slots=True)
class Match:
    household_id: int
    need_id: int
    project_id: int
    project_name: str
    score: int
    remaining: int
    reasons: tuple[str, ...]


@lru_cache(maxsize=65536)
def _words(*parts: Any) -> tuple[str, ...]:
    """The reasons of one kind of fit (service type, distance, category, category mask,
    groups hit, key target, remaining, capacity): many rows share one, so thousands of
    matches are put in words a few hundred times."""
    return tuple(reasons(Fit(*parts)))


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
    rows = await repository.matches(session, actor, household_ids, on=on, per_need=per_need)
    for row in rows:
        need_id, household_id, _urgency, project_id, name, score = row[:6]
        match = Match(
            household_id, need_id, project_id, name, int(score), int(row[12]),
            _words(*row[FIT_COLUMNS]),
        )  # fmt: skip
        bucket = found.get(household_id)
        if bucket is None:
            found[household_id] = [match]
        else:
            bucket.append(match)
    return found


async def household_matches(
    session: AsyncSession, actor: Actor, household_id: int, *, on: date, per_need: int
) -> list[Match]:
    """One household's matches; 404 outside the actor's jurisdiction."""
    household = await readable(session, actor, household_id)
    found = await matches_for(session, actor, [household.id], on=on, per_need=per_need)
    return found.get(household.id, [])
