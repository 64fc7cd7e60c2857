"""SQL for organizations, projects, groups and needs. People's data (needs, tags) is read only
through households the actor may read (:func:`app.households.repository.readable_statement`);
organizations and projects are seen where they serve or sit within the caller's area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, distinct, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.vocabulary import GROUP_ORDER
from app.errors import Forbidden
from app.households.repository import readable_statement as readable_households
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.models.assistance import (
    HouseholdProfile,
    MemberTag,
    Need,
    Organization,
    Project,
)
from app.models.household import Household, HouseholdMember
from app.regions.jurisdiction import ancestors, in_subtree


def _staff_region(actor: Actor) -> str:
    if actor.kind != "staff" or not actor.region_code:
        raise Forbidden("仅限辖区工作人员", code="staff_only")
    return actor.region_code


def readable_household_ids(actor: Actor) -> Select[Any]:
    """Ids of the households the actor may read: the one jurisdiction rule of the registry."""
    return readable_households(actor).with_only_columns(Household.id)


def visible_organizations(actor: Actor) -> Select[Organization]:
    """Organizations in the caller's area, or above it (serving it)."""
    code = _staff_region(actor)
    return select(Organization).where(
        or_(
            in_subtree(Organization.region_code, code),
            Organization.region_code.in_(ancestors(code)),
        )
    )


def visible_projects(actor: Actor) -> Select[Project]:
    """Projects run in the caller's area, or serving it from above."""
    code = _staff_region(actor)
    return select(Project).where(
        or_(
            in_subtree(Project.region_code, code),
            and_(Project.region_low <= code, Project.region_high >= code),
        )
    )


async def list_organizations(
    session: AsyncSession, actor: Actor, *, before_id: int | None, limit: int
) -> list[Organization]:
    stmt = visible_organizations(actor).order_by(Organization.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(Organization.id < before_id)
    return list(await session.scalars(stmt))


async def get_organization(
    session: AsyncSession, actor: Actor, organization_id: int, *, for_update: bool = False
) -> Organization | None:
    stmt = visible_organizations(actor).where(Organization.id == organization_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def organization_of_agency(session: AsyncSession, agency_id: int) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.agency_id == agency_id))


async def list_projects(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int | None,
    service_bit: int | None,
    running_on: Any | None,
    before_id: int | None,
    limit: int,
) -> list[Project]:
    stmt = visible_projects(actor).order_by(Project.id.desc()).limit(limit)
    if organization_id is not None:
        stmt = stmt.where(Project.organization_id == organization_id)
    if service_bit is not None:
        stmt = stmt.where(Project.service_mask.op("&")(service_bit) != 0)
    if running_on is not None:
        stmt = stmt.where(
            Project.starts_on <= running_on,
            or_(Project.ends_on.is_(None), Project.ends_on >= running_on),
        )
    if before_id is not None:
        stmt = stmt.where(Project.id < before_id)
    return list(await session.scalars(stmt))


async def get_project(
    session: AsyncSession, actor: Actor, project_id: int, *, for_update: bool = False
) -> Project | None:
    stmt = visible_projects(actor).where(Project.id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def project_by_id(
    session: AsyncSession, project_id: int, *, for_update: bool = False
) -> Project | None:
    stmt = select(Project).where(Project.id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def projects_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Project]:
    if not ids:
        return {}
    rows = await session.scalars(select(Project).where(Project.id.in_(ids)))
    return {p.id: p for p in rows}


async def change_in_use(session: AsyncSession, project_id: int, delta: int) -> bool:
    """Take (+1) or give back (-1) a place; False when taking one from a full project. One
    conditional UPDATE, so two acceptances racing for the last place cannot both win."""
    stmt = update(Project).where(Project.id == project_id).values(in_use=Project.in_use + delta)
    if delta > 0:
        stmt = stmt.where(Project.in_use + delta <= Project.capacity)
    else:
        stmt = stmt.where(Project.in_use + delta >= 0)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


# ---- groups ----


async def member_tags(session: AsyncSession, household_id: int) -> list[MemberTag]:
    stmt = (
        select(MemberTag)
        .where(MemberTag.household_id == household_id)
        .order_by(MemberTag.member_id, MemberTag.id)
    )
    return list(await session.scalars(stmt))


async def active_members(session: AsyncSession, household_id: int) -> list[HouseholdMember]:
    stmt = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id, HouseholdMember.active.is_(True))
        .order_by(HouseholdMember.id)
    )
    return list(await session.scalars(stmt))


async def profile(session: AsyncSession, household_id: int) -> HouseholdProfile | None:
    return await session.get(HouseholdProfile, household_id)


async def ensure_profile(session: AsyncSession, household_id: int) -> HouseholdProfile:
    found = await session.get(HouseholdProfile, household_id, with_for_update=True)
    if found is None:
        found = HouseholdProfile(household_id=household_id, group_mask=0, key_target=False)
        session.add(found)
        await session.flush()
    return found


def _bit_of_tag() -> ColumnElement[int]:
    from sqlalchemy import case

    return case(*((MemberTag.tag == g.value, 1 << i) for i, g in enumerate(GROUP_ORDER)), else_=0)


