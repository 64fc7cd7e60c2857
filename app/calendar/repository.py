"""SQL of the working-day calendar: its revision, the whole table, one year, an edit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar.seed import SeedDay
from app.models.calendar import CalendarDay, CalendarYear

# The calendar's revision (the greatest of its years'), 0 when empty. The submit hot path
# asks the same in SQL text, inside a statement it sends anyway
# (app/intake/submission_repository.py).
REVISION_SQL = "(SELECT coalesce(max(revision), 0) FROM calendar_years)"


async def revision(session: AsyncSession) -> int:
    stmt = select(func.coalesce(func.max(CalendarYear.revision), 0))
    return int((await session.execute(stmt)).scalar_one())


async def all_years(session: AsyncSession) -> Sequence[int]:
    return (await session.scalars(select(CalendarYear.year).order_by(CalendarYear.year))).all()


async def all_days(session: AsyncSession) -> Sequence[tuple[object, str]]:
    rows = await session.execute(select(CalendarDay.day, CalendarDay.kind))
    return [(row.day, row.kind) for row in rows]


async def get_year(session: AsyncSession, year: int) -> CalendarYear | None:
    return await session.get(CalendarYear, year)


async def year_days(session: AsyncSession, year: int) -> Sequence[CalendarDay]:
    stmt = select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
    return (await session.scalars(stmt)).all()


async def replace_year(
    session: AsyncSession,
    year: int,
    days: Iterable[SeedDay],
    *,
    source: str,
    at: datetime,
    staff_id: int | None,
) -> CalendarYear:
    """Write ``year``'s schedule in place of what it had, under a new revision."""
    next_revision = await revision(session) + 1
    row = await session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.source = source
    row.revision = next_revision
    row.updated_at = at
    row.updated_by_id = staff_id
    await session.flush()
    await session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    values = [{"day": d.day, "year": year, "kind": d.kind, "name": d.name} for d in days]
    if values:
        await session.execute(insert(CalendarDay), values)
    return row
