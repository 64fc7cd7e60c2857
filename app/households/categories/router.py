"""Category decisions (district officers) and the history of decisions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireScope
from app.accounts.scopes import Scope
from app.db.deps import Session
from app.households import repository, service, views
from app.households.categories import service as categories
from app.households.categories.schemas import (
    CategoryChangeOut,
    CategoryDecision,
    CategoryHistoryPage,
)
from app.households.schemas import HouseholdDetail
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_id_cursor, split_page
from app.kit.params import RecordId

router = APIRouter(prefix="/staff", tags=["registry"])

Reader = RequireScope(Scope.households_read)
Decider = RequireScope(Scope.categories_decide)


def _before_id(cursor: str | None) -> int | None:
    return decode_id_cursor(cursor) if cursor else None


@router.post("/households/{household_id}/category", response_model=HouseholdDetail)
async def decide_category(
    household_id: RecordId,
    body: CategoryDecision,
    session: Session,
    actor: Decider,  # type: ignore[valid-type]
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Enrol in a category, change it, or exit (district officers)."""

    async def decide() -> tuple[int, object]:
        household = await categories.decide(session, actor, household_id, body)
        return 200, (await views.detail(session, household)).model_dump(mode="json")

    fingerprint = {"household_id": household_id, "decision": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, decide)
    return JSONResponse(payload, status_code=status)


@router.get("/households/{household_id}/category-history", response_model=CategoryHistoryPage)
async def category_history(
    household_id: RecordId,
    session: Session,
    actor: Reader,  # type: ignore[valid-type]
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CategoryHistoryPage:
    """Every enrolment, change and exit, newest first, with the standard then in force."""
    household = await service.readable(session, actor, household_id)
    rows = await repository.list_category_history(
        session, household.id, before_id=_before_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(rows, limit)
    return CategoryHistoryPage(
        items=[CategoryChangeOut.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )
