"""Referrals (转介): a worker sends a household to a project; the organization accepts or
declines through its API key, records the services it delivers (each one lands in the
household's assistance ledger, volunteers' hours in the time bank) and the outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance import repository as assistance
from app.assistance.errors import (
    InvalidTransition,
    ProjectFull,
    ProjectNotRunning,
    ProjectOutsideArea,
    ServiceBeforeReferral,
    ServiceTypeMismatch,
    need_not_found,
    plan_not_found,
    project_not_found,
    referral_not_found,
)
from app.assistance.referrals import repository
from app.assistance.referrals.schemas import (
    AcceptIn,
    CompleteIn,
    DeclineIn,
    ReferralCancel,
    ReferralCreate,
    ServiceIn,
)
from app.errors import Forbidden
from app.households.service import readable
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import local_today, now, to_local
from app.models.assistance import (
    Organization,
    Project,
    Referral,
    ServicePlan,
    ServiceRecord,
    TimeBankCredit,
)
from app.models.household import LedgerEntry
from app.notifications import service as notifications
from app.regions.jurisdiction import covers

MET_OUTCOMES = frozenset({"resolved", "improved"})


def _running(project: Project, on: date) -> bool:
    return project.starts_on <= on and (project.ends_on is None or project.ends_on >= on)


# ---- staff ----


async def create_referral(session: AsyncSession, actor: Actor, body: ReferralCreate) -> Referral:
    """Send a household to a project, for a need and under a plan if given; audited. A full
    project or one outside its period is refused (409), as is one not serving the household."""
    household = await readable(session, actor, body.household_id)
    project = await assistance.get_project(session, actor, body.project_id)
    if project is None:
        raise project_not_found()
    if not covers(project.region_code, household.region_code):
        raise ProjectOutsideArea()
    if body.need_id is not None:
        need = await assistance.get_need(session, actor, body.need_id)
        if need is None or need.household_id != household.id:
            raise need_not_found()
        if need.status != "open":
            raise InvalidTransition("该需求已关闭")
        if not need.service_bit & project.service_mask:
            raise ServiceTypeMismatch()
    responsible_id = actor.id
    if body.plan_id is not None:
        plan = await session.get(ServicePlan, body.plan_id)
        if plan is None or plan.household_id != household.id:
            raise plan_not_found()
        responsible_id = plan.responsible_id
    if project.in_use >= project.capacity:
        raise ProjectFull()
    if not _running(project, local_today()):
        raise ProjectNotRunning()
    referral = Referral(
        household_id=household.id,
        region_code=household.region_code,
        need_id=body.need_id,
        plan_id=body.plan_id,
        project_id=project.id,
        organization_id=project.organization_id,
        status="sent",
        note=body.note,
        responsible_id=responsible_id,
        sent_at=now(),
    )
    await assistance.add(session, referral)
    await audit.record(
        session,
        actor,
        "referral.sent",
        "household",
        household.id,
        {"referral_id": referral.id, "project_id": project.id, "need_id": body.need_id},
    )
    return referral


async def staff_referral(session: AsyncSession, actor: Actor, referral_id: int) -> Referral:
    found = await repository.get(session, repository.readable_referrals(actor), referral_id)
    if found is None:
        raise referral_not_found()
    return found


async def cancel(
    session: AsyncSession, actor: Actor, referral_id: int, body: ReferralCancel
) -> Referral:
    """Withdraw a referral not yet completed; an accepted one gives its place back."""
    referral = await repository.get(
        session, repository.readable_referrals(actor), referral_id, for_update=True
    )
    if referral is None:
        raise referral_not_found()
    if referral.status not in ("sent", "accepted"):
        raise InvalidTransition()
    if referral.status == "accepted":
        await assistance.change_in_use(session, referral.project_id, -1)
    referral.status = "cancelled"
    referral.outcome_note = body.reason
    referral.completed_at = now()
    await session.flush()
    await audit.record(
        session,
        actor,
        "referral.cancelled",
        "household",
        referral.household_id,
        {"referral_id": referral.id, "reason": body.reason},
    )
    return referral


# ---- the organization, through its API key ----


async def organization_of(session: AsyncSession, actor: Actor) -> Organization:
    """The organization an agency's key stands for; 403 for an agency that runs none."""
    if actor.kind != "agency" or actor.id is None:
        raise Forbidden("仅限服务组织调用", code="agency_only")
    found = await assistance.organization_of_agency(session, actor.id)
    if found is None:
        raise Forbidden("该机构未登记为服务组织", code="not_an_organization")
    return found


async def own_referral(
    session: AsyncSession, actor: Actor, referral_id: int, *, for_update: bool = False
) -> tuple[Organization, Referral]:
    organization = await organization_of(session, actor)
    found = await repository.get(
        session, repository.own_referrals(organization.id), referral_id, for_update=for_update
    )
    if found is None:
        raise referral_not_found()
    return organization, found


async def _tell_worker(session: AsyncSession, referral: Referral, event: str) -> None:
    if referral.responsible_id is not None:
        await notifications.notify(
            session,
            event,
            recipient_kind="staff",
            recipient_id=referral.responsible_id,
            record_type="referral",
            record_id=referral.id,
            key=f"{event}:referral:{referral.id}",
        )


