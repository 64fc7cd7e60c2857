"""Schedule changes other domains ask for: a confirmed warning (预警核实属实) pulls the
household's next visit forward (monitoring's flows call this; the visits domain records the
visit that settles it)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.kit.timeutil import local_today, now
from app.models.household import Household
from app.models.visit import VisitSchedule
from app.schedules.recompute import recompute_household

MAX_PULL_DAYS = 365


def upsert(session: AsyncSession) -> Any:
    """The dialect's ``INSERT ... ON CONFLICT`` for schedule rows."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def pull_forward(
    session: AsyncSession, household_id: int, *, reason: str, within_days: int
) -> None:
    """The household's next visit falls due within ``within_days`` of today unless it already
    does (an earlier pull stands); the next visit made after the pull clears it."""
    if not 0 <= within_days <= MAX_PULL_DAYS:
        raise Invalid(f"within_days 须在 0 到 {MAX_PULL_DAYS} 之间", code="invalid_within_days")
    if await session.get(Household, household_id) is None:
        raise NotFound("家庭不存在", code="household_not_found")
    stmt = upsert(session)(VisitSchedule).values(
        household_id=household_id,
        pulled_forward_on=local_today() + timedelta(days=within_days),
        pulled_at=now(),
        pull_reason=reason[:200],
    )
    current = VisitSchedule.__table__.c
    earlier = current.pulled_forward_on.is_(None) | (
        stmt.excluded.pulled_forward_on < current.pulled_forward_on
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["household_id"],
        set_={
            "pulled_forward_on": case(
                (earlier, stmt.excluded.pulled_forward_on), else_=current.pulled_forward_on
            ),
            "pulled_at": case((earlier, stmt.excluded.pulled_at), else_=current.pulled_at),
            "pull_reason": case((earlier, stmt.excluded.pull_reason), else_=current.pull_reason),
        },
    )
    await session.execute(stmt)
    await recompute_household(session, household_id)


async def set_recheck(session: AsyncSession, household_id: int, *, on: date, reason: str) -> None:
    """The household's statutory re-check (复核) falls due on ``on``: its next visit is due then
    at the latest, until the re-check is recorded and the next one set."""
    stmt = upsert(session)(VisitSchedule).values(
        household_id=household_id, recheck_on=on, recheck_reason=reason[:200]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["household_id"],
        set_={
            "recheck_on": stmt.excluded.recheck_on,
            "recheck_reason": stmt.excluded.recheck_reason,
        },
    )
    await session.execute(stmt)
    await recompute_household(session, household_id)
