"""SQL for referrals: staff read them through the households they may read; an organization
reads only its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.repository import readable_household_ids
from app.kit.actor import Actor
from app.models.assistance import Need, Referral, ServiceRecord, TimeBankCredit
from app.models.household import Household


def readable_referrals(actor: Actor) -> Select[Referral]:
    return select(Referral).where(Referral.household_id.in_(readable_household_ids(actor)))


def own_referrals(organization_id: int) -> Select[Referral]:
    return select(Referral).where(Referral.organization_id == organization_id)


async def get(
    session: AsyncSession,
    stmt: Select[Referral],
    referral_id: int,
    *,
    for_update: bool = False,
) -> Referral | None:
    stmt = stmt.where(Referral.id == referral_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def page(
    session: AsyncSession,
    stmt: Select[Referral],
    *,
    household_id: int | None = None,
    project_id: int | None = None,
    status: str | None = None,
    before_id: int | None,
    limit: int,
) -> list[Referral]:
    stmt = stmt.order_by(Referral.id.desc()).limit(limit)
    if household_id is not None:
        stmt = stmt.where(Referral.household_id == household_id)
    if project_id is not None:
        stmt = stmt.where(Referral.project_id == project_id)
    if status:
        stmt = stmt.where(Referral.status == status)
    if before_id is not None:
        stmt = stmt.where(Referral.id < before_id)
    return list(await session.scalars(stmt))


async def needs_by_id(session: AsyncSession, ids: list[int]) -> dict[int, Need]:
    if not ids:
        return {}
    return {n.id: n for n in await session.scalars(select(Need).where(Need.id.in_(ids)))}


async def households_by_id(session: AsyncSession, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Household.id, Household.reference, Household.region_code, Household.head_name).where(
            Household.id.in_(ids)
        )
    )
    return {r.id: r for r in rows}


async def services(session: AsyncSession, referral_id: int) -> list[ServiceRecord]:
    stmt = (
        select(ServiceRecord)
        .where(ServiceRecord.referral_id == referral_id)
        .order_by(ServiceRecord.date.desc(), ServiceRecord.id.desc())
    )
    return list(await session.scalars(stmt))


async def volunteer_totals(session: AsyncSession, project_id: int) -> list[Any]:
    stmt = (
        select(
            TimeBankCredit.volunteer,
            func.sum(TimeBankCredit.hours).label("hours"),
            func.count().label("services"),
        )
        .where(TimeBankCredit.project_id == project_id)
        .group_by(TimeBankCredit.volunteer)
        .order_by(func.sum(TimeBankCredit.hours).desc(), TimeBankCredit.volunteer)
    )
    return list((await session.execute(stmt)).all())