async def accept(session: AsyncSession, actor: Actor, referral_id: int, body: AcceptIn) -> Referral:
    """Accept: the referral takes one of the project's places (409 when none is left)."""
    _org, referral = await own_referral(session, actor, referral_id, for_update=True)
    if referral.status != "sent":
        raise InvalidTransition()
    if not await assistance.change_in_use(session, referral.project_id, +1):
        raise ProjectFull()
    referral.status = "accepted"
    referral.responded_at = now()
    if body.note:
        referral.note = (referral.note + "\n" + body.note).strip()[:500]
    await session.flush()
    await audit.record(
        session,
        actor,
        "referral.accepted",
        "household",
        referral.household_id,
        {"referral_id": referral.id},
    )
    await _tell_worker(session, referral, "referral_accepted")
    return referral


async def decline(
    session: AsyncSession, actor: Actor, referral_id: int, body: DeclineIn
) -> Referral:
    """Decline with a reason; the worker is told."""
    _org, referral = await own_referral(session, actor, referral_id, for_update=True)
    if referral.status != "sent":
        raise InvalidTransition()
    referral.status = "declined"
    referral.responded_at = now()
    referral.decline_reason = body.reason
    await session.flush()
    await audit.record(
        session,
        actor,
        "referral.declined",
        "household",
        referral.household_id,
        {"referral_id": referral.id, "reason": body.reason},
    )
    await _tell_worker(session, referral, "referral_declined")
    return referral


async def record_service(
    session: AsyncSession, actor: Actor, referral_id: int, body: ServiceIn
) -> ServiceRecord:
    """A service delivered on an accepted referral: into the household's ledger (kind
    ``service``, the hours as quantity), volunteers' hours into the time bank."""
    organization, referral = await own_referral(session, actor, referral_id, for_update=True)
    if referral.status != "accepted":
        raise InvalidTransition("只能为已接收、未结案的转介记录服务")
    if not to_local(referral.sent_at).date() <= body.date <= local_today():
        raise ServiceBeforeReferral()
    project = await assistance.project_by_id(session, referral.project_id)
    assert project is not None  # a referral's project is never deleted
    entry = LedgerEntry(
        household_id=referral.household_id,
        kind="service",
        date=body.date,
        quantity=body.hours,
        giver=organization.name[:100],
        note=f"{project.name}：{body.what}"[:500],
        decision_ref=f"转介{referral.id}",
    )
    await assistance.add(session, entry)
    record = ServiceRecord(
        referral_id=referral.id,
        project_id=referral.project_id,
        household_id=referral.household_id,
        date=body.date,
        hours=body.hours,
        what=body.what,
        ledger_entry_id=entry.id,
        recorded_by_kind=actor.kind,
        recorded_by_id=actor.id,
    )
    await assistance.add(session, record)
    session.add_all(
        TimeBankCredit(
            project_id=referral.project_id,
            service_id=record.id,
            volunteer=v.name,
            hours=v.hours,
            date=body.date,
        )
        for v in body.volunteers
    )
    referral.hours_total = (referral.hours_total or Decimal("0")) + body.hours
    if referral.first_service_on is None or body.date < referral.first_service_on:
        referral.first_service_on = body.date
    await session.flush()
    await audit.record(
        session,
        actor,
        "referral.service_recorded",
        "household",
        referral.household_id,
        {
            "referral_id": referral.id,
            "service_id": record.id,
            "hours": str(body.hours),
            "volunteers": len(body.volunteers),
        },
    )
    return record


async def complete(
    session: AsyncSession, actor: Actor, referral_id: int, body: CompleteIn
) -> Referral:
    """Close an accepted referral with its outcome; the place is given back, and a need
    resolved or improved counts as met."""
    _org, referral = await own_referral(session, actor, referral_id, for_update=True)
    if referral.status != "accepted":
        raise InvalidTransition()
    await assistance.change_in_use(session, referral.project_id, -1)
    referral.status = "completed"
    referral.outcome = body.outcome.value
    referral.outcome_note = body.note
    referral.completed_at = now()
    if referral.need_id is not None and body.outcome.value in MET_OUTCOMES:
        need = await assistance.get_need_by_id(session, referral.need_id)
        if need is not None and need.status == "open":
            need.status = "met"
            need.closed_reason = f"转介{referral.id}：{body.outcome.value}"
            need.closed_at = now()
    await session.flush()
    await audit.record(
        session,
        actor,
        "referral.completed",
        "household",
        referral.household_id,
        {"referral_id": referral.id, "outcome": body.outcome.value},
    )
    return referral


# ---- views ----


async def views(session: AsyncSession, referrals: list[Referral]) -> list[dict[str, Any]]:
    needs = await repository.needs_by_id(
        session, sorted({r.need_id for r in referrals if r.need_id})
    )
    homes = await repository.households_by_id(session, sorted({r.household_id for r in referrals}))
    out = []
    for r in referrals:
        need = needs.get(r.need_id) if r.need_id else None
        home = homes.get(r.household_id)
        out.append(
            {
                **{c: getattr(r, c) for c in _FIELDS},
                "service_type": need.service_type if need else None,
                "urgency": need.urgency if need else None,
                "household": {
                    "reference": home.reference if home else "",
                    "region_code": home.region_code if home else r.region_code,
                    "head_name": home.head_name if home else "",
                },
            }
        )
    return out


_FIELDS = (
    "id",
    "household_id",
    "need_id",
    "plan_id",
    "project_id",
    "organization_id",
    "status",
    "note",
    "responsible_id",
    "sent_at",
    "responded_at",
    "decline_reason",
    "first_service_on",
    "hours_total",
    "outcome",
    "outcome_note",
    "completed_at",
)


async def detail(session: AsyncSession, referral: Referral) -> dict[str, Any]:
    (one,) = await views(session, [referral])
    return {**one, "services": await repository.services(session, referral.id)}
