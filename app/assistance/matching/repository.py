"""Matching in one statement for any set of households: every open need against every live
project (running on the day, a place left), scored in SQL exactly as
:mod:`app.assistance.matching.scoring` scores in Python, the best ``per_need`` of each need.

Live projects are a few hundred rows, selected first; needs meet them through equalities only
(see :func:`match_statement`); the score is integer arithmetic over the parts, so SQLite and
PostgreSQL agree with the Python twin to the point.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
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
from app.assistance.vocabulary import CATEGORIES, SERVICE_ORDER, URGENCY_RANK
from app.households.repository import readable_statement
from app.kit.actor import Actor
from app.models.assistance import HouseholdProfile, Need, Project
from app.models.household import Household

LEVELS = (-2, -1, 0, 1, 2)  # province, city, district, street, community (depths)
PREFIX = {-2: 2, -1: 4, 0: 6, 1: 9, 2: 12}  # significant digits of each depth


def _depth(code: Any) -> Any:
    """The depth of a 12-digit code (2 community ... -2 province), from its trailing zeros."""
    return case(
        (func.substr(code, 10, 3) != "000", 2),
        (func.substr(code, 7, 3) != "000", 1),
        (func.substr(code, 5, 2) != "00", 0),
        (func.substr(code, 3, 2) != "00", -1),
        else_=-2,
    )


def _ancestor(code: Any, level: Any) -> Any:
    """The code's ancestor at a depth (the code itself at its own depth)."""
    return case(
        *(
            (level == depth, func.substr(code, 1, digits) + "0" * (12 - digits))
            for depth, digits in PREFIX.items()
            if digits < 12
        ),
        else_=code,
    )


def _small_table(name: str, column: str, values: Collection[int]) -> Any:
    """A few integer rows as a subquery, portable (SQLite has no ``VALUES ... AS t (c)``)."""
    selects = [select(literal(v).label(column)) for v in values]
    return union_all(*selects).subquery(name)


def _category_bit(category: Any) -> Any:
    return case(*((category == c, 1 << i) for i, c in enumerate(CATEGORIES)), else_=0)


def match_statement(actor: Actor, household_ids: Any, *, on: date, per_need: int) -> Select[Any]:
    """Rows ``need_id, household_id, project_id, score`` and the parts of the score, best
    ``per_need`` projects per open need of the households the actor may read.

    Every join is an equality, so the database hashes instead of testing each need against
    each project: live projects are spread over their service bits (one row per type
    offered), a need's household over the ancestors of its region (one row per level, with the
    distance), and the two meet on ``(ancestor, bit) = (project region, project bit)``, which is
    exactly "offers the service and its subtree contains the household"."""
    bits = _small_table("service_bits", "bit", [1 << i for i in range(len(SERVICE_ORDER))])
    levels = _small_table("levels", "level", LEVELS)
    live = (
        select(
            Project.id,
            Project.name,
            Project.region_code,
            Project.category_mask,
            Project.group_mask,
            Project.capacity,
            (Project.capacity - Project.in_use).label("remaining"),
            bits.c.bit,
        )
        .join(bits, Project.service_mask.op("&")(bits.c.bit) != 0)
        .where(
            Project.in_use < Project.capacity,
            Project.starts_on <= on,
            or_(Project.ends_on.is_(None), Project.ends_on >= on),
        )
        .cte("live_projects")
    )
    households = (
        readable_statement(actor)
        .with_only_columns(
            Household.id,
            Household.region_code,
            Household.category,
            _depth(Household.region_code).label("depth"),
        )
        .where(household_ids, Household.status == "active")
        .subquery("h")
    )
    areas = (
        select(
            households.c.id,
            households.c.category,
            _ancestor(households.c.region_code, levels.c.level).label("ancestor"),
            (households.c.depth - levels.c.level).label("distance"),
        )
        .join(levels, levels.c.level <= households.c.depth)
        .subquery("areas")
    )
    group_mask = func.coalesce(HouseholdProfile.group_mask, 0)
    key = func.coalesce(HouseholdProfile.key_target, False)
    distance = areas.c.distance
    area = case((distance >= AREA_POINTS // AREA_STEP, 0), else_=AREA_POINTS - AREA_STEP * distance)
    category = case(
        (live.c.category_mask == 0, ANY_CATEGORY_POINTS),
        (live.c.category_mask.op("&")(_category_bit(areas.c.category)) != 0, CATEGORY_POINTS),
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
            urgency.label("urgency_rank"),
            live.c.id.label("project_id"),
            live.c.name.label("project_name"),
            score.label("score"),
            # The parts of the score, in the order of ``scoring.Fit`` (columns 6 to 13).
            Need.service_type,
            distance.label("distance"),
            areas.c.category,
            live.c.category_mask,
            group_hit.label("group_hit"),
            key.label("key_target"),
            live.c.remaining,
            live.c.capacity,
        )
        .select_from(Need)
        .join(areas, areas.c.id == Need.household_id)
        .join(live, and_(live.c.region_code == areas.c.ancestor, live.c.bit == Need.service_bit))
        .outerjoin(HouseholdProfile, HouseholdProfile.household_id == Need.household_id)
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


def _ids_clause(dialect: str, household_ids: Collection[int]) -> Any:
    """``households.id`` among the ids: one array parameter on PostgreSQL, a list elsewhere."""
    if dialect == "postgresql":
        param = bindparam("household_ids", list(household_ids), type_=ARRAY(BigInteger))
        return Household.id == any_(param)
    return Household.id.in_(list(household_ids))


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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The statement's constants (points, bits, levels) are parameters: a generic plan
        # cached after a few runs would not see them. Plan each run with its values.
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    where = _ids_clause(dialect, household_ids)
    stmt = match_statement(actor, where, on=on, per_need=per_need)
    # Core execution: plain rows, none of the ORM's per-row work.
    connection = await session.connection()
    return list((await connection.execute(stmt)).all())
