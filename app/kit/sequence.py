"""Gap-tolerant counters for human-readable references (``WJ2026-000123``)."""

from __future__ import annotations

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.application import Counter


async def next_number(session: AsyncSession, sequence: str) -> int:
    """The next value of ``sequence``: a PostgreSQL sequence of that name (created by a
    migration; no lock held until commit), a counter row elsewhere (SQLite serialises writers)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(await session.scalar(text("SELECT nextval(:name)"), {"name": sequence}) or 0)
    updated = await session.execute(
        update(Counter)
        .where(Counter.name == sequence)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = updated.scalar()
    if value is None:
        session.add(Counter(name=sequence, value=1))
        await session.flush()
        return 1
    return int(value)
