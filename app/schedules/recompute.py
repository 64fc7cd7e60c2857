"""Materialised due dates: one set-based statement pair recomputes ``next_due_on`` for every
household, for a list, or for one (the rule is :mod:`app.schedules.policy`).

1. Households without a schedule row get one (an anti-join insert; usually no rows).
2. One ``UPDATE visit_schedules ... FROM households JOIN cycles`` where ``cycles`` resolves the
   policy once per distinct (category, risk level, community) of the selection, a few thousand
   lookups in the small policy table whatever the number of households, and only rows whose
   date changes are written.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.sqldates import add_days, earlier_of, local_date
from app.kit.timeutil import local_today
from app.models.household import Household
from app.models.visit import VisitSchedule
from app.schedules.policy import cycle_sql, visit_risk_sql

CATEGORY_KEY = func.coalesce(Household.category, "none")
# The risk level visits follow: high for key targets and close-watch groups (policy.visit_risk).
RISK_KEY = visit_risk_sql()


def _scope(household_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Household.status == "active"]
    if household_ids is not None:
        where.append(Household.id.in_(sorted(set(household_ids))))
    return where


def cycles(household_ids: Collection[int] | None, today: date) -> Any:
    """The cycle in force for each distinct (category, visit risk level, region) selected."""
    keys = (
        select(
            CATEGORY_KEY.label("category"),
            RISK_KEY.label("risk_level"),
            Household.region_code.label("region_code"),
        )
        .where(*_scope(household_ids))
        .distinct()
        .subquery("keys")
    )
    return select(
        keys.c.category,
        keys.c.risk_level,
        keys.c.region_code,
        cycle_sql(keys.c.category, keys.c.risk_level, keys.c.region_code, today).label(
            "cycle_days"
        ),
    ).subquery("cycles")


def recompute_statement(household_ids: Collection[int] | None, today: date) -> Any:
    """The UPDATE ... FROM that brings ``next_due_on`` in line with the rule."""
    c = cycles(household_ids, today)
    start = func.coalesce(VisitSchedule.last_visit_on, local_date(Household.created_at))
    due = earlier_of(
        earlier_of(add_days(start, c.c.cycle_days), VisitSchedule.pulled_forward_on),
        VisitSchedule.recheck_on,
    )
    return (
        update(VisitSchedule)
        .where(
            VisitSchedule.household_id == Household.id,
            *_scope(household_ids),
            c.c.category == CATEGORY_KEY,
            c.c.risk_level == RISK_KEY,
            c.c.region_code == Household.region_code,
            VisitSchedule.next_due_on.is_distinct_from(due),
        )
        .values(next_due_on=due)
        .execution_options(synchronize_session=False)
    )


async def recompute(
    session: AsyncSession,
    household_ids: Collection[int] | None = None,
    *,
    today: date | None = None,
) -> int:
    """Recompute the due dates of these households (``None``: every active household), in the
    caller's transaction; returns how many changed."""
    if household_ids is not None and not household_ids:
        return 0
    today = today or local_today()
    await session.flush()  # the statements read what the session changed
    missing = select(Household.id).where(
        *_scope(household_ids),
        ~exists().where(VisitSchedule.household_id == Household.id),
    )
    await session.execute(insert(VisitSchedule).from_select([VisitSchedule.household_id], missing))
    result = await session.execute(recompute_statement(household_ids, today))
    return int(getattr(result, "rowcount", 0) or 0)


async def recompute_household(session: AsyncSession, household_id: int) -> None:
    """One household's due date, after its category, risk level or region changed."""
    await recompute(session, [household_id])
