"""The worklist's SQL. Due dates are read from ``visit_schedules.next_due_on``, which
:mod:`app.schedules.recompute` keeps in step (set-based), so a worklist is an index range over
the households :func:`app.visits.repository.readable_statement` lets the caller see, never a
computation over every household."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
    case,
    func,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.kit.actor import Actor
from app.models.household import Household
from app.models.visit import VisitSchedule
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning
from app.regions.jurisdiction import subtree_bounds

RISK_RANK = case(
    (Household.risk_level == "high", 0), (Household.risk_level == "medium", 1), else_=2
)


@dataclass(frozen=True)
class DueFilter:
    region_code: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    category: str | None = None
    risk_level: str | None = None
    household_id: int | None = None


def open_warnings_sql() -> ColumnElement[int]:
    """Warnings about the household still being worked on (one index probe per row)."""
    return (
        select(func.count())
        .select_from(EarlyWarning)
        .where(
            EarlyWarning.household_id == Household.id,
            EarlyWarning.status.in_(OPEN_WARNING_STATUSES),
        )
        .correlate(Household)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Shape:
    """Which filters a worklist query has: one built statement per shape, reused with new
    parameters (building and keying a statement costs more than the indexed query itself)."""

    region: bool
    assignee: bool
    unassigned: bool
    category: str | None  # None (no filter), "none" (no category yet) or "value"
    risk: bool
    household: bool
    overdue: bool = False
    after: bool = False


def _shape(f: DueFilter, *, overdue: bool = False, after: bool = False) -> _Shape:
    return _Shape(
        region=bool(f.region_code),
        assignee=f.assignee_id is not None,
        unassigned=f.unassigned,
        category=None if not f.category else ("none" if f.category == "none" else "value"),
        risk=bool(f.risk_level),
        household=f.household_id is not None,
        overdue=overdue,
        after=after,
    )


def _params(actor: Actor, f: DueFilter, today: date, until: date) -> dict[str, Any]:
    """The values for a shape's statement; the jurisdiction first (staff only)."""
    if actor.kind != "staff" or not actor.region_code:
        raise Forbidden("仅限辖区工作人员", code="staff_only")
    scope_low, scope_high = subtree_bounds(actor.region_code)
    params: dict[str, Any] = {
        "scope_low": scope_low,
        "scope_high": scope_high,
        "today": today,
        "until": until,
    }
    if f.region_code:
        params["region_low"], params["region_high"] = subtree_bounds(f.region_code)
    if f.assignee_id is not None:
        params["assignee_id"] = f.assignee_id
    if f.category and f.category != "none":
        params["category"] = f.category
    if f.risk_level:
        params["risk_level"] = f.risk_level
    if f.household_id is not None:
        params["household_id"] = f.household_id
    return params


def _due_rows(shape: _Shape) -> Subquery:
    """Active households in the jurisdiction (``scope_low``..``scope_high``, the same rule as
    :func:`readable_statement`) with their stored next due date, risk rank and open warnings."""
    stmt = (
        select(
            Household.id.label("household_id"),
            Household.reference,
            Household.region_code,
            Household.category,
            Household.risk_level,
            VisitSchedule.last_visit_at,
            VisitSchedule.next_due_on,
            open_warnings_sql().label("open_warnings"),
            VisitSchedule.assignee_id,
            RISK_RANK.label("risk_rank"),
        )
        .select_from(Household)
        .join(VisitSchedule, VisitSchedule.household_id == Household.id)
        .where(
            Household.region_code.between(
                bindparam("scope_low", type_=String()), bindparam("scope_high", type_=String())
            ),
            Household.status == "active",
            VisitSchedule.next_due_on <= bindparam("until", type_=Date()),
        )
    )
    if shape.region:
        stmt = stmt.where(
            Household.region_code.between(
                bindparam("region_low", type_=String()),
                bindparam("region_high", type_=String()),
            )
        )
    if shape.assignee:
        stmt = stmt.where(VisitSchedule.assignee_id == bindparam("assignee_id", type_=Integer()))
    if shape.unassigned:
        stmt = stmt.where(VisitSchedule.assignee_id.is_(None))
    if shape.category == "none":
        stmt = stmt.where(Household.category.is_(None))
    elif shape.category:
        stmt = stmt.where(Household.category == bindparam("category", type_=String()))
    if shape.risk:
        stmt = stmt.where(Household.risk_level == bindparam("risk_level", type_=String()))
    if shape.household:
        stmt = stmt.where(Household.id == bindparam("household_id", type_=Integer()))
    return stmt.subquery("due")


def _urgency(due: Subquery) -> tuple[Any, ...]:
    """Most urgent first: earliest due (most overdue), highest risk, most open warnings."""
    return (due.c.next_due_on, due.c.risk_rank, -due.c.open_warnings, due.c.household_id)


@functools.lru_cache(maxsize=256)
def page_statement(shape: _Shape) -> Select[Any]:
    due = _due_rows(shape)
    stmt = select(due)
    if shape.overdue:
        stmt = stmt.where(due.c.next_due_on < bindparam("today", type_=Date()))
    if shape.after:
        stmt = stmt.where(
            tuple_(*_urgency(due))
            > tuple_(
                bindparam("after_day", type_=Date()),
                bindparam("after_rank", type_=Integer()),
                bindparam("after_warnings", type_=Integer()),
                bindparam("after_id", type_=Integer()),
            )
        )
    return stmt.order_by(*_urgency(due)).limit(bindparam("limit", type_=Integer()))


@functools.lru_cache(maxsize=256)
def counts_statement(shape: _Shape) -> Select[Any]:
    due = _due_rows(shape)
    today = bindparam("today", type_=Date())

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return select(
        func.count(),
        count_if(due.c.next_due_on < today),
        count_if(due.c.next_due_on == today),
        count_if(due.c.assignee_id.is_(None)),
    )


def worklist_query(
    actor: Actor,
    f: DueFilter,
    *,
    today: date,
    until: date,
    overdue_only: bool = False,
    after: tuple[date, int, int, int] | None = None,
    limit: int = 21,
) -> tuple[Select[Any], dict[str, Any]]:
    """The page statement for these filters and its parameters (for the benchmark's plan)."""
    params = _params(actor, f, today, until) | {"limit": limit}
    if after is not None:
        day, rank, warnings, household_id = after
        params |= {
            "after_day": day,
            "after_rank": rank,
            "after_warnings": -warnings,
            "after_id": household_id,
        }
    return page_statement(_shape(f, overdue=overdue_only, after=after is not None)), params


async def worklist(
    session: AsyncSession,
    actor: Actor,
    f: DueFilter,
    *,
    today: date,
    until: date,
    overdue_only: bool,
    after: tuple[date, int, int, int] | None,
    limit: int,
) -> list[Any]:
    stmt, params = worklist_query(
        actor, f, today=today, until=until, overdue_only=overdue_only, after=after, limit=limit
    )
    return list((await session.execute(stmt, params)).all())


async def worklist_counts(
    session: AsyncSession, actor: Actor, f: DueFilter, *, today: date, until: date
) -> dict[str, int]:
    params = _params(actor, f, today, until)
    row = (await session.execute(counts_statement(_shape(f)), params)).one()
    total, overdue, due_today, unassigned = (int(v or 0) for v in row)
    return {"total": total, "overdue": overdue, "due_today": due_today, "unassigned": unassigned}
