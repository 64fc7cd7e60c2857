"""Effective-dated standards: the one in force for a region on a date is the latest one
effective by then, set for the region itself or the nearest region above it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.household import Standard
from app.regions.jurisdiction import ancestors


async def standard_in_force(
    session: AsyncSession, region_code: str, kind: str, on: date
) -> Standard | None:
    """The standard of ``kind`` (dibao | tekun | edge_multiplier) in force for a region."""
    # An ancestor's code is the region's significant prefix padded with zeros, so the nearest
    # region sorts highest.
    stmt = (
        select(Standard)
        .where(
            Standard.region_code.in_(ancestors(region_code)),
            Standard.kind == kind,
            Standard.effective_from <= on,
        )
        .order_by(Standard.region_code.desc(), Standard.effective_from.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


async def value_in_force(
    session: AsyncSession, region_code: str, kind: str, on: date
) -> Decimal | None:
    standard = await standard_in_force(session, region_code, kind, on)
    return standard.value if standard else None
