"""Service plans (一人一策) for staff."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import (
    RequireAssistanceApprove,
    RequireAssistanceRead,
    RequireAssistanceWork,
)
from app.assistance.plans import service
from app.assistance.plans.schemas import (
    PlanApprove,
    PlanCreate,
    PlanDetail,
    PlanOut,
    PlanPage,
    PlanRevise,
    PlanStatus,
)
from app.db.deps import Session
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id
from app.kit.params import MAX_ID, RecordId

router = APIRouter(prefix="/staff", tags=["assistance"])


@router.get("/service-plans", response_model=PlanPage)
async def list_plans(
    session: Session,
    actor: RequireAssistanceRead,
    household_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: PlanStatus | None = None,
    responsible_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    review_by: Annotated[date | None, Query(description="复评日期不晚于")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> PlanPage:
    """Plans in the caller's jurisdiction, newest first."""
    rows = await service.list_plans(
        session,
        actor,
        household_id=household_id,
        status=status.value if status else None,
        responsible_id=responsible_id,
        review_by=review_by,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        from app.kit.pagination import encode_cursor

        next_cursor = encode_cursor(page[-1]["id"])
    return PlanPage(items=[PlanOut.model_validate(r) for r in page], next_cursor=next_cursor)


@router.post("/service-plans", status_code=201, response_model=PlanDetail)
async def create_plan(
    body: PlanCreate,
    session: Session,
    actor: RequireAssistanceWork,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A plan for a household: goals, needs, chosen projects, responsible worker, review date."""

    async def create() -> tuple[int, object]:
        plan = await service.create_plan(session, actor, body)
        detail = PlanDetail.model_validate(await service.detail(session, plan))
        return 201, detail.model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/service-plans/{plan_id}", response_model=PlanDetail)
async def get_plan(plan_id: RecordId, session: Session, actor: RequireAssistanceRead) -> PlanDetail:
    """A plan with every version, newest first; 404 outside the caller's jurisdiction."""
    plan = await service.get_plan(session, actor, plan_id)
    return PlanDetail.model_validate(await service.detail(session, plan))


@router.put("/service-plans/{plan_id}", response_model=PlanDetail)
async def revise_plan(
    plan_id: RecordId, body: PlanRevise, session: Session, actor: RequireAssistanceWork
) -> PlanDetail:
    """A new version of the plan (a draft again until approved); 409 on a stale version."""
    plan = await service.revise_plan(session, actor, plan_id, body)
    return PlanDetail.model_validate(await service.detail(session, plan))


@router.post("/service-plans/{plan_id}/approve", response_model=PlanDetail)
async def approve_plan(
    plan_id: RecordId, body: PlanApprove, session: Session, actor: RequireAssistanceApprove
) -> PlanDetail:
    """Approve the current version (social-worker stations, streets, the district)."""
    plan = await service.approve_plan(session, actor, plan_id, body)
    return PlanDetail.model_validate(await service.detail(session, plan))
