"""Flows that start in monitoring and cross into other domains, each in the caller's
transaction: evaluating the rules after an import, and resolving a confirmed warning by
delivering the missed policy (an application through intake, a category change proposal, or
emergency aid recorded in the household's ledger)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.households import ledger
from app.households.schemas import LedgerIn, LedgerKind
from app.intake import creation
from app.intake import service as intake
from app.intake.schemas import ApplicationCreate, Relation, SubjectIn
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import local_today
from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.models.warning import EarlyWarning
from app.monitoring.warnings import scans
from app.monitoring.warnings import service as warnings
from app.monitoring.warnings.schemas import Delivery, ResolveIn, Route, VerifyIn, WarningDetail
from app.schedules import service as schedules

# A confirmed warning's household is visited again within this many days, by level.
PULL_FORWARD_DAYS = {"red": 3, "orange": 7, "yellow": 14}


async def evaluate_after_import(session: AsyncSession, import_id: int) -> int:
    """Run every enabled rule over the people the import's rows are about, in the import's
    transaction; returns the number of warnings opened."""
    return await scans.evaluate_import(session, import_id)


async def verify_warning(
    session: AsyncSession, actor: Actor, warning_id: int, body: VerifyIn
) -> WarningDetail:
    """The assignee's findings on site; a confirmed warning about a household brings its next
    visit forward (within ``PULL_FORWARD_DAYS`` of its level)."""
    detail = await warnings.verify(session, actor, warning_id, body)
    if detail.status == "verified" and detail.household_id is not None:
        await schedules.pull_forward(
            session,
            detail.household_id,
            reason=f"预警 #{detail.id} 核实属实：{detail.rule_name}",
            within_days=PULL_FORWARD_DAYS.get(detail.level, 14),
        )
    return detail


async def _subject_for_application(
    session: AsyncSession, warning: EarlyWarning, body: ResolveIn
) -> SubjectIn:
    """Who the application is for: the household's head (a household warning) or the person
    the signals are about, with the ID number decrypted here and never shown."""
    cipher = get_cipher()
    if warning.household_id is not None:
        row = (
            await session.execute(
                select(HouseholdMember.name, HouseholdMember.id_enc, Household.region_code)
                .join(Household, Household.id == HouseholdMember.household_id)
                .where(
                    HouseholdMember.household_id == warning.household_id,
                    HouseholdMember.active,
                )
                .order_by((HouseholdMember.relation != "head"), HouseholdMember.id)
                .limit(1)
            )
        ).first()
        if row is None:
            raise Invalid("该家庭没有在册成员，无法代为申请", code="no_subject")
        name, id_enc, region = row
        return SubjectIn(name=name, id_number=cipher.decrypt(id_enc), region_code=region)
    id_enc = await session.scalar(
        select(Signal.person_id_enc)
        .where(Signal.person_hash == warning.person_hash, Signal.person_id_enc.is_not(None))
        .order_by(Signal.id.desc())
        .limit(1)
    )
    region = body.region_code or warning.region_code
    return SubjectIn(
        name=warning.person_name or "未知",
        id_number=cipher.decrypt(id_enc) if id_enc else None,
        region_code=region,
    )


async def _deliver(
    session: AsyncSession, actor: Actor, warning: EarlyWarning, body: ResolveIn
) -> dict[str, Any]:
    if body.application_id is not None:
        case = await intake.case_detail(session, actor, body.application_id)
        return {"delivery": "application", "application_id": case.id}
    if body.delivery == Delivery.application:
        subject = await _subject_for_application(session, warning, body)
        application = await creation.submit(
            session,
            actor,
            ApplicationCreate(
                relation=Relation.other,
                subject=subject,
                help_types=body.help_types or [],
                description=f"动态监测预警 #{warning.id}：{warning.summary}。{body.note}",
                consent=body.consent,
            ),
        )
        return {"delivery": "application", "application_id": application.id}
    if warning.household_id is None:
        raise Invalid("尚未纳入监测的人员只能代为申请", code="household_required")
    if body.delivery == Delivery.category_proposal:
        # A proposal only: the category changes when a district officer decides it.
        return {"delivery": "category_proposal", "category": str(body.category)}
    entry = await ledger.add_entry(
        session,
        actor,
        warning.household_id,
        LedgerIn(
            kind=LedgerKind.temporary_aid,
            date=body.paid_on or local_today(),
            amount=body.amount,
            giver="先行救助",
            note=f"预警 #{warning.id} 先行救助：{body.note}"[:500],
            decision_ref=f"W{warning.id}",
        ),
    )
    return {
        "delivery": "emergency_aid",
        "ledger_entry_id": entry.id,
        "amount": f"{body.amount:.2f}",
    }


async def resolve_warning(
    session: AsyncSession, actor: Actor, warning_id: int, body: ResolveIn
) -> WarningDetail:
    """Resolve a confirmed warning by one of the four routes, recording what was done."""
    warning = await warnings.for_resolution(session, actor, warning_id)
    resolution: dict[str, Any] = {}
    if body.route == Route.deliver_policy:
        resolution = await _deliver(session, actor, warning, body)
    elif body.route == Route.push_department:
        resolution = {"department": body.department}
    return await warnings.resolve(
        session, actor, warning, route=body.route.value, note=body.note, resolution=resolution
    )
