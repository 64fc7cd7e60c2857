"""Temporary aid paid first (先行救助): the payment goes into the household's assistance ledger
(一户一条救助链) in the step's transaction, so the figures of amounts paid count it.

A person who is in no household of the registry (or in one outside the worker's jurisdiction)
has no ledger yet: the payment stays on the procedure (``advance_amount``, the step's
``ledger_pending``) and is written to the ledger, dated the day it was paid, at the first later
step of the procedure taken once the household exists and is readable by whoever acts, or
as soon as the household is registered, joined or enrolled (:func:`settle_for_household`,
called by the registry's and intake's flows in their own transaction), whichever comes first;
never twice: both run under the procedure's row lock and clear ``ledger_pending``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import ledger
from app.households import repository as households
from app.households.schemas import LedgerIn, LedgerKind
from app.intake import repository as intake_repository
from app.kit.actor import Actor
from app.models.application import Application
from app.models.procedure import Procedure, ProcedureStep
from app.procedures import repository


async def _household(session: AsyncSession, actor: Actor, application: Application) -> int | None:
    if not application.subject_id_hash:
        return None
    household_id = await households.active_household_id_of(session, application.subject_id_hash)
    if household_id is None:
        return None
    if await households.get_readable(session, actor, household_id) is None:
        return None
    return household_id


async def to_ledger(
    session: AsyncSession,
    actor: Actor,
    procedure: Procedure,
    application: Application,
    amount: Decimal,
    paid_on: date,
) -> dict[str, Any]:
    """Write the advance payment to the household's ledger; what the step's record keeps:
    the ledger entry, or ``ledger_pending`` when the person has no household yet."""
    household_id = await _household(session, actor, application)
    if household_id is None:
        return {"ledger_pending": True}
    entry = await ledger.add_entry(
        session,
        actor,
        household_id,
        LedgerIn(
            kind=LedgerKind.temporary_aid,
            date=paid_on,
            amount=amount,
            giver="先行救助",
            note=f"临时救助先行救助（案件 {application.reference}）",
            decision_ref=f"P{procedure.id}",
        ),
    )
    return {"ledger_entry_id": entry.id, "household_id": household_id}


async def settle_pending(
    session: AsyncSession,
    actor: Actor,
    procedure: Procedure,
    application: Application,
    rows: list[ProcedureStep],
) -> bool:
    """An advance paid while the person had no household: write it now if the household
    exists (called before every later step of the procedure, and by
    :func:`settle_for_household`); whether it was written."""
    row = next((r for r in rows if r.step == "advance" and r.status == "done"), None)
    if row is None or not (row.detail or {}).get("ledger_pending"):
        return False
    if procedure.advance_amount is None or row.done_on is None:
        return False
    written = await to_ledger(
        session, actor, procedure, application, procedure.advance_amount, row.done_on
    )
    if written.get("ledger_pending"):
        return False
    detail = {k: v for k, v in (row.detail or {}).items() if k != "ledger_pending"}
    row.detail = {**detail, **written}
    return True


async def settle_for_household(session: AsyncSession, actor: Actor, household_id: int) -> int:
    """The household now has these people as active members (registered, joined, enrolled
    again): write every advance still waiting for one of them; how many were written. Cases
    the actor may not read are left to their own next step."""
    hashes = await households.active_member_hashes(session, household_id)
    written = 0
    for application_id in await repository.advances_of(session, actor, hashes):
        procedure = await repository.for_application(
            session, actor, application_id, for_update=True
        )
        application = await intake_repository.get_readable(session, actor, application_id)
        if procedure is None or application is None:
            continue
        rows = await repository.steps(session, procedure.id)
        if await settle_pending(session, actor, procedure, application, rows):
            written += 1
    await session.flush()
    return written
