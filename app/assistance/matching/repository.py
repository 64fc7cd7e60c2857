"""Matching in one statement for any set of households: every open need against every live
project (running on the day, a place left), scored in SQL exactly as
:mod:`app.assistance.matching.scoring` scores in Python, the best ``per_need`` of each need.

Live projects are a few hundred rows, selected first; needs join them on the service bit and
region containment (``region_low <= household region <= region_high``); the score is integer
arithmetic over the parts, so SQLite and PostgreSQL agree with the Python twin to the point.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.matching.scoring import (
    ANY_CATEGORY_POINTS,
    AREA_POINTS,
    AREA_STEP,
    CAPACITY_POINTS,
    CATEGORY_POINTS,
    GROUP_POINTS,
    KEY_POINTS,
    SERVICE_POINTS,
)
from app.assistance.vocabulary import CATEGORIES, URGENCY_RANK
from app.households.repository import readable_statement
from app.kit.actor import Actor
from app.models.assistance import HouseholdProfile, Need, Project
from app.models.household import Household


def _household_depth(code: Any) -> Any:
    return case(
        (func.substr(code, 10, 3) != "000", 2),
        (func.substr(code, 7, 3) != "000", 1),
        else_=0,
    )


def _category_bit(category: Any) -> Any:
    return case(*((category == c, 1 << i) for i, c in enumerate(CATEGORIES)), else_=0)


def match_statement(
    actor: Actor, household_ids: Collection[int], *, on: date, per_need: int
) -> Select[Any]:
    """Rows ``need_id, household_id, project_id, score`` and the parts of the score, best
    ``per_need`` projects per open need of the households the actor may read."""
    live = (
        select(
            Project.id,
            Project.name,
            Project.service_mask,
            Project.category_mask,
            Project.group_mask,
            Project.region_low,
            Project.region_high,
            Project.region_depth,
            Project.capacity,
            (Project.capacity - Project.in_use).label("remaining"),
        )
        .where(
            Project.in_use < Project.capacity,
            Project.starts_on <= on,
            or_(Project.ends_on.is_(None), Project.ends_on >= on),
        )
        .cte("live_projects")
    )
    households = (
        readable_statement(actor)
        .with_only_columns(Household.id, Household.region_code, Household.category)
        .where(Household.id.in_(household_ids), Household.status == "active")
        .subquery("h")
    )
    group_mask = func.coalesce(HouseholdProfile.group_mask, 0)
    key = func.coalesce(HouseholdProfile.key_target, False)
    distance = _household_depth(households.c.region_code) - live.c.region_depth
    area = case((distance >= AREA_POINTS // AREA_STEP, 0), else_=AREA_POINTS - AREA_STEP * distance)
    category = case(
        (live.c.category_mask == 0, ANY_CATEGORY_POINTS),
        (
            live.c.category_mask.op("&")(_category_bit(households.c.category)) != 0,
            CATEGORY_POINTS,
        ),
        else_=0,
    )
    group_hit = live.c.group_mask.op("&")(group_mask)
    score = (
        literal(SERVICE_POINTS)
        + area
        + category
        + case((group_hit != 0, GROUP_POINTS), else_=0)
        + case((key.is_(True), KEY_POINTS), else_=0)
        + (live.c.remaining * CAPACITY_POINTS) // live.c.capacity
    )
    urgency = case(*((Need.urgency == word, rank) for word, rank in URGENCY_RANK.items()), else_=3)
    scored = (
        select(
            Need.id.label("need_id"),
            Need.household_id,
            Need.service_type,
            urgency.label("urgency_rank"),
            live.c.id.label("project_id"),
            live.c.name.label("project_name"),
            score.label("score"),
            distance.label("distance"),
            households.c.category,
            live.c.category_mask,
            group_hit.label("group_hit"),
            key.label("key_target"),
            live.c.remaining,
            live.c.capacity,
        )
        .select_from(Need)
        .join(households, households.c.id == Need.household_id)
        .outerjoin(HouseholdProfile, HouseholdProfile.household_id == Need.household_id)
        .join(
            live,
            and_(
                live.c.service_mask.op("&")(Need.service_bit) != 0,
                live.c.region_low <= households.c.region_code,
                live.c.region_high >= households.c.region_code,
            ),
        )
        .where(Need.status == "open")
    ).subquery("scored")
    rank = (
        func.row_number()
        .over(
            partition_by=scored.c.need_id,
            order_by=(scored.c.score.desc(), scored.c.project_id),
        )
        .label("rank")
    )
    ranked = select(scored, rank).subquery("ranked")
    return (
        select(*(c for c in ranked.c if c.name != "rank"))
        .where(ranked.c.rank <= per_need)
        .order_by(
            ranked.c.household_id,
            ranked.c.score.desc(),
            ranked.c.urgency_rank,
            ranked.c.need_id,
            ranked.c.project_id,
        )
    )


async def matches(
    session: AsyncSession,
    actor: Actor,
    household_ids: Collection[int],
    *,
    on: date,
    per_need: int,
) -> list[Any]:
    if not household_ids:
        return []
    stmt = match_statement(actor, list(household_ids), on=on, per_need=per_need)
    return list((await session.execute(stmt)).all())
