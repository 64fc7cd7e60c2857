"""Registry changes that bring people into an active household, each followed in the request's
transaction by the arrival's job (:mod:`app.households.arrivals`): a person registered in a
household, added to one, or enrolled again with it may have had temporary aid paid first
(先行救助) while they had no household, which waits on its procedure for a ledger."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import arrivals, service
from app.households.categories import service as categories
from app.households.categories.schemas import CategoryDecision
from app.households.schemas import HouseholdCreate, MemberIn
from app.kit.actor import Actor
from app.models.household import Household


async def register(session: AsyncSession, actor: Actor, body: HouseholdCreate) -> Household:
    """Register a household, then announce its members' arrival."""
    household = await service.create_household(session, actor, body)
    await arrivals.announce(session, actor, household.id)
    return household


async def add_member(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    body: MemberIn,
    expected_version: int | None,
) -> Household:
    """Add a member, then announce their arrival."""
    household = await service.add_member(session, actor, household_id, body, expected_version)
    if household.status == "active":
        await arrivals.announce(session, actor, household.id)
    return household


async def decide_category(
    session: AsyncSession, actor: Actor, household_id: int, body: CategoryDecision
) -> Household:
    """A category decision; an enrolment brings an exited household's members back: their arrival
    is announced."""
    household = await categories.decide(session, actor, household_id, body)
    if household.status == "active":
        await arrivals.announce(session, actor, household.id)
    return household
