"""When a standard rises (or falls), the monthly amounts of every household it governs are
recalculated for a person to confirm: a list with the old and the new amount, then one confirm
that records them all. Set-based: one statement lists a page, one statement confirms.

Which households: active ones in the standard's region whose category it sets the amount of
(``dibao`` for a dibao standard, ``tekun`` for a tekun standard), and for which it is the
standard in force on its ``effective_from`` (a nearer region's own standard wins).

The amount (差额救助): dibao, the standard times the household's members less the household's
monthly income (not below zero); tekun, the standard times its members. The old amount is the
newer of the last one confirmed under an earlier standard and that of the last decision applied
(a reduction after a recalculation is what is paid)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, case, cast, exists, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actor import Actor
from app.models.household import (
    MONEY,
    CategoryChange,
    Household,
    Standard,
    StandardRecalculation,
)
from app.regions.jurisdiction import in_subtree

# The category whose amount each kind of standard sets (the edge multiplier sets none).
CATEGORY_OF_KIND = {"dibao": "dibao", "tekun": "tekun"}


def _chain(region_code: Any) -> list[Any]:
    code = cast(region_code, String)
    return [code] + [
        func.substr(code, 1, digits, type_=String) + "0" * (12 - digits) for digits in (9, 6, 4, 2)
    ]


def _in_force_id(standard: Standard) -> Any:
    """SQL, correlated to the household: the id of the standard of this kind in force for its
    region on the standard's date."""
    return (
        select(Standard.id)
        .where(
            Standard.kind == standard.kind,
            Standard.effective_from <= standard.effective_from,
            Standard.region_code.in_(_chain(Household.region_code)),
        )
        .order_by(Standard.region_code.desc(), Standard.effective_from.desc())
        .limit(1)
        .scalar_subquery()
    )


def _new_amount(standard: Standard) -> Any:
    gross = literal(standard.value, MONEY) * Household.members_count
    if standard.kind == "tekun":
        return cast(gross, MONEY)
    short = gross - Household.monthly_income_total
    return cast(case((short > 0, short), else_=literal(0, MONEY)), MONEY)


def _old_amount(standard: Standard) -> Any:
    """The newest of the last amount confirmed under an earlier standard and the amount of the
    last decision applied (a procedure's reduction after a recalculation is what is paid)."""
    earlier = (
        select(
            StandardRecalculation.new_amount.label("amount"),
            StandardRecalculation.confirmed_at.label("at"),
        )
        .join(Standard, Standard.id == StandardRecalculation.standard_id)
        .where(
            StandardRecalculation.household_id == Household.id,
            Standard.kind == standard.kind,
            Standard.effective_from < standard.effective_from,
        )
        .order_by(Standard.effective_from.desc(), StandardRecalculation.id.desc())
        .limit(1)
        .correlate(Household)
    )
    decided = (
        select(CategoryChange.monthly_amount.label("amount"), CategoryChange.applied_at.label("at"))
        .where(
            CategoryChange.household_id == Household.id,
            CategoryChange.applied_at.is_not(None),
            CategoryChange.action != "exit",
        )
        .order_by(CategoryChange.applied_at.desc(), CategoryChange.id.desc())
        .limit(1)
        .correlate(Household)
    )
    both = union_all(earlier.subquery().select(), decided.subquery().select()).subquery()
    return select(both.c.amount).order_by(both.c.at.desc()).limit(1).scalar_subquery()


def _confirmed(standard: Standard) -> Any:
    return exists().where(
        StandardRecalculation.standard_id == standard.id,
        StandardRecalculation.household_id == Household.id,
    )


def _governed(actor: Actor, standard: Standard) -> list[Any]:
    category = CATEGORY_OF_KIND.get(standard.kind)
    if category is None:
        return [literal(False)]
    return [
        Household.status == "active",
        Household.category == category,
        in_subtree(Household.region_code, standard.region_code),
        in_subtree(Household.region_code, actor.region_code or ""),
        _in_force_id(standard) == standard.id,
    ]


async def page(
    session: AsyncSession, actor: Actor, standard: Standard, *, after_id: int | None, limit: int
) -> list[Any]:
    """One page (by household id) of the households the standard governs, with the old and
    the new amount and whether the new one was confirmed."""
    stmt = (
        select(
            Household.id.label("household_id"),
            Household.reference,
            Household.region_code,
            Household.category,
            Household.members_count,
            Household.monthly_income_total,
            _old_amount(standard).label("old_amount"),
            _new_amount(standard).label("new_amount"),
            _confirmed(standard).label("confirmed"),
        )
        .where(*_governed(actor, standard))
        .order_by(Household.id)
        .limit(limit)
    )
    if after_id is not None:
        stmt = stmt.where(Household.id > after_id)
    return list(await session.execute(stmt))


async def confirm(session: AsyncSession, actor: Actor, standard: Standard, at: datetime) -> int:
    """Record the new amount of every governed household not yet confirmed, in one
    ``INSERT ... SELECT``; returns how many."""
    rows = select(
        literal(standard.id).label("standard_id"),
        Household.id.label("household_id"),
        _old_amount(standard).label("old_amount"),
        _new_amount(standard).label("new_amount"),
        literal(actor.id).label("confirmed_by_id"),
        literal(at, StandardRecalculation.__table__.c.confirmed_at.type).label("confirmed_at"),
    ).where(*_governed(actor, standard), ~_confirmed(standard))
    columns = [
        "standard_id",
        "household_id",
        "old_amount",
        "new_amount",
        "confirmed_by_id",
        "confirmed_at",
    ]
    result = await session.execute(insert(StandardRecalculation).from_select(columns, rows))
    return int(getattr(result, "rowcount", 0) or 0)
