"""Standards (救助标准): list for a region, set from a date on (district officers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireHouseholdsRead, RequireStandardsWrite
from app.db.deps import Session
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.kit.params import RecordId, RegionCodeQuery
from app.standards import service
from app.standards.repository import StandardKind
from app.standards.schemas import (
    Recalculation,
    RecalculationConfirmed,
    StandardIn,
    StandardOut,
    StandardPage,
)

router = APIRouter(prefix="/staff", tags=["standards"])


@router.get("/standards", response_model=StandardPage)
async def list_standards(
    session: Session,
    actor: RequireHouseholdsRead,
    region_code: RegionCodeQuery = None,
    kind: StandardKind | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> StandardPage:
    """Standards for a region (default: the caller's), its ancestors and subtree, newest first."""
    return await service.list_standards(
        session, actor, region_code, kind=kind, cursor=cursor, limit=limit
    )


@router.post(
    "/standards",
    status_code=201,
    response_model=StandardOut,
    responses={409: {"description": "standard_exists: 同一地区、类别、生效日期已有标准"}},
)
async def create_standard(
    body: StandardIn,
    session: Session,
    actor: RequireStandardsWrite,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Set a standard for a region in the caller's jurisdiction from ``effective_from`` on."""

    async def create() -> tuple[int, object]:
        standard = await service.create_standard(session, actor, body)
        return 201, standard.model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/standards/{standard_id}/recalculation", response_model=Recalculation)
async def standard_recalculation(
    standard_id: RecordId,
    session: Session,
    actor: RequireStandardsWrite,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Recalculation:
    """Households the standard governs, each with its amount now and under the standard."""
    return await service.list_recalculation(session, actor, standard_id, cursor=cursor, limit=limit)


@router.post(
    "/standards/{standard_id}/recalculation/confirm", response_model=RecalculationConfirmed
)
async def confirm_standard_recalculation(
    standard_id: RecordId, session: Session, actor: RequireStandardsWrite
) -> RecalculationConfirmed:
    """Confirm the new amounts of every household listed and not yet confirmed; audited.
    Running it twice confirms nothing more."""
    return await service.confirm_recalculation(session, actor, standard_id)
