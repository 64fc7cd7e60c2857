"""Due dates left unknown (their count ran into a year with no holiday schedule) are counted
once an admin records that year: the calendar's edit queues ``intake:unknown-deadlines``, whose
handler (app/tasks.py) runs this beside intake's."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import service as calendar_service
from app.procedures import clocks, repository
from app.procedures.spec import step_of

log = structlog.get_logger()


async def compute_unknown(session: AsyncSession) -> int:
    """Count again every pending step whose due date is unknown and every overall limit left
    unknown; those still past the calendar's data stay unknown. Returns how many got one."""
    calendar = await calendar_service.current(session)
    known = 0
    for row, procedure in await repository.pending_steps_with_unknown_due(session):
        step = step_of(procedure.category, row.step)
        if step is not None:
            clocks.set_due(row, step, procedure, calendar)
            known += row.due_on is not None
    for procedure in await repository.procedures_with_unknown_limit(session):
        procedure.limit_on = clocks.overall_limit(procedure, calendar)
    await session.flush()
    return known


async def unknown_deadlines(session: AsyncSession, payload: dict[str, Any]) -> None:
    """The procedures' part of ``intake:unknown-deadlines``."""
    log.info("procedure_deadlines_computed", rows=await compute_unknown(session))
