"""Referrals made and services delivered in a period (精准救助 in the monthly report): set-based
statements grouped by organization in the database, over the referrals of the area."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actor import Actor
from app.models.assistance import Organization, Referral, ServiceRecord
from app.stats.repository import Scope
from app.stats.service import area_of, day_start

STATUSES = ("sent", "accepted", "declined", "completed", "cancelled")


async def _referrals_made(
    session: AsyncSession, scope: Scope, start: date, end: date
) -> list[tuple[int, str, str, int]]:
    """Referrals sent in the period by organization and status (where they are now)."""
    rows = await session.execute(
        select(Referral.organization_id, Organization.name, Referral.status, func.count())
        .join(Organization, Organization.id == Referral.organization_id)
        .where(
            scope.holds(Referral.region_code),
            Referral.sent_at >= day_start(start),
            Referral.sent_at < day_start(end + timedelta(days=1)),
        )
        .group_by(Referral.organization_id, Organization.name, Referral.status)
    )
    return [(int(o), str(name), str(s), int(n)) for o, name, s, n in rows]


def _delivered(scope: Scope, start: date, end: date) -> Any:
    return (
        select(ServiceRecord)
        .join(Referral, Referral.id == ServiceRecord.referral_id)
        .where(scope.holds(Referral.region_code), ServiceRecord.date.between(start, end))
        .subquery("delivered")
    )


async def _services(
    session: AsyncSession, scope: Scope, start: date, end: date
) -> tuple[list[tuple[int, str, int, Decimal, int, int]], tuple[int, Decimal, int, int]]:
    """Services dated in the period: per organization and in all, how many, their hours, the
    households and referrals they served (distinct, so the total is not a sum of the rows)."""
    done = _delivered(scope, start, end)
    measures = (
        func.count(),
        func.coalesce(func.sum(done.c.hours), 0),
        func.count(func.distinct(done.c.household_id)),
        func.count(func.distinct(done.c.referral_id)),
    )
    rows = await session.execute(
        select(Referral.organization_id, Organization.name, *measures)
        .select_from(done)
        .join(Referral, Referral.id == done.c.referral_id)
        .join(Organization, Organization.id == Referral.organization_id)
        .group_by(Referral.organization_id, Organization.name)
    )
    per_org = [
        (int(o), str(name), int(n), Decimal(str(h)), int(hh), int(r))
        for o, name, n, h, hh, r in rows
    ]
    total = (await session.execute(select(*measures).select_from(done))).one()
    return per_org, (int(total[0]), Decimal(str(total[1])), int(total[2]), int(total[3]))


async def referrals(
    session: AsyncSession, actor: Actor, region_code: str | None, start: date, end: date
) -> dict[str, Any]:
    """Referrals made in the period by status and services delivered in it, by organization."""
    area = await area_of(session, actor, region_code)
    made = await _referrals_made(session, area.scope, start, end)
    per_org, (services, hours, households, served) = await _services(
        session, area.scope, start, end
    )
    by_status = dict.fromkeys(STATUSES, 0)
    orgs: dict[int, dict[str, Any]] = {}

    def org(org_id: int, name: str) -> dict[str, Any]:
        return orgs.setdefault(
            org_id,
            {
                "organization_id": org_id,
                "name": name,
                "referrals_made": 0,
                "services": 0,
                "hours": Decimal("0.00"),
                "households_served": 0,
            },
        )

    for org_id, name, status, n in made:
        by_status[status] = by_status.get(status, 0) + n
        org(org_id, name)["referrals_made"] += n
    for org_id, name, n, h, hh, _ in per_org:
        entry = org(org_id, name)
        entry["services"], entry["hours"], entry["households_served"] = n, h, hh
    return {
        "from": start,
        "to": end,
        "region_code": area.code,
        "region_name": area.name,
        "referrals_made": sum(by_status.values()),
        "by_status": by_status,
        "services": services,
        "hours": f"{hours:.2f}",
        "households_served": households,
        "referrals_served": served,
        "by_organization": [
            {**o, "hours": f"{o['hours']:.2f}"}
            for o in sorted(orgs.values(), key=lambda o: o["organization_id"])
        ],
    }
