"""Gap-tolerant counters for human-readable references (``WJ2026-000123``)."""

from __future__ import annotations

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.application import Counter


async def next_number(session: AsyncSession, sequence: str, count: int = 1) -> int:
    """The first of ``count`` new values of ``sequence``: a PostgreSQL sequence of that name
    (created by a migration; no lock held until commit), a counter row elsewhere (SQLite
    serialises writers)."""
    count = max(count, 1)
    if session.get_bind().dialect.name == "postgresql":
        if count == 1:
            return int(await session.scalar(text("SELECT nextval(:s)"), {"s": sequence}) or 0)
        last = await session.scalar(
            text("SELECT setval(:s, nextval(:s) + :n - 1)"), {"s": sequence, "n": count}
        )
        return int(last or 0) - count + 1
    updated = await session.execute(
        update(Counter)
        .where(Counter.name == sequence)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    last = updated.scalar()
    if last is None:
        session.add(Counter(name=sequence, value=count))
        await session.flush()
        return 1
    return int(last) - count + 1


def nextval_sql(sequence: str) -> str:
    """PostgreSQL's SQL for a new value of ``sequence``, for a statement that draws it along
    with other work (the same sequence :func:`next_number` draws from)."""
    if not sequence.replace("_", "").isalnum():
        raise ValueError(f"not a sequence name: {sequence!r}")
    return f"nextval('{sequence}')"
