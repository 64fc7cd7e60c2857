"""Figures of precision assistance, over the households the caller may read: needs met and
open, referral acceptance and time to first service, hours delivered per project."""

from __future__ import annotations

import statistics
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.repository import readable_household_ids
from app.kit.actor import Actor
from app.kit.timeutil import to_local
from app.models.assistance import Need, Project, Referral, ServiceRecord
from app.models.household import Household
from app.regions.jurisdiction import in_subtree

TOP_PROJECTS = 100


def _households(actor: Actor, region_code: str | None) -> Select[Any]:
    stmt = readable_household_ids(actor)
    if region_code:
        stmt = stmt.where(in_subtree(Household.region_code, region_code))
    return stmt


async def figures(session: AsyncSession, actor: Actor, region_code: str | None) -> dict[str, Any]:
    """Every figure in a few grouped statements."""
    homes = _households(actor, region_code)
    needs = dict(
        (
            await session.execute(
                select(Need.status, func.count())
                .where(Need.household_id.in_(homes))
                .group_by(Need.status)
            )
        ).all()
    )
    referrals = dict(
        (
            await session.execute(
                select(Referral.status, func.count())
                .where(Referral.household_id.in_(homes))
                .group_by(Referral.status)
            )
        ).all()
    )
    responded = int(
        await session.scalar(
            select(func.count()).where(
                Referral.household_id.in_(homes), Referral.responded_at.is_not(None)
            )
        )
        or 0
    )
    declined = int(referrals.get("declined", 0))
    firsts = (
        await session.execute(
            select(Referral.sent_at, Referral.first_service_on).where(
                Referral.household_id.in_(homes), Referral.first_service_on.is_not(None)
            )
        )
    ).all()
    days = [(first - to_local(sent).date()).days for sent, first in firsts if first is not None]
    hours = (
        await session.execute(
            select(
                ServiceRecord.project_id,
                Project.name,
                func.sum(ServiceRecord.hours).label("hours"),
                func.count().label("services"),
                func.count(distinct(ServiceRecord.household_id)).label("households"),
            )
            .join(Project, Project.id == ServiceRecord.project_id)
            .where(ServiceRecord.household_id.in_(homes))
            .group_by(ServiceRecord.project_id, Project.name)
            .order_by(func.sum(ServiceRecord.hours).desc(), ServiceRecord.project_id)
            .limit(TOP_PROJECTS)
        )
    ).all()
    return {
        "region_code": region_code or actor.region_code,
        "needs": {s: int(needs.get(s, 0)) for s in ("open", "met", "closed")},
        "referrals": {
            s: int(referrals.get(s, 0))
            for s in ("sent", "accepted", "declined", "completed", "cancelled")
        },
        "acceptance_rate": round((responded - declined) / responded, 4) if responded else None,
        "median_days_to_first_service": statistics.median(days) if days else None,
        "hours_by_project": [
            {
                "project_id": r.project_id,
                "name": r.name,
                "hours": r.hours,
                "services": r.services,
                "households": r.households,
            }
            for r in hours
        ],
    }
