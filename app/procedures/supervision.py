"""Supervision (督办): every overdue step per street and district with its days over, and the
share of cases decided within their limit per month. Set-based SQL over the caller's
jurisdiction (the procedures of the applications they may read)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.dependencies import RequireCasesRead
from app.db.deps import Session
from app.kit.params import RegionCodeQuery
from app.kit.schemas import Schema
from app.procedures import dates, repository
from app.procedures.spec import STEPS

router = APIRouter(prefix="/staff/supervision", tags=["statutory procedures"])
LABELS = {s.code: s.label for steps in STEPS.values() for s in steps}


class OverdueStep(Schema):
    application_id: int
    reference: str
    category: str
    step: str
    label: str
    region_code: str
    street_code: str
    street_name: str
    due_on: date
    days_over: int


class StreetOverdue(Schema):
    street_code: str
    street_name: str
    steps: int
    max_days_over: int


class OverdueReport(Schema):
    on: date
    district: StreetOverdue
    streets: list[StreetOverdue]
    items: list[OverdueStep]
    truncated: bool


class MonthShare(Schema):
    month: str
    decided: int
    within_limit: int
    share: float | None


class OnTimeReport(Schema):
    year: int
    months: list[MonthShare]


@router.get("/overdue", response_model=OverdueReport)
async def overdue(
    session: Session,
    actor: RequireCasesRead,
    region_code: RegionCodeQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OverdueReport:
    """Every pending step past its due date, most overdue first, with counts per street and
    for the whole district."""
    today = dates.today()
    street_rows, item_rows = await repository.overdue_steps(
        session, actor, region_code, today, limit + 1
    )
    streets = [StreetOverdue.model_validate(r) for r in street_rows]
    items = [
        OverdueStep(**r, label=LABELS.get(str(r["step"]), str(r["step"])))
        for r in item_rows[:limit]
    ]
    total = sum(s.steps for s in streets)
    top = region_code or actor.region_code or ""
    names = await repository.region_name(session, top)
    return OverdueReport(
        on=today,
        district=StreetOverdue(
            street_code=top,
            street_name=names or "",
            steps=total,
            max_days_over=max((s.max_days_over for s in streets), default=0),
        ),
        streets=streets,
        items=items,
        truncated=len(item_rows) > limit,
    )


@router.get("/on-time", response_model=OnTimeReport)
async def on_time(
    session: Session,
    actor: RequireCasesRead,
    year: Annotated[int, Query(ge=2000, le=2100)],
    region_code: RegionCodeQuery = None,
) -> OnTimeReport:
    """Per month of decision: cases decided, and how many within their limit (the overall
    limit where the rules set one, else the decision step's own)."""
    rows = await repository.decided_per_month(session, actor, region_code, year)
    months = [
        MonthShare(
            month=f"{year}-{int(r.month):02d}",
            decided=r.decided,
            within_limit=r.within_limit,
            share=round(r.within_limit / r.decided, 4) if r.decided else None,
        )
        for r in rows
    ]
    return OnTimeReport(year=year, months=months)
