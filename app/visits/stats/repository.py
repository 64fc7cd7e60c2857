"""Grouped SQL for visit figures: two aggregate statements (visits made, visits still owed),
each over the caller's jurisdiction, never a loop over households."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.kit.actor import Actor
from app.models.household import Household
from app.models.visit import Visit, VisitSchedule
from app.regions.jurisdiction import in_subtree
from app.visits.repository import readable_statement


class GroupBy(StrEnum):
    worker = "worker"
    community = "community"
    street = "street"
    month = "month"


def _street(region: Any) -> ColumnElement[str]:
    return func.substr(region, 1, 9) + literal("000", String)


def _month(day: Any) -> ColumnElement[str]:
    # ISO text on both backends (SQLite keeps dates as text, PostgreSQL casts in ISO style).
    return func.substr(cast(day, String), 1, 7)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def made(
    session: AsyncSession, actor: Actor, group_by: GroupBy, start: date, end: date
) -> list[Any]:
    """Visits whose due date fell in the period, per group: on time and late."""
    if actor.kind != "staff" or not actor.region_code:
        raise Forbidden("仅限辖区工作人员", code="staff_only")
    keys: dict[GroupBy, Any] = {
        GroupBy.worker: cast(Visit.staff_id, String),
        GroupBy.community: Visit.region_code,
        GroupBy.street: _street(Visit.region_code),
        GroupBy.month: _month(Visit.due_on),
    }
    key = keys[group_by].label("key")
    stmt = (
        select(
            key,
            _count_if(Visit.on_time).label("on_time"),
            _count_if(~Visit.on_time).label("late"),
        )
        .where(
            in_subtree(Visit.region_code, actor.region_code),
            Visit.due_on.between(start, end),
        )
        .group_by(key)
    )
    return list((await session.execute(stmt)).all())


async def owed(
    session: AsyncSession,
    actor: Actor,
    group_by: GroupBy,
    start: date,
    end: date,
    today: date,
) -> list[Any]:
    """Per group: visits due in the period and not yet made (overdue when already past), and
    the active households with how many are within their cycle today."""
    keys: dict[GroupBy, Any] = {
        GroupBy.worker: cast(VisitSchedule.assignee_id, String),
        GroupBy.community: Household.region_code,
        GroupBy.street: _street(Household.region_code),
        GroupBy.month: _month(VisitSchedule.next_due_on),
    }
    key = keys[group_by].label("key")
    in_period = VisitSchedule.next_due_on.between(start, end)
    stmt = readable_statement(
        actor,
        key,
        _count_if(in_period).label("pending"),
        _count_if(in_period & (VisitSchedule.next_due_on < today)).label("overdue"),
        func.count().label("households"),
        _count_if(VisitSchedule.next_due_on >= today).label("within_cycle"),
    ).where(Household.status == "active", VisitSchedule.next_due_on.is_not(None))
    if group_by == GroupBy.month:
        stmt = stmt.where(in_period)
    return list((await session.execute(stmt.group_by(key))).all())


async def households_now(session: AsyncSession, actor: Actor, today: date) -> tuple[int, int]:
    """Active households in the jurisdiction, and those within their cycle today."""
    stmt = readable_statement(
        actor, func.count(), _count_if(VisitSchedule.next_due_on >= today)
    ).where(Household.status == "active", VisitSchedule.next_due_on.is_not(None))
    total, within = (await session.execute(stmt)).one()
    return int(total or 0), int(within or 0)
