"""Demo visits for ``seed-demo``: the demo workers are assigned their areas' households, and
most of Liucheng street's households (and some elsewhere) have past visits, so worklists and
figures show something. Safe to run twice: nothing is added once any visit exists."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.crypto import get_cipher
from app.kit.timeutil import local_today, local_zone
from app.models.account import Staff
from app.models.household import Household
from app.models.visit import Visit, VisitSchedule
from app.regions.jurisdiction import in_subtree
from app.schedules.recompute import recompute

# Who is assigned what: a community's worker its community, the street's station the rest of
# the street.
ASSIGNMENTS = (("liucheng_station", "510115001000"), ("guanghua", "510115001001"))
VISITED_STREET = "510115001000"  # 柳城街道: nearly every household visited
NOTES = ("例行走访，生活基本稳定", "老人腿脚不便，已提醒按时复查", "孩子上学正常，收入无变化")
MET = (["户主"], ["户主", "配偶"], ["户主", "子女"])
CHECKLIST = {"housing": "ok", "food": "ok", "health": "concern", "income_change": "ok"}


async def seed_visits(session: AsyncSession) -> int:
    """Assign the demo workers and record past visits; returns how many visits were added."""
    if await session.scalar(select(Visit.id).limit(1)) is not None:
        return 0
    await recompute(session)  # households loaded in bulk get their schedules
    workers: dict[str, int] = {}
    for username, region in ASSIGNMENTS:
        staff_id = await session.scalar(select(Staff.id).where(Staff.username == username))
        if staff_id is None:
            continue
        workers[username] = staff_id
        chosen = select(Household.id).where(in_subtree(Household.region_code, region))
        await session.execute(
            update(VisitSchedule)
            .where(VisitSchedule.household_id.in_(chosen))
            .values(assignee_id=staff_id, assigned_at=func.now())
            .execution_options(synchronize_session=False)
        )
    visitor = workers.get("liucheng_station") or workers.get("guanghua")
    if visitor is None:
        return 0
    households = (
        await session.execute(
            select(
                Household.id,
                Household.region_code,
                Household.risk_level,
                Household.created_at,
                VisitSchedule.assignee_id,
            )
            .join(VisitSchedule, VisitSchedule.household_id == Household.id)
            .where(Household.status == "active")
            .order_by(Household.id)
        )
    ).all()
    cipher = get_cipher()
    notes = [cipher.encrypt(note) for note in NOTES]
    today = local_today()
    rows: list[dict[str, Any]] = []
    for h in households:
        in_street = h.region_code.startswith(VISITED_STREET[:9])
        if not in_street and h.id % 5:
            continue  # a fifth of the rest of the district
        # One to three visits in the last half year, spread by the household's id.
        for n in range(1 + h.id % 3):
            age = 3 + (h.id * 37 + n * 61) % 170
            visited_on = today - timedelta(days=age)
            visited_at = datetime.combine(
                visited_on, time(9 + (h.id + n) % 8, (h.id * 7) % 60), local_zone()
            )
            if visited_at <= h.created_at:
                continue
            late = (h.id + n) % 7 == 0  # about one visit in seven after its due date
            rows.append(
                {
                    "household_id": h.id,
                    "staff_id": h.assignee_id or visitor,
                    "region_code": h.region_code,
                    "visited_at": visited_at,
                    "visited_on": visited_on,
                    "met": MET[(h.id + n) % 3],
                    "checklist": CHECKLIST,
                    "notes_enc": notes[(h.id + n) % 3],
                    "risk_level_before": h.risk_level,
                    "risk_level_after": h.risk_level,
                    "risk_applied": True,
                    "due_on": visited_on + timedelta(days=-5 if late else 10),
                    "on_time": not late,
                }
            )
    if rows:
        await session.execute(insert(Visit), rows)
    latest = (
        select(func.max(Visit.visited_at))
        .where(Visit.household_id == VisitSchedule.household_id)
        .scalar_subquery()
    )
    await session.execute(
        update(VisitSchedule)
        .values(last_visit_at=latest)
        .execution_options(synchronize_session=False)
    )
    last = (
        select(Visit.id, Visit.visited_on)
        .where(
            Visit.household_id == VisitSchedule.household_id,
            Visit.visited_at == VisitSchedule.last_visit_at,
        )
        .limit(1)
    )
    await session.execute(
        update(VisitSchedule)
        .where(VisitSchedule.last_visit_at.is_not(None))
        .values(
            last_visit_id=last.with_only_columns(Visit.id).scalar_subquery(),
            last_visit_on=last.with_only_columns(Visit.visited_on).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    await recompute(session)
    return len(rows)
