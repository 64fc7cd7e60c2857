"""SQL for the region tree."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.region import Region

_LEVEL_BY_CODE = select(Region.level).where(Region.code == bindparam("code"))


async def by_codes(session: AsyncSession, codes: list[str]) -> dict[str, Region]:
    return {r.code: r for r in await session.scalars(select(Region).where(Region.code.in_(codes)))}


async def children(session: AsyncSession, parent_code: str | None) -> list[Region]:
    stmt = select(Region).order_by(Region.code)
    if parent_code is None:
        stmt = stmt.where(Region.parent_code.is_(None))
    else:
        stmt = stmt.where(Region.parent_code == parent_code)
    return list(await session.scalars(stmt))


async def level_of(session: AsyncSession, code: str) -> str | None:
    return await session.scalar(_LEVEL_BY_CODE, {"code": code})


async def names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    rows = await session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    return {code: name for code, name in rows.all()}
