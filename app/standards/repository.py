"""Effective-dated standards (救助标准): the one in force for a region on a date is the latest one
effective by then, set for the region itself or the nearest region above it.

A change applies from its ``effective_from`` date; nothing earlier is rewritten. Decisions keep
the standard they were made under (``category_changes.standard_value``), and an eligibility check
for a past date uses the standard in force on that date.

Kinds: ``dibao`` (低保标准, yuan per person per month), ``tekun`` (特困人员基本生活标准, yuan per
month) and ``edge_multiplier`` (低保边缘 threshold as a multiple of the dibao standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.money import money
from app.models.household import Standard
from app.regions.jurisdiction import ancestors, in_subtree

DEFAULT_EDGE_MULTIPLIER = Decimal("1.5")


class StandardKind(StrEnum):
    dibao = "dibao"  # 低保标准
    tekun = "tekun"  # 特困人员基本生活标准
    edge_multiplier = "edge_multiplier"  # 低保边缘倍数


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


@dataclass(frozen=True)
class StandardsInForce:
    """The three standards that apply to one region on one date."""

    on: date
    dibao: Decimal | None
    edge_multiplier: Decimal
    tekun: Decimal | None
    # True when no edge multiplier is set anywhere above the region and the default applies.
    default_multiplier: bool = False

    @property
    def edge_threshold(self) -> Decimal | None:
        """低保边缘线 = standard × multiplier, rounded half-up to the cent."""
        return None if self.dibao is None else money(self.dibao * self.edge_multiplier)


async def standards_in_force(session: AsyncSession, region_code: str, on: date) -> StandardsInForce:
    """Every kind in force for a region on a date, in one query."""
    rows = await session.scalars(
        select(Standard)
        .where(Standard.region_code.in_(ancestors(region_code)), Standard.effective_from <= on)
        .order_by(Standard.region_code.desc(), Standard.effective_from.desc())
    )
    found: dict[str, Decimal] = {}
    for standard in rows:
        found.setdefault(standard.kind, standard.value)
    multiplier = found.get(StandardKind.edge_multiplier)
    return StandardsInForce(
        on=on,
        dibao=money(found[StandardKind.dibao]) if StandardKind.dibao in found else None,
        edge_multiplier=multiplier if multiplier is not None else DEFAULT_EDGE_MULTIPLIER,
        tekun=money(found[StandardKind.tekun]) if StandardKind.tekun in found else None,
        default_multiplier=multiplier is None,
    )


def in_force_statement(region_code: object, kind: str, on: date) -> Select[Decimal]:
    """SQL, correlated to a region code column: the value of ``kind`` in force there on ``on``.

    The region's ancestors are its code cut to each significant prefix (9, 6, 4 and 2 digits)
    and padded with zeros, so the look-up is computed in SQL for every region at once."""
    code = cast(region_code, String)
    chain = [code] + [
        func.substr(code, 1, digits, type_=String) + "0" * (12 - digits) for digits in (9, 6, 4, 2)
    ]
    return (
        select(Standard.value)
        .where(
            Standard.kind == kind, Standard.effective_from <= on, Standard.region_code.in_(chain)
        )
        .order_by(Standard.region_code.desc(), Standard.effective_from.desc())
        .limit(1)
    )


def listing_statement(region_code: str, kind: str | None) -> Select[Standard]:
    """Standards that bear on a region: set for it, for a region above it, or below it."""
    stmt = select(Standard).where(
        or_(
            Standard.region_code.in_(ancestors(region_code)),
            in_subtree(Standard.region_code, region_code),
        )
    )
    if kind is not None:
        stmt = stmt.where(Standard.kind == kind)
    return stmt


async def list_standards(
    session: AsyncSession,
    region_code: str,
    *,
    kind: str | None,
    after: tuple[date, int] | None,
    limit: int,
) -> list[Standard]:
    """Newest ``effective_from`` first, keyset-paged on ``(effective_from, id)``."""
    stmt = listing_statement(region_code, kind)
    if after is not None:
        effective_from, last_id = after
        stmt = stmt.where(
            or_(
                Standard.effective_from < effective_from,
                and_(Standard.effective_from == effective_from, Standard.id < last_id),
            )
        )
    stmt = stmt.order_by(Standard.effective_from.desc(), Standard.id.desc()).limit(limit)
    return list(await session.scalars(stmt))


async def find_standard(
    session: AsyncSession, region_code: str, kind: str, effective_from: date
) -> Standard | None:
    return await session.scalar(
        select(Standard).where(
            Standard.region_code == region_code,
            Standard.kind == kind,
            Standard.effective_from == effective_from,
        )
    )


async def insert_standard(session: AsyncSession, standard: Standard) -> bool:
    """Insert; False when the same (region, kind, effective_from) was committed meanwhile."""
    try:
        async with session.begin_nested():
            session.add(standard)
            await session.flush()
    except IntegrityError:
        return False
    return True
