"""Households as staff see them: lines of the list and the whole record, never a clear ID."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository
from app.households.categories import scheduled
from app.households.repository import HouseholdFilter
from app.households.schemas import (
    ChangeOut,
    ChangePage,
    FormerMemberOut,
    Head,
    HouseholdDetail,
    HouseholdItem,
    HouseholdPage,
    MemberOut,
    RigidSpendingOut,
    ScheduledChangeOut,
)
from app.households.service import readable
from app.kit import audit
from app.kit.actor import Actor
from app.kit.idnumber import age
from app.kit.pagination import after_id, split_page
from app.kit.timeutil import local_today
from app.models.household import Household, HouseholdMember
from app.regions.service import region_names
from app.standards.repository import value_in_force


def item(household: Household, region_name: str) -> HouseholdItem:
    return HouseholdItem(
        id=household.id,
        reference=household.reference,
        region_code=household.region_code,
        region_name=region_name,
        address=household.address,
        category=household.category,
        category_since=household.category_since,
        care_arrangement=household.care_arrangement,
        risk_level=household.risk_level,
        causes=household.causes,
        members_count=household.members_count,
        declared_size=household.declared_size,
        phone_masked=household.phone_masked,
        monthly_income_total=household.monthly_income_total,
        head=Head(name=household.head_name, id_number_masked=household.head_id_masked),
        status=household.status,
        version=household.version,
        updated_at=household.updated_at,
    )


async def items(session: AsyncSession, households: list[Household]) -> list[HouseholdItem]:
    names = await region_names(session, {h.region_code for h in households})
    return [item(h, names.get(h.region_code, "")) for h in households]


def _member_fields(member: HouseholdMember, today: date) -> dict[str, object]:
    return {
        "id": member.id,
        "name": member.name,
        "id_number_masked": member.id_masked,
        "relation": member.relation,
        "sex": member.sex,
        "age": age(member.birth_date, today),
        "disability_type": member.disability_type,
        "disability_grade": member.disability_grade,
        "severe_illness": member.severe_illness,
        "chronic_illness": member.chronic_illness,
        "work_capacity": member.work_capacity,
        "employment": member.employment,
        "monthly_income": member.monthly_income,
        "income_sources": member.income_sources,
        "active": member.active,
    }


async def detail(session: AsyncSession, household: Household) -> HouseholdDetail:
    """The household with members (``members`` loaded), category and the standard in force."""
    today = local_today()
    names = await region_names(session, {household.region_code})
    standard = await value_in_force(session, household.region_code, "dibao", today)
    waiting = await scheduled.pending_for(session, household.id)
    members = [m for m in household.members if m.removed_at is None]
    former = [m for m in household.members if m.removed_at is not None]
    return HouseholdDetail(
        **item(household, names.get(household.region_code, "")).model_dump(),
        members=[MemberOut.model_validate(_member_fields(m, today)) for m in members],
        former_members=[
            FormerMemberOut.model_validate(
                {
                    **_member_fields(m, today),
                    "removed_at": m.removed_at,
                    "removed_reason": m.removed_reason or "",
                }
            )
            for m in former
        ],
        standard_in_force=standard,
        monthly_rigid_spending=RigidSpendingOut(
            medical=household.medical_spending, education=household.education_spending
        ),
        has_severe_member=household.has_severe_member,
        risk_reason=household.risk_reason,
        risk_set_by_id=household.risk_set_by_id,
        risk_set_at=household.risk_set_at,
        application_id=household.application_id,
        created_at=household.created_at,
        scheduled_change=ScheduledChangeOut.model_validate(waiting) if waiting else None,
    )


async def view(session: AsyncSession, actor: Actor, household_id: int) -> HouseholdDetail:
    """The whole household for staff in scope; who looked is audited (sensitive data)."""
    household = await readable(session, actor, household_id, with_members=True)
    await audit.record(session, actor, "household.view", "household", household.id)
    return await detail(session, household)


async def page(
    session: AsyncSession, actor: Actor, filters: HouseholdFilter, limit: int, cursor: str | None
) -> HouseholdPage:
    """One page of the households in the caller's jurisdiction, newest first."""
    rows = await repository.list_households(
        session, actor, filters, before_id=after_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(rows, limit)
    if filters.id_hash:
        # A search by a full ID number tells who was looked for: audited, masked.
        await audit.record(
            session,
            actor,
            "household.search_id_number",
            "household",
            None,
            {"q": filters.q_shown, "results": len(rows)},
        )
    return HouseholdPage(items=await items(session, rows), next_cursor=next_cursor)


async def changes(
    session: AsyncSession, actor: Actor, household_id: int, limit: int, cursor: str | None
) -> ChangePage:
    """One page of a household's version history, newest first (404 outside jurisdiction)."""
    household = await readable(session, actor, household_id)
    rows = await repository.list_changes(
        session, household.id, before_id=after_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(rows, limit)
    return ChangePage(items=[ChangeOut.model_validate(r) for r in rows], next_cursor=next_cursor)
