"""Category decisions (district officers) and the history of decisions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireCategoriesDecide, RequireHouseholdsRead
from app.db.deps import Session
from app.households import flows, views
from app.households.categories import service as categories
from app.households.categories.schemas import (
    CategoryDecision,
    CategoryHistoryPage,
)
from app.households.schemas import HouseholdDetail
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.kit.params import RecordId

router = APIRouter(prefix="/staff", tags=["registry"])

Reader = RequireHouseholdsRead
Decider = RequireCategoriesDecide


@router.post("/households/{household_id}/category", response_model=HouseholdDetail)
async def decide_category(
    household_id: RecordId,
    body: CategoryDecision,
    session: Session,
    actor: Decider,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Enrol in a category, change it, or exit (district officers); a decision dated after
    today is scheduled and takes effect on its date (``scheduled_change`` on the household)."""

    async def decide() -> tuple[int, object]:
        household = await flows.decide_category(session, actor, household_id, body)
        return 200, (await views.detail(session, household)).model_dump(mode="json")

    fingerprint = {"household_id": household_id, "decision": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, decide)
    return JSONResponse(payload, status_code=status)


@router.delete("/households/{household_id}/category/scheduled", response_model=HouseholdDetail)
async def cancel_scheduled_category(
    household_id: RecordId, session: Session, actor: Decider
) -> HouseholdDetail:
    """Withdraw a category decision dated in the future, before its date (district officers)."""
    household = await categories.cancel_scheduled(session, actor, household_id)
    return await views.detail(session, household)


@router.get("/households/{household_id}/category-history", response_model=CategoryHistoryPage)
async def category_history(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CategoryHistoryPage:
    """Every enrolment, change and exit, newest first, with the standard then in force."""
    return await categories.history(session, actor, household_id, limit, cursor)
