"""Tekun people by care arrangement (特困人员供养方式统计: 分散供养, 集中供养, 未登记) on a day,
per street (or per community below a street): the registry's grouped statements with the
household's ``care_arrangement`` as one more group, so the day's tekun households come from
the decisions' history exactly as in the other figures. The arrangement itself is today's (the
registry keeps no history of it but the household's versions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal
from sqlalchemy.ext.asyncio import AsyncSession

from app.households.categories.vocabulary import CareArrangement, Category
from app.kit.actor import Actor
from app.kit.timeutil import local_today
from app.models.household import Household
from app.stats import repository
from app.stats.repository import Scope
from app.stats.service import area_of, check_day, child_digits, day_start

UNKNOWN = "unknown"  # a tekun household whose arrangement is not recorded (未登记)
ARRANGEMENTS = (*(a.value for a in CareArrangement), UNKNOWN)


async def _counts(
    session: AsyncSession, scope: Scope, on: date, day_end: datetime, digits: int
) -> dict[str, dict[str, tuple[int, int]]]:
    """``{area code: {arrangement: (households, people)}}`` of the households in tekun on
    ``on``, areas cut at ``digits`` of the code."""
    pad = "0" * (12 - digits)

    def area(column: Any) -> Any:
        return func.substr(column, 1, digits) + literal(pad)

    care = func.coalesce(Household.care_arrangement, literal(UNKNOWN)).label("care")
    statements = repository.registry_statements(
        scope, on, day_end, local_today(), group=area, also=(care,)
    )
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for stmt in statements:
        for code, arrangement, category, n, people in await session.execute(stmt):
            if category != Category.tekun:
                continue
            before = found.setdefault(str(code), {}).get(str(arrangement), (0, 0))
            found[str(code)][str(arrangement)] = (before[0] + n, before[1] + int(people or 0))
    return found


def _split(found: dict[str, tuple[int, int]]) -> tuple[dict[str, int], dict[str, int]]:
    households = {a: found.get(a, (0, 0))[0] for a in ARRANGEMENTS}
    people = {a: found.get(a, (0, 0))[1] for a in ARRANGEMENTS}
    return households, people


async def tekun(
    session: AsyncSession, actor: Actor, on: date | None, region_code: str | None
) -> dict[str, Any]:
    """Tekun households and people by care arrangement on a day, per street or community."""
    area = await area_of(session, actor, region_code)
    on = check_day(on)
    digits = child_digits(area.level)
    found = await _counts(session, area.scope, on, day_start(on + timedelta(days=1)), digits)
    levels = ("community", "village") if digits == 12 else ("street", "town", "township")
    rows = []
    for region in await repository.areas(session, area.scope, levels):
        households, people_by = _split(found.get(region.code, {}))
        rows.append(
            {
                "region_code": region.code,
                "name": region.name,
                "households": households,
                "people": people_by,
            }
        )
    totals: dict[str, tuple[int, int]] = {}
    for by_arrangement in found.values():
        for arrangement, (n, people) in by_arrangement.items():
            before = totals.get(arrangement, (0, 0))
            totals[arrangement] = (before[0] + n, before[1] + people)
    households, people_by = _split(totals)
    return {
        "on": on,
        "region_code": area.code,
        "region_name": area.name,
        "households": households,
        "people": people_by,
        "areas": rows,
    }
