"""SQL for warnings. Every read goes through :func:`readable_statement`: staff see the
warnings of their jurisdiction (the warning's region and everything below theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.kit.actor import Actor
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning, WarningEvent
from app.regions.jurisdiction import in_subtree


@dataclass(frozen=True)
class WarningFilter:
    status: str | None = None
    level: str | None = None
    rule: str | None = None
    region_code: str | None = None
    household_id: int | None = None
    assignee_id: int | None = None
    overdue_at: datetime | None = None  # dispatched and due before this


def readable_statement(actor: Actor) -> Select[EarlyWarning]:
    """Warnings the actor may see: staff their jurisdiction; nobody else any."""
    if actor.kind == "staff" and actor.region_code:
        return select(EarlyWarning).where(in_subtree(EarlyWarning.region_code, actor.region_code))
    raise Forbidden("仅限辖区工作人员", code="staff_only")


def _filtered(actor: Actor, f: WarningFilter) -> Select[EarlyWarning]:
    stmt = readable_statement(actor)
    if f.status:
        stmt = stmt.where(EarlyWarning.status == f.status)
    if f.level:
        stmt = stmt.where(EarlyWarning.level == f.level)
    if f.rule:
        stmt = stmt.where(EarlyWarning.rule_code == f.rule)
    if f.region_code:
        stmt = stmt.where(in_subtree(EarlyWarning.region_code, f.region_code))
    if f.household_id is not None:
        stmt = stmt.where(EarlyWarning.household_id == f.household_id)
    if f.assignee_id is not None:
        stmt = stmt.where(EarlyWarning.assignee_id == f.assignee_id)
    if f.overdue_at is not None:
        stmt = stmt.where(EarlyWarning.status == "dispatched", EarlyWarning.due_at < f.overdue_at)
    return stmt


async def list_warnings(
    session: AsyncSession, actor: Actor, f: WarningFilter, *, before_id: int | None, limit: int
) -> list[EarlyWarning]:
    """Newest first, keyset-paged by id."""
    stmt = _filtered(actor, f)
    if before_id is not None:
        stmt = stmt.where(EarlyWarning.id < before_id)
    return list(await session.scalars(stmt.order_by(EarlyWarning.id.desc()).limit(limit)))


async def get_readable(
    session: AsyncSession, actor: Actor, warning_id: int, *, for_update: bool = False
) -> EarlyWarning | None:
    stmt = readable_statement(actor).where(EarlyWarning.id == warning_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def open_warning(
    session: AsyncSession, rule_code: str, subject_key: str
) -> EarlyWarning | None:
    """The subject's warning of this rule still being worked on, locked for the change."""
    return await session.scalar(
        select(EarlyWarning)
        .where(
            EarlyWarning.rule_code == rule_code,
            EarlyWarning.subject_key == subject_key,
            EarlyWarning.status.in_(OPEN_WARNING_STATUSES),
        )
        .with_for_update()
    )


async def history(session: AsyncSession, warning_id: int) -> list[WarningEvent]:
    """A warning's steps, oldest first (read after the warning was found as readable)."""
    return list(
        await session.scalars(
            select(WarningEvent)
            .where(WarningEvent.warning_id == warning_id)
            .order_by(WarningEvent.id)
        )
    )


def _seconds(dialect: str, later: Any, earlier: Any) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


async def summary(
    session: AsyncSession, actor: Actor, f: WarningFilter, *, at: datetime
) -> dict[str, Any]:
    """Counts by status, level, rule and region over the filtered warnings, overdue ones, and
    the average hours from the signal (or the opening) to resolution."""
    base = _filtered(actor, f).subquery("w")
    dialect = session.get_bind().dialect.name

    async def counts(column: Any) -> dict[str, int]:
        rows = await session.execute(select(column, func.count()).group_by(column))
        return {str(key): int(n) for key, n in rows.all()}

    open_only = base.c.status.in_(("open", "dispatched", "verified"))
    by_status = await counts(base.c.status)
    rows = await session.execute(
        select(base.c.level, func.count()).where(open_only).group_by(base.c.level)
    )
    by_level = {str(k): int(n) for k, n in rows.all()}
    rows = await session.execute(
        select(base.c.rule_code, func.count()).where(open_only).group_by(base.c.rule_code)
    )
    by_rule = {str(k): int(n) for k, n in rows.all()}
    rows = await session.execute(
        select(base.c.region_code, func.count()).where(open_only).group_by(base.c.region_code)
    )
    by_region = {str(k): int(n) for k, n in rows.all()}
    overdue = await session.scalar(
        select(func.count()).where(base.c.status == "dispatched", base.c.due_at < at)
    )
    start = func.coalesce(base.c.last_signal_at, base.c.opened_at)
    seconds = cast(_seconds(dialect, base.c.closed_at, start), Float)
    resolved = await session.execute(
        select(func.count(), func.avg(seconds)).where(base.c.status == "resolved")
    )
    resolved_count, average = resolved.one()
    return {
        "by_status": by_status,
        "open_by_level": by_level,
        "open_by_rule": by_rule,
        "open_by_region": by_region,
        "overdue": int(overdue or 0),
        "resolved": int(resolved_count or 0),
        "hours_signal_to_resolution": (
            None if average is None else round(float(average) / 3600, 1)
        ),
    }
