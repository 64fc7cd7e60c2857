"""Referrals: ``/staff/referrals`` for workers, ``/agency/referrals`` for the organization
through its API key (only its own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import (
    CurrentAgency,
    RequireAssistanceRead,
    RequireAssistanceWork,
)
from app.assistance import repository as assistance
from app.assistance.errors import project_not_found
from app.assistance.referrals import repository, service
from app.assistance.referrals.schemas import (
    AcceptIn,
    AgencyReferral,
    AgencyReferralDetail,
    AgencyReferralPage,
    CompleteIn,
    DeclineIn,
    ReferralCancel,
    ReferralCreate,
    ReferralDetail,
    ReferralOut,
    ReferralPage,
    ReferralStatus,
    ServiceIn,
    ServiceOut,
    VolunteerTotal,
)
from app.db.deps import Session
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id, encode_cursor
from app.kit.params import MAX_ID, RecordId

router = APIRouter(tags=["assistance"])
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _next(rows: list[dict[str, object]], limit: int) -> str | None:
    return encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None


# ---- staff ----


@router.post("/staff/referrals", status_code=201, response_model=ReferralDetail)
async def create_referral(
    body: ReferralCreate,
    session: Session,
    actor: RequireAssistanceWork,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Send a household to a project (for a need, under a plan); never to a full project."""

    async def create() -> tuple[int, object]:
        referral = await service.create_referral(session, actor, body)
        out = ReferralDetail.model_validate(await service.detail(session, referral))
        return 201, out.model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/staff/referrals", response_model=ReferralPage)
async def list_referrals(
    session: Session,
    actor: RequireAssistanceRead,
    household_id: OptionalId = None,
    project_id: OptionalId = None,
    status: ReferralStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReferralPage:
    """Referrals of households in the caller's jurisdiction, newest first."""
    rows = await repository.page(
        session,
        repository.readable_referrals(actor),
        household_id=household_id,
        project_id=project_id,
        status=status.value if status else None,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    items = await service.views(session, rows)
    return ReferralPage(
        items=[ReferralOut.model_validate(r) for r in items[:limit]],
        next_cursor=_next(items, limit),
    )


@router.get("/staff/referrals/{referral_id}", response_model=ReferralDetail)
async def get_referral(
    referral_id: RecordId, session: Session, actor: RequireAssistanceRead
) -> ReferralDetail:
    """One referral with its services; 404 outside the caller's jurisdiction."""
    referral = await service.staff_referral(session, actor, referral_id)
    return ReferralDetail.model_validate(await service.detail(session, referral))


@router.post("/staff/referrals/{referral_id}/cancel", response_model=ReferralDetail)
async def cancel_referral(
    referral_id: RecordId, body: ReferralCancel, session: Session, actor: RequireAssistanceWork
) -> ReferralDetail:
    """Withdraw a referral not yet completed, with a reason."""
    referral = await service.cancel(session, actor, referral_id, body)
    return ReferralDetail.model_validate(await service.detail(session, referral))


@router.get("/staff/projects/{project_id}/time-bank", response_model=list[VolunteerTotal])
async def time_bank(
    project_id: RecordId, session: Session, actor: RequireAssistanceRead
) -> list[VolunteerTotal]:
    """Volunteers' hours credited on a project (时间银行), most first."""
    if await assistance.get_project(session, actor, project_id) is None:
        raise project_not_found()
    rows = await repository.volunteer_totals(session, project_id)
    return [VolunteerTotal(volunteer=r.volunteer, hours=r.hours, services=r.services) for r in rows]


# ---- the organization ----


@router.get("/agency/referrals", response_model=AgencyReferralPage)
async def agency_referrals(
    session: Session,
    actor: CurrentAgency,
    status: ReferralStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AgencyReferralPage:
    """The organization's own referrals, newest first."""
    organization = await service.organization_of(session, actor)
    rows = await repository.page(
        session,
        repository.own_referrals(organization.id),
        status=status.value if status else None,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    items = await service.views(session, rows)
    return AgencyReferralPage(
        items=[AgencyReferral.model_validate(r) for r in items[:limit]],
        next_cursor=_next(items, limit),
    )


async def _agency_detail(session: Session, referral: object) -> AgencyReferralDetail:
    from app.models.assistance import Referral

    assert isinstance(referral, Referral)
    return AgencyReferralDetail.model_validate(await service.detail(session, referral))


@router.get("/agency/referrals/{referral_id}", response_model=AgencyReferralDetail)
async def agency_referral(
    referral_id: RecordId, session: Session, actor: CurrentAgency
) -> AgencyReferralDetail:
    """One of the organization's referrals; 404 for anyone else's."""
    _org, referral = await service.own_referral(session, actor, referral_id)
    return await _agency_detail(session, referral)


@router.post("/agency/referrals/{referral_id}/accept", response_model=AgencyReferralDetail)
async def accept_referral(
    referral_id: RecordId, session: Session, actor: CurrentAgency, body: AcceptIn | None = None
) -> AgencyReferralDetail:
    """Accept: one of the project's places is taken (409 ``project_full`` when none is left)."""
    referral = await service.accept(session, actor, referral_id, body or AcceptIn())
    return await _agency_detail(session, referral)


@router.post("/agency/referrals/{referral_id}/decline", response_model=AgencyReferralDetail)
async def decline_referral(
    referral_id: RecordId, body: DeclineIn, session: Session, actor: CurrentAgency
) -> AgencyReferralDetail:
    """Decline, with a reason the worker reads."""
    referral = await service.decline(session, actor, referral_id, body)
    return await _agency_detail(session, referral)


@router.post("/agency/referrals/{referral_id}/services", status_code=201, response_model=ServiceOut)
async def record_service(
    referral_id: RecordId,
    body: ServiceIn,
    session: Session,
    actor: CurrentAgency,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A service delivered (date, hours, what; volunteers' hours for the time bank); it lands
    in the household's assistance ledger."""

    async def create() -> tuple[int, object]:
        record = await service.record_service(session, actor, referral_id, body)
        return 201, ServiceOut.model_validate(record).model_dump(mode="json")

    fingerprint = {"referral_id": referral_id, "service": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status)


@router.post("/agency/referrals/{referral_id}/complete", response_model=AgencyReferralDetail)
async def complete_referral(
    referral_id: RecordId, body: CompleteIn, session: Session, actor: CurrentAgency
) -> AgencyReferralDetail:
    """Close the referral with its outcome; the place is given back."""
    referral = await service.complete(session, actor, referral_id, body)
    return await _agency_detail(session, referral)
