"""Supervision (督办): every overdue step per street and district with its days over, and the
share of cases decided within their limit per month. Set-based SQL over the caller's
jurisdiction (the procedures of the applications they may read)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Integer, String, and_, cast, extract, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.dependencies import RequireCasesRead
from app.db.deps import Session
from app.kit.actor import Actor
from app.kit.params import RegionCodeQuery
from app.kit.schemas import Schema
from app.models.application import Application
from app.models.procedure import Procedure, ProcedureStep
from app.models.region import Region
from app.procedures import dates, repository
from app.procedures.spec import STEPS
from app.regions.jurisdiction import in_subtree

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


def _days_between(session: AsyncSession, later: date, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(literal(later) - earlier, Integer)
    return cast(func.julianday(literal(later.isoformat())) - func.julianday(earlier), Integer)


def _scoped(actor: Actor, region_code: str | None) -> Any:
    stmt = repository.readable_statement(actor)
    if region_code:
        stmt = stmt.where(in_subtree(Procedure.region_code, region_code))
    return stmt.subquery()


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
    scoped = _scoped(actor, region_code)
    street = func.substr(scoped.c.region_code, 1, 9, type_=String) + "000"
    days = _days_between(session, today, ProcedureStep.due_on)
    base = (
        select(ProcedureStep, scoped, street.label("street_code"), days.label("days_over"))
        .join(scoped, scoped.c.id == ProcedureStep.procedure_id)
        .where(ProcedureStep.status == "pending", ProcedureStep.due_on < today)
        .subquery()
    )
    streets_q = (
        select(
            base.c.street_code,
            func.coalesce(Region.name, "").label("street_name"),
            func.count().label("steps"),
            func.max(base.c.days_over).label("max_days_over"),
        )
        .outerjoin(Region, Region.code == base.c.street_code)
        .group_by(base.c.street_code, Region.name)
        .order_by(func.count().desc(), base.c.street_code)
    )
    streets = [StreetOverdue.model_validate(r._mapping) for r in await session.execute(streets_q)]
    region = aliased(Region)
    items_q = (
        select(
            base.c.application_id,
            Application.reference,
            base.c.category,
            base.c.step,
            base.c.region_code,
            base.c.street_code,
            func.coalesce(region.name, "").label("street_name"),
            base.c.due_on,
            base.c.days_over,
        )
        .join(Application, Application.id == base.c.application_id)
        .outerjoin(region, region.code == base.c.street_code)
        .order_by(base.c.days_over.desc(), base.c.application_id, base.c.step)
        .limit(limit + 1)
    )
    rows = list(await session.execute(items_q))
    items = [OverdueStep(**r._mapping, label=LABELS.get(r.step, r.step)) for r in rows[:limit]]
    total = sum(s.steps for s in streets)
    top = actor.region_code or ""
    names = await session.scalar(select(Region.name).where(Region.code == top))
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
        truncated=len(rows) > limit,
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
    scoped = _scoped(actor, region_code)
    decision = aliased(ProcedureStep)
    limit_on = func.coalesce(scoped.c.limit_on, decision.due_on)
    month = extract("month", scoped.c.decided_on)
    stmt = (
        select(
            month.label("month"),
            func.count().label("decided"),
            func.count().filter(scoped.c.decided_on <= limit_on).label("within_limit"),
        )
        .select_from(scoped)
        .outerjoin(
            decision,
            and_(decision.procedure_id == scoped.c.id, decision.step == "confirm"),
        )
        .where(scoped.c.decided_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(month)
        .order_by(month)
    )
    months = [
        MonthShare(
            month=f"{year}-{int(r.month):02d}",
            decided=r.decided,
            within_limit=r.within_limit,
            share=round(r.within_limit / r.decided, 4) if r.decided else None,
        )
        for r in await session.execute(stmt)
    ]
    return OnTimeReport(year=year, months=months)
