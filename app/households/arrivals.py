"""People arriving in an active household (registered with it, added to it, or enrolled again
with it), announced as a job written in the same transaction: what waited for them elsewhere
runs after the commit. The statutory procedures' temporary aid paid first (先行救助) to someone
who then had no household waits for one to be written to its ledger; the procedures sit above
the registry, so the registry announces and ``app/tasks.py`` maps the job to their handler."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs import enqueue
from app.kit.actor import Actor

MEMBERS_ARRIVED_JOB = "households:members-arrived"


async def announce(session: AsyncSession, actor: Actor, household_id: int) -> None:
    """Queue the arrival, carrying the staff member whose change it was: the handler acts for
    them and leaves the cases they may not read to those cases' own next step."""
    if actor.kind != "staff" or actor.id is None:
        return
    await enqueue(
        session,
        MEMBERS_ARRIVED_JOB,
        {
            "household_id": household_id,
            "actor_id": actor.id,
            "role": actor.role,
            "region_code": actor.region_code,
        },
    )
