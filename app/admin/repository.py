"""SQL for administering accounts. Every read goes through a ``readable_statement``: an admin
sees the staff and agencies of its own region and below; the command line sees all."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Role
from app.errors import Forbidden, OutsideJurisdiction
from app.kit.actor import Actor
from app.models.account import Agency, Staff
from app.regions.jurisdiction import covers, in_subtree

CASEWORK_ROLES = (
    Role.community_worker,
    Role.social_worker,
    Role.street_officer,
    Role.district_officer,
)


def _region_scope(actor: Actor) -> str | None:
    """The region an actor administers; None for the command line (the whole database)."""
    if actor.kind == "system":
        return None
    if actor.kind == "staff" and actor.region_code:
        return actor.region_code
    raise Forbidden()


def staff_readable_statement(actor: Actor) -> Select[Staff]:
    stmt = select(Staff)
    region = _region_scope(actor)
    return stmt if region is None else stmt.where(in_subtree(Staff.region_code, region))


def staff_within_statement(actor: Actor, region_code: str | None) -> Select[Staff]:
    """The staff the actor may read, narrowed to ``region_code`` when one is named: a region
    outside the actor's own is refused (403 ``outside_jurisdiction``), not answered empty."""
    stmt = staff_readable_statement(actor)
    if region_code is None:
        return stmt
    region = _region_scope(actor)
    if region is not None and not covers(region, region_code):
        raise OutsideJurisdiction()
    return stmt.where(in_subtree(Staff.region_code, region_code))


def agency_readable_statement(actor: Actor) -> Select[Agency]:
    stmt = select(Agency)
    region = _region_scope(actor)
    return stmt if region is None else stmt.where(in_subtree(Agency.region_code, region))


async def list_staff(
    session: AsyncSession,
    actor: Actor,
    *,
    role: str | None,
    region_code: str | None,
    active: bool | None,
    after_id: int | None,
    limit: int,
) -> list[Staff]:
    stmt = staff_readable_statement(actor).order_by(Staff.id).limit(limit)
    if role is not None:
        stmt = stmt.where(Staff.role == role)
    if region_code is not None:
        stmt = stmt.where(in_subtree(Staff.region_code, region_code))
    if active is not None:
        stmt = stmt.where(Staff.active.is_(active))
    if after_id is not None:
        stmt = stmt.where(Staff.id > after_id)
    return list(await session.scalars(stmt))


async def list_colleagues(
    session: AsyncSession,
    actor: Actor,
    *,
    role: str | None,
    region_code: str | None,
    limit: int,
) -> list[Staff]:
    """Active case-working staff the actor may read (in ``region_code`` if named), by region
    then id."""
    stmt = (
        staff_within_statement(actor, region_code)
        .where(
            Staff.active.is_(True),
            Staff.role.in_([r.value for r in CASEWORK_ROLES]),
        )
        .order_by(Staff.region_code, Staff.id)
        .limit(limit)
    )
    if role is not None:
        stmt = stmt.where(Staff.role == role)
    return list(await session.scalars(stmt))


async def get_staff(
    session: AsyncSession, actor: Actor, staff_id: int, *, for_update: bool = False
) -> Staff | None:
    stmt = staff_readable_statement(actor).where(Staff.id == staff_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def get_staff_by_username(session: AsyncSession, actor: Actor, username: str) -> Staff | None:
    return await session.scalar(staff_readable_statement(actor).where(Staff.username == username))


async def lock_active_admins(session: AsyncSession) -> list[int]:
    """Ids of every active admin, their rows locked in id order until the transaction ends,
    so two admins disabling each other at once cannot both succeed (and cannot deadlock)."""
    stmt = (
        select(Staff.id)
        .where(Staff.role == "admin", Staff.active.is_(True))
        .order_by(Staff.id)
        .with_for_update()
    )
    return list(await session.scalars(stmt))


async def list_agencies(
    session: AsyncSession, actor: Actor, *, after_id: int | None, limit: int
) -> list[Agency]:
    stmt = agency_readable_statement(actor).order_by(Agency.id).limit(limit)
    if after_id is not None:
        stmt = stmt.where(Agency.id > after_id)
    return list(await session.scalars(stmt))


async def get_agency(
    session: AsyncSession, actor: Actor, agency_id: int, *, for_update: bool = False
) -> Agency | None:
    stmt = agency_readable_statement(actor).where(Agency.id == agency_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)
