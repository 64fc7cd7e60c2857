"""A reduction (减发) reaches the registry: the household the approval enrolled gets the new
monthly amount in its category, in the reduction's transaction (the registry's category
history is where amounts are kept; :func:`app.households.categories.service.adjust_amount`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.households.categories import service as categories
from app.kit.actor import Actor
from app.procedures import repository
from app.procedures.schemas import StopIn


async def to_registry(
    session: AsyncSession, actor: Actor, application_id: int, body: StopIn
) -> int | None:
    """Record the reduced amount on the household, dated as the reduction; the household's
    id, or None when the approval registered none (temporary aid, no ID number)."""
    assert body.monthly_amount is not None
    household_id = await repository.household_of(session, application_id)
    if household_id is None:
        return None
    await categories.adjust_amount(
        session,
        actor,
        household_id,
        monthly_amount=body.monthly_amount,
        effective_date=body.effective_date,
        reason=f"减发：{body.reasons}"[:500],
        application_id=application_id,
    )
    return household_id
