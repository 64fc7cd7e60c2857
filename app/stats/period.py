"""The bureau's figures over a period, each set-based: the applications funnel and its
processing times, warnings by level, rule and route with the time to close them, and what the
ledger records as given (the figures on a day are in ``app/stats/repository.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.application import Application, ApplicationEvent
from app.models.household import Household, LedgerEntry
from app.models.warning import EarlyWarning
from app.stats.repository import Scope


@dataclass(frozen=True)
class Funnel:
    by_status: dict[str, int]
    accepted: int
    decided: int
    approved: int
    decided_in_time: int
    hours_to_accept: float | None
    hours_to_decide: float | None


def _hours(dialect: str, later: Any, earlier: Any) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


async def funnel(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime, limit_days: int
) -> Funnel:
    """Applications submitted in the period: where they are now, how many were accepted and
    decided, and the average hours from submission to acceptance and to decision."""
    dialect = session.get_bind().dialect.name
    accepted_at = (
        select(func.min(ApplicationEvent.at))
        .where(
            ApplicationEvent.application_id == Application.id,
            ApplicationEvent.to_status == "accepted",
        )
        .correlate(Application)
        .scalar_subquery()
    )
    base = (
        select(
            Application.status.label("status"),
            Application.created_at.label("created_at"),
            Application.decided_at.label("decided_at"),
            accepted_at.label("accepted_at"),
        )
        .where(
            scope.holds(Application.region_code),
            Application.created_at >= start,
            Application.created_at < end,
        )
        .subquery()
    )
    by_status = {
        str(s): int(n)
        for s, n in await session.execute(
            select(base.c.status, func.count()).group_by(base.c.status)
        )
    }
    to_accept = _hours(dialect, base.c.accepted_at, base.c.created_at)
    to_decide = _hours(dialect, base.c.decided_at, base.c.created_at)
    row = (
        await session.execute(
            select(
                func.count(base.c.accepted_at),
                func.count(base.c.decided_at),
                func.sum(case((base.c.status == "approved", 1), else_=0)),
                func.sum(case((to_decide <= limit_days * 24, 1), else_=0)),
                func.avg(to_accept),
                func.avg(to_decide),
            )
        )
    ).one()
    return Funnel(
        by_status=by_status,
        accepted=int(row[0] or 0),
        decided=int(row[1] or 0),
        approved=int(row[2] or 0),
        decided_in_time=int(row[3] or 0),
        hours_to_accept=None if row[4] is None else round(float(row[4]), 1),
        hours_to_decide=None if row[5] is None else round(float(row[5]), 1),
    )


async def warnings_opened(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> tuple[list[tuple[str, str, str | None, str, int, int]], float | None]:
    """Warnings opened in the period by level, rule, route and status, how many of them were
    closed, and the average hours from the signal to the close."""
    dialect = session.get_bind().dialect.name
    signal = func.coalesce(EarlyWarning.last_signal_at, EarlyWarning.opened_at)
    where = and_(
        scope.holds(EarlyWarning.region_code),
        EarlyWarning.opened_at >= start,
        EarlyWarning.opened_at < end,
    )
    rows = await session.execute(
        select(
            EarlyWarning.level,
            EarlyWarning.rule_code,
            EarlyWarning.route,
            EarlyWarning.status,
            func.count(),
            func.count(EarlyWarning.closed_at),
        )
        .where(where)
        .group_by(
            EarlyWarning.level, EarlyWarning.rule_code, EarlyWarning.route, EarlyWarning.status
        )
    )
    groups = [
        (str(level), str(rule), None if route is None else str(route), str(status), int(n), int(c))
        for level, rule, route, status, n, c in rows
    ]
    hours = await session.scalar(
        select(func.avg(_hours(dialect, EarlyWarning.closed_at, signal))).where(
            where, EarlyWarning.closed_at.is_not(None)
        )
    )
    return groups, None if hours is None else round(float(hours), 1)


async def payments(
    session: AsyncSession, scope: Scope, start: date, end: date
) -> list[tuple[str, Decimal, int, int]]:
    """Ledger entries dated in the period by kind: amount, entries, households."""
    rows = await session.execute(
        select(
            LedgerEntry.kind,
            func.coalesce(func.sum(LedgerEntry.amount), 0),
            func.count(),
            func.count(func.distinct(LedgerEntry.household_id)),
        )
        .join(Household, Household.id == LedgerEntry.household_id)
        .where(scope.holds(Household.region_code), LedgerEntry.date.between(start, end))
        .group_by(LedgerEntry.kind)
        .order_by(LedgerEntry.kind)
    )
    return [(str(k), Decimal(str(a)), int(n), int(h)) for k, a, n, h in rows]
