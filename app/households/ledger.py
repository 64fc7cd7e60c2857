"""The assistance ledger (一户一条救助链): money, goods and services a household received, one
timeline per household."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository
from app.households.schemas import LedgerIn
from app.households.service import readable
from app.kit import audit
from app.kit.actor import Actor
from app.models.household import LedgerEntry


async def add_entry(
    session: AsyncSession, actor: Actor, household_id: int, body: LedgerIn
) -> LedgerEntry:
    """Record one benefit received; audited."""
    household = await readable(session, actor, household_id)
    entry = LedgerEntry(
        household_id=household.id,
        kind=body.kind.value,
        date=body.date,
        amount=body.amount,
        quantity=body.quantity,
        giver=body.giver,
        note=body.note,
        decision_ref=body.decision_ref,
        created_by_id=actor.id if actor.kind == "staff" else None,
    )
    await repository.add(session, entry)
    await audit.record(
        session,
        actor,
        "household.ledger_add",
        "household",
        household.id,
        {"entry_id": entry.id, "kind": entry.kind, "date": entry.date.isoformat()},
    )
    return entry


async def entries(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    before: tuple[dt.date, int] | None,
    limit: int,
) -> list[LedgerEntry]:
    """The household's timeline, latest first."""
    household = await readable(session, actor, household_id)
    return await repository.list_ledger(session, household.id, before=before, limit=limit)
