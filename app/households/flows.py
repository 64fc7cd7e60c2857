"""Flows that start in the registry and reach the statutory procedures, each step in the
request's transaction: a person registered in a household, added to one, or enrolled again
with it may have had temporary aid paid first (先行救助) while they had no household, which
waits on its procedure for a ledger (:func:`app.procedures.advance.settle_for_household`).

The one place the registry calls above itself; only the routers import it, so no domain
below the procedures does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import service
from app.households.categories import service as categories
from app.households.categories.schemas import CategoryDecision
from app.households.schemas import HouseholdCreate, MemberIn
from app.kit.actor import Actor
from app.models.household import Household
from app.procedures import advance


async def register(session: AsyncSession, actor: Actor, body: HouseholdCreate) -> Household:
    """Register a household, then write the advances that waited for its members."""
    household = await service.create_household(session, actor, body)
    await advance.settle_for_household(session, actor, household.id)
    return household


async def add_member(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    body: MemberIn,
    expected_version: int | None,
) -> Household:
    """Add a member, then write the advances that waited for them."""
    household = await service.add_member(session, actor, household_id, body, expected_version)
    if household.status == "active":
        await advance.settle_for_household(session, actor, household.id)
    return household


async def decide_category(
    session: AsyncSession, actor: Actor, household_id: int, body: CategoryDecision
) -> Household:
    """A category decision; an enrolment brings an exited household's members back, and with
    them the advances that waited for them."""
    household = await categories.decide(session, actor, household_id, body)
    if household.status == "active":
        await advance.settle_for_household(session, actor, household.id)
    return household
