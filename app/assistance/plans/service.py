"""Service plans (一人一策): goals, needs, chosen projects, the responsible worker and a review
date; every change is a new version, kept; a version is approved by a social-worker station,
a street or the district."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance import repository as assistance
from app.assistance.errors import (
    InvalidTransition,
    NeedsOfOtherHousehold,
    ResponsibleNotEligible,
    StaleVersion,
    plan_not_found,
    project_not_found,
)
from app.assistance.plans.schemas import PlanApprove, PlanContent, PlanCreate, PlanRevise
from app.errors import Invalid
from app.households.service import readable
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import local_today, now
from app.models.account import Staff
from app.models.assistance import ServicePlan, ServicePlanVersion
from app.regions.jurisdiction import covers

RESPONSIBLE_ROLES = frozenset(
    {"community_worker", "social_worker", "street_officer", "district_officer"}
)
REVIEW_AHEAD = timedelta(days=731)


def readable_plans(actor: Actor) -> Select[ServicePlan]:
    return select(ServicePlan).where(
        ServicePlan.household_id.in_(assistance.readable_household_ids(actor))
    )


async def _check_content(
    session: AsyncSession, actor: Actor, household_id: int, region_code: str, body: PlanContent
) -> None:
    today = local_today()
    if not today <= body.review_on <= today + REVIEW_AHEAD:
        raise Invalid("复评日期须在今天到两年之内", code="invalid_review_date")
    needs = await assistance.needs_of(session, household_id, body.need_ids)
    if len(needs) != len(set(body.need_ids)):
        raise NeedsOfOtherHousehold()
    for project_id in set(body.project_ids):
        if await assistance.get_project(session, actor, project_id) is None:
            raise project_not_found()
    staff = await session.get(Staff, body.responsible_id)
    if (
        staff is None
        or not staff.active
        or staff.role not in RESPONSIBLE_ROLES
        or not covers(staff.region_code, region_code)
    ):
        raise ResponsibleNotEligible()


def _version(plan: ServicePlan, body: PlanContent, actor: Actor) -> ServicePlanVersion:
    return ServicePlanVersion(
        plan_id=plan.id,
        version=plan.version,
        goals=list(body.goals),
        need_ids=sorted(set(body.need_ids)),
        project_ids=list(dict.fromkeys(body.project_ids)),
        responsible_id=body.responsible_id,
        review_on=body.review_on,
        note=body.note,
        created_by_id=actor.id,
    )


async def _versions(session: AsyncSession, plan_id: int) -> list[ServicePlanVersion]:
    stmt = (
        select(ServicePlanVersion)
        .where(ServicePlanVersion.plan_id == plan_id)
        .order_by(ServicePlanVersion.version.desc())
    )
    return list(await session.scalars(stmt))


def view(plan: ServicePlan, current: ServicePlanVersion) -> dict[str, Any]:
    return {
        "id": plan.id,
        "household_id": plan.household_id,
        "member_id": plan.member_id,
        "region_code": plan.region_code,
        "status": plan.status,
        "version": plan.version,
        "approved_version": plan.approved_version,
        "responsible_id": plan.responsible_id,
        "review_on": plan.review_on,
        "goals": current.goals,
        "need_ids": current.need_ids,
        "project_ids": current.project_ids,
        "note": current.note,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


async def detail(session: AsyncSession, plan: ServicePlan) -> dict[str, Any]:
    versions = await _versions(session, plan.id)
    return {**view(plan, versions[0]), "versions": versions}


async def create_plan(session: AsyncSession, actor: Actor, body: PlanCreate) -> ServicePlan:
    """A new plan for a household (version 1, a draft); audited."""
    household = await readable(session, actor, body.household_id)
    if body.member_id is not None:
        ids = {m.id for m in await assistance.active_members(session, household.id)}
        if body.member_id not in ids:
            from app.assistance.errors import member_not_found

            raise member_not_found()
    await _check_content(session, actor, household.id, household.region_code, body)
    plan = ServicePlan(
        household_id=household.id,
        member_id=body.member_id,
        region_code=household.region_code,
        status="draft",
        version=1,
        responsible_id=body.responsible_id,
        review_on=body.review_on,
        created_by_id=actor.id,
    )
    await assistance.add(session, plan)
    await assistance.add(session, _version(plan, body, actor))
    await audit.record(
        session,
        actor,
        "service_plan.created",
        "service_plan",
        plan.id,
        {"household_id": household.id, "projects": list(body.project_ids)},
    )
    return plan


async def get_plan(
    session: AsyncSession, actor: Actor, plan_id: int, *, for_update: bool = False
) -> ServicePlan:
    stmt = readable_plans(actor).where(ServicePlan.id == plan_id)
    if for_update:
        stmt = stmt.with_for_update()
    plan = await session.scalar(stmt)
    if plan is None:
        raise plan_not_found()
    return plan


async def revise_plan(
    session: AsyncSession, actor: Actor, plan_id: int, body: PlanRevise
) -> ServicePlan:
    """A new version (back to draft until approved); the one read must be current (409)."""
    plan = await get_plan(session, actor, plan_id, for_update=True)
    if plan.status == "closed":
        raise InvalidTransition("方案已结束，不能修改")
    if body.version != plan.version:
        raise StaleVersion(extra={"version": plan.version})
    await _check_content(session, actor, plan.household_id, plan.region_code, body)
    plan.version += 1
    plan.status = "draft"
    plan.responsible_id = body.responsible_id
    plan.review_on = body.review_on
    plan.updated_at = now()
    await session.flush()
    await assistance.add(session, _version(plan, body, actor))
    await audit.record(
        session, actor, "service_plan.revised", "service_plan", plan.id, {"version": plan.version}
    )
    return plan


async def approve_plan(
    session: AsyncSession, actor: Actor, plan_id: int, body: PlanApprove
) -> ServicePlan:
    """Approve the current version (stations, streets, the district); audited."""
    plan = await get_plan(session, actor, plan_id, for_update=True)
    if body.version != plan.version:
        raise StaleVersion(extra={"version": plan.version})
    if plan.status != "draft":
        raise InvalidTransition("只能批准草稿状态的方案")
    current = (await _versions(session, plan.id))[0]
    current.approved_by_id = actor.id
    current.approved_at = now()
    plan.status = "approved"
    plan.approved_version = plan.version
    plan.updated_at = now()
    await session.flush()
    await audit.record(
        session, actor, "service_plan.approved", "service_plan", plan.id, {"version": plan.version}
    )
    return plan


async def list_plans(
    session: AsyncSession,
    actor: Actor,
    *,
    household_id: int | None,
    status: str | None,
    responsible_id: int | None,
    review_by: date | None,
    before_id: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Plans in the caller's jurisdiction, newest first, each with its current content."""
    stmt = readable_plans(actor).order_by(ServicePlan.id.desc()).limit(limit)
    if household_id is not None:
        stmt = stmt.where(ServicePlan.household_id == household_id)
    if status:
        stmt = stmt.where(ServicePlan.status == status)
    if responsible_id is not None:
        stmt = stmt.where(ServicePlan.responsible_id == responsible_id)
    if review_by is not None:
        stmt = stmt.where(ServicePlan.review_on <= review_by)
    if before_id is not None:
        stmt = stmt.where(ServicePlan.id < before_id)
    plans = list(await session.scalars(stmt))
    if not plans:
        return []
    current = {
        (v.plan_id, v.version): v
        for v in await session.scalars(
            select(ServicePlanVersion).where(ServicePlanVersion.plan_id.in_([p.id for p in plans]))
        )
    }
    return [view(p, current[(p.id, p.version)]) for p in plans]