async def refresh_group_mask(session: AsyncSession, household_id: int) -> int:
    """The household's groups from its members' tags, one statement (bits OR-ed as a sum of
    distinct bits)."""
    bits = select(func.coalesce(func.sum(distinct(_bit_of_tag())), 0)).where(
        MemberTag.household_id == household_id
    )
    mask = int(await session.scalar(bits) or 0)
    found = await ensure_profile(session, household_id)
    found.group_mask = mask
    await session.flush()
    return mask


def _group_rows(actor: Actor, region_code: str | None) -> Select[str, int, int]:
    stmt = (
        select(MemberTag.tag, MemberTag.household_id, MemberTag.member_id)
        .join(HouseholdMember, HouseholdMember.id == MemberTag.member_id)
        .where(
            MemberTag.household_id.in_(readable_household_ids(actor)),
            HouseholdMember.active.is_(True),
        )
    )
    if region_code:
        stmt = stmt.join(Household, Household.id == MemberTag.household_id).where(
            in_subtree(Household.region_code, region_code)
        )
    return stmt


async def group_counts(
    session: AsyncSession, actor: Actor, region_code: str | None
) -> tuple[list[Any], int]:
    """Per tag: members, households, and key-target households among them; and key targets."""
    rows = _group_rows(actor, region_code).subquery()
    stmt = (
        select(
            rows.c.tag,
            func.count(distinct(rows.c.member_id)),
            func.count(distinct(rows.c.household_id)),
            func.count(distinct(HouseholdProfile.household_id)),
        )
        .select_from(rows)
        .outerjoin(
            HouseholdProfile,
            and_(
                HouseholdProfile.household_id == rows.c.household_id,
                HouseholdProfile.key_target.is_(True),
            ),
        )
        .group_by(rows.c.tag)
    )
    counts = list((await session.execute(stmt)).all())
    keys = select(func.count()).where(
        HouseholdProfile.key_target.is_(True),
        HouseholdProfile.household_id.in_(readable_household_ids(actor)),
    )
    if region_code:
        keys = keys.where(
            HouseholdProfile.household_id.in_(
                select(Household.id).where(in_subtree(Household.region_code, region_code))
            )
        )
    return counts, int(await session.scalar(keys) or 0)


async def group_members(
    session: AsyncSession,
    actor: Actor,
    *,
    tag: str | None,
    key_target: bool | None,
    region_code: str | None,
    before_id: int | None,
    limit: int,
) -> list[Any]:
    """Tagged members, newest tag first (cursor: the tag row's id)."""
    stmt = (
        select(
            MemberTag.id,
            MemberTag.household_id,
            MemberTag.member_id,
            MemberTag.tag,
            HouseholdMember.name,
            Household.region_code,
            func.coalesce(HouseholdProfile.key_target, False).label("key_target"),
        )
        .join(HouseholdMember, HouseholdMember.id == MemberTag.member_id)
        .join(Household, Household.id == MemberTag.household_id)
        .outerjoin(HouseholdProfile, HouseholdProfile.household_id == MemberTag.household_id)
        .where(
            MemberTag.household_id.in_(readable_household_ids(actor)),
            HouseholdMember.active.is_(True),
        )
        .order_by(MemberTag.id.desc())
        .limit(limit)
    )
    if tag:
        stmt = stmt.where(MemberTag.tag == tag)
    if key_target is not None:
        stmt = stmt.where(func.coalesce(HouseholdProfile.key_target, False).is_(key_target))
    if region_code:
        stmt = stmt.where(in_subtree(Household.region_code, region_code))
    if before_id is not None:
        stmt = stmt.where(MemberTag.id < before_id)
    return list((await session.execute(stmt)).all())


# ---- needs ----


def readable_needs(actor: Actor) -> Select[Need]:
    return select(Need).where(Need.household_id.in_(readable_household_ids(actor)))


async def list_needs(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    status: str | None,
    before_id: int | None,
    limit: int,
) -> list[Need]:
    stmt = (
        readable_needs(actor)
        .where(Need.household_id == household_id)
        .order_by(Need.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(Need.status == status)
    if before_id is not None:
        stmt = stmt.where(Need.id < before_id)
    return list(await session.scalars(stmt))


async def get_need(
    session: AsyncSession, actor: Actor, need_id: int, *, for_update: bool = False
) -> Need | None:
    stmt = readable_needs(actor).where(Need.id == need_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def needs_of(session: AsyncSession, household_id: int, ids: Sequence[int]) -> list[Need]:
    if not ids:
        return []
    stmt = select(Need).where(Need.household_id == household_id, Need.id.in_(ids))
    return list(await session.scalars(stmt))


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


async def get_need_by_id(session: AsyncSession, need_id: int) -> Need | None:
    """A need by id, for the flow of a referral that points at it (no jurisdiction: the
    referral was checked)."""
    return await session.scalar(select(Need).where(Need.id == need_id).with_for_update())


SEALED_COLUMNS = [EncryptedField("assistance_need.note", Need.id, Need.note_enc)]
"""Personal fields under the data key, for its rotation (:mod:`app.kit.rotation`)."""
