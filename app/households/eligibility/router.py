"""Eligibility of one household and the mismatch worklist (households_read, jurisdiction)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.dependencies import RequireHouseholdsRead
from app.db.deps import Session
from app.households.eligibility import service
from app.households.eligibility.schemas import EligibilityOut, MismatchPage, Suggestion
from app.kit import audit
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id
from app.kit.params import RecordId, RegionCodeQuery
from app.kit.timeutil import local_today

router = APIRouter(prefix="/staff", tags=["eligibility"])

Reader = RequireHouseholdsRead
OnDate = Annotated[
    date | None, Query(description="测算日期，默认今天（北京时间）", ge=date(1990, 1, 1))
]


@router.get("/households/{household_id}/eligibility", response_model=EligibilityOut)
async def eligibility(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    on: OnDate = None,
) -> EligibilityOut:
    """Which categories the household qualifies for on a date, step by step; audited (it
    reads the members' income, health and disability)."""
    day = on or local_today()
    result = await service.household_eligibility(session, actor, household_id, day)
    await audit.record(
        session, actor, "household.eligibility_view", "household", household_id, {"on": str(day)}
    )
    return result


@router.get("/eligibility/mismatches", response_model=MismatchPage)
async def mismatches(
    session: Session,
    actor: Reader,
    region_code: RegionCodeQuery = None,
    suggested: Suggestion | None = None,
    on: OnDate = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> MismatchPage:
    """Households whose category no longer matches their data, and uncategorised ones that
    now qualify, newest first."""
    before_id = after_id(cursor)
    return await service.mismatches(
        session,
        actor,
        on=on or local_today(),
        region_code=region_code,
        suggested=suggested.value if suggested else None,
        before_id=before_id,
        limit=limit,
    )
