"""Acceptance deadlines left unknown (their working days ran into a year with no holiday
schedule) are computed once an admin records that year: the ``intake:unknown-deadlines`` job,
which the admin's edit queues. Its SQL is here, beside the one computation it serves."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import service as calendar_service
from app.intake.creation import due_at_for
from app.intake.schemas import HelpType
from app.models.application import Application

log = structlog.get_logger()


async def compute_unknown(session: AsyncSession) -> int:
    """Give every application whose deadline is unknown the deadline the calendar now allows;
    those still past its data stay unknown. Returns how many were given one."""
    calendar = await calendar_service.current(session)
    rows = await session.execute(
        select(Application.id, Application.created_at, Application.help_types).where(
            Application.due_at.is_(None)
        )
    )
    known: list[dict[str, Any]] = []
    for row in rows:
        due = due_at_for([HelpType(h) for h in row.help_types], row.created_at, calendar)
        if due is not None:
            known.append({"b_id": row.id, "b_due_at": due})
    if known:
        stmt = (
            update(Application)
            .where(Application.id == bindparam("b_id"))
            .values(due_at=bindparam("b_due_at"))
            .execution_options(synchronize_session=False)
        )
        conn = await session.connection()
        await conn.execute(stmt, known)
    return len(known)


async def unknown_deadlines(session: AsyncSession, payload: dict[str, Any]) -> None:
    """``intake:unknown-deadlines``: after an admin recorded a year's holiday schedule."""
    log.info("deadlines_computed", rows=await compute_unknown(session))
