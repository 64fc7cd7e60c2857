"""Demo registry for ``seed-demo``: Chengdu and Dayi county beside Wenjiang, the standards of
2021 and 2022, and about 24,000 monitored people in Wenjiang (its 2022 figure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.devtools.generate import generate
from app.models.household import Household, Standard
from app.models.region import Region

WENJIANG = "510115000000"
DEMO_PEOPLE = 24_000

# Not in the shipped Wenjiang tree: the city above it, and a county whose standard differs.
DEMO_REGIONS = (
    ("510100000000", "成都市", "city", None),
    ("510129000000", "大邑县", "district", "510100000000"),
)
# Chengdu 2022: 870 yuan in the central districts, 820 in the counties; the tekun standard
# is 1.3 times the dibao standard; the edge line 1.5 times.
DEMO_STANDARDS = (
    (WENJIANG, "dibao", "800.00", date(2021, 7, 1)),
    (WENJIANG, "dibao", "870.00", date(2022, 7, 1)),
    (WENJIANG, "tekun", "1040.00", date(2021, 7, 1)),
    (WENJIANG, "tekun", "1131.00", date(2022, 7, 1)),
    (WENJIANG, "edge_multiplier", "1.5", date(2021, 7, 1)),
    ("510129000000", "dibao", "820.00", date(2022, 7, 1)),
    ("510129000000", "tekun", "1066.00", date(2022, 7, 1)),
)

CENTRALIZED_EVERY = 5  # one tekun household in five lives in a care home (集中供养)


async def ensure_demo_standards(session: AsyncSession) -> int:
    """The demo regions and standards; what exists is left alone. Returns how many were added."""
    for code, name, level, parent in DEMO_REGIONS:
        if await session.get(Region, code) is None:
            session.add(Region(code=code, name=name, level=level, parent_code=parent))
            await session.flush()
    added = 0
    for region, kind, value, effective_from in DEMO_STANDARDS:
        exists = await session.scalar(
            select(Standard.id).where(
                Standard.region_code == region,
                Standard.kind == kind,
                Standard.effective_from == effective_from,
            )
        )
        if exists is None:
            session.add(
                Standard(
                    region_code=region,
                    kind=kind,
                    value=Decimal(value),
                    effective_from=effective_from,
                )
            )
            added += 1
    await session.flush()
    return added


async def seed_registry(session: AsyncSession, people: int = DEMO_PEOPLE) -> dict[str, int]:
    """Standards, then the monitored population unless the registry already has households."""
    standards = await ensure_demo_standards(session)
    if await session.scalar(select(Household.id).limit(1)) is not None:
        return {"standards": standards, "households": 0, "people": 0}
    result = await generate(session, people, root=WENJIANG)
    await _care_arrangements(session)
    return {"standards": standards, "households": result.households, "people": result.people}


async def _care_arrangements(session: AsyncSession) -> None:
    """Every tekun household's care arrangement, in two statements: at home (分散供养), then
    every fifth by id in a care home (集中供养)."""
    tekun = Household.category == "tekun"
    await session.execute(
        update(Household)
        .where(tekun)
        .values(care_arrangement="dispersed")
        .execution_options(synchronize_session=False)
    )
    ranked = (
        select(Household.id, func.row_number().over(order_by=Household.id).label("n"))
        .where(tekun)
        .subquery()
    )
    every_fifth = select(ranked.c.id).where(ranked.c.n % CENTRALIZED_EVERY == 0)
    await session.execute(
        update(Household)
        .where(Household.id.in_(every_fifth))
        .values(care_arrangement="centralized")
        .execution_options(synchronize_session=False)
    )
