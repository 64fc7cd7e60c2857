"""Organizations and their service projects."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.security import new_opaque_token, token_digest
from app.assistance import repository
from app.assistance.errors import (
    AgencyTaken,
    BadPeriod,
    CapacityBelowUse,
    StaleVersion,
    organization_not_found,
    project_not_found,
)
from app.assistance.schemas import (
    OrganizationCreate,
    OrganizationUpdate,
    ProjectCreate,
    ProjectUpdate,
)
from app.assistance.vocabulary import (
    Group,
    ServiceType,
    categories_of,
    groups_of,
    mask_of,
    services_of,
)
from app.errors import NotFound, OutsideJurisdiction
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.account import Agency
from app.models.assistance import Organization, Project
from app.regions.jurisdiction import covers, significant_prefix, subtree_bounds
from app.regions.service import get_region

DEPTH_BY_PREFIX = {2: -2, 4: -1, 6: 0, 9: 1, 12: 2}


def region_depth(code: str) -> int:
    """0 district, 1 street or town, 2 community or village."""
    return DEPTH_BY_PREFIX[len(significant_prefix(code))]


async def _require_own_region(session: AsyncSession, actor: Actor, code: str) -> None:
    await get_region(session, code)
    if not actor.region_code or not covers(actor.region_code, code):
        raise OutsideJurisdiction("只能在本辖区内登记服务组织和项目")


# ---- organizations ----


async def _link_agency(session: AsyncSession, organization: Organization, agency_id: int) -> None:
    if await session.get(Agency, agency_id) is None:
        raise NotFound("机构不存在", code="agency_not_found")
    linked = await repository.organization_of_agency(session, agency_id)
    if linked is not None and linked.id != organization.id:
        raise AgencyTaken()
    organization.agency_id = agency_id


async def create_organization(
    session: AsyncSession, actor: Actor, body: OrganizationCreate
) -> tuple[Organization, str | None]:
    """Register an organization; with ``issue_key`` its API key is made (returned once)."""
    await _require_own_region(session, actor, body.region_code)
    organization = Organization(
        name=body.name,
        kind=body.kind.value,
        region_code=body.region_code,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone or "",
        created_by_id=actor.id,
    )
    key: str | None = None
    if body.agency_id is not None:
        await _link_agency(session, organization, body.agency_id)
    elif body.issue_key:
        agency, key = await accounts.create_agency(
            session, name=body.name, region_code=body.region_code
        )
        organization.agency_id = agency.id
    await repository.add(session, organization)
    await audit.record(
        session,
        actor,
        "organization.created",
        "organization",
        organization.id,
        {"name": body.name, "agency_id": organization.agency_id, "key_issued": key is not None},
    )
    return organization, key


async def organization(session: AsyncSession, actor: Actor, organization_id: int) -> Organization:
    found = await repository.get_organization(session, actor, organization_id)
    if found is None:
        raise organization_not_found()
    return found


async def update_organization(
    session: AsyncSession, actor: Actor, organization_id: int, body: OrganizationUpdate
) -> Organization:
    """Change an organization's name, kind, contact or linked agency (audited)."""
    found = await repository.get_organization(session, actor, organization_id, for_update=True)
    if found is None:
        raise organization_not_found()
    await _require_own_region(session, actor, found.region_code)
    changes = body.model_dump(exclude_unset=True, mode="json")
    if "agency_id" in changes and body.agency_id is not None:
        await _link_agency(session, found, body.agency_id)
    for field in ("name", "kind", "contact_name"):
        if changes.get(field) is not None:
            setattr(found, field, changes[field])
    if "contact_phone" in changes:
        found.contact_phone = body.contact_phone or ""
    await session.flush()
    await audit.record(session, actor, "organization.updated", "organization", found.id, changes)
    return found


async def issue_key(
    session: AsyncSession, actor: Actor, organization_id: int
) -> tuple[Organization, Agency, str]:
    """A new API key for the organization: through its linked agency (the old key stops at
    once), or a new agency registered for it. Returned once; only its hash is kept."""
    found = await repository.get_organization(session, actor, organization_id, for_update=True)
    if found is None:
        raise organization_not_found()
    await _require_own_region(session, actor, found.region_code)
    agency = await session.get(Agency, found.agency_id) if found.agency_id else None
    if agency is None:
        agency, key = await accounts.create_agency(
            session, name=found.name, region_code=found.region_code
        )
        found.agency_id = agency.id
    else:
        key = new_opaque_token("jzk")
        agency.api_key_hash = token_digest(key)
        agency.key_prefix = key[:10]
        agency.key_issued_at = now()
        agency.key_revoked_at = None
    await session.flush()
    await audit.record(
        session,
        actor,
        "organization.key_issued",
        "organization",
        found.id,
        {"agency_id": agency.id, "key_prefix": agency.key_prefix},
    )
    return found, agency, key


# ---- projects ----


def project_view(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "organization_id": project.organization_id,
        "description": project.description,
        "service_types": services_of(project.service_mask),
        "target_categories": categories_of(project.category_mask),
        "target_groups": groups_of(project.group_mask),
        "region_code": project.region_code,
        "capacity": project.capacity,
        "in_use": project.in_use,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "contact_name": project.contact_name,
        "contact_phone": project.contact_phone,
        "version": project.version,
    }


def _set_region(project: Project, code: str) -> None:
    low, high = subtree_bounds(code)
    project.region_code = code
    project.region_low = low
    project.region_high = high
    project.region_depth = region_depth(code)


async def create_project(session: AsyncSession, actor: Actor, body: ProjectCreate) -> Project:
    """Register a service project of an organization in the caller's area (audited)."""
    owner = await organization(session, actor, body.organization_id)
    await _require_own_region(session, actor, body.region_code)
    project = Project(
        organization_id=owner.id,
        name=body.name,
        description=body.description,
        service_mask=mask_of([s.value for s in body.service_types], ServiceType),
        category_mask=mask_of([c.value for c in body.target_categories]),
        group_mask=mask_of([g.value for g in body.target_groups], Group),
        capacity=body.capacity,
        in_use=0,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone or "",
        created_by_id=actor.id,
    )
    _set_region(project, body.region_code)
    await repository.add(session, project)
    await audit.record(
        session,
        actor,
        "project.created",
        "project",
        project.id,
        {"name": body.name, "organization_id": owner.id, "capacity": body.capacity},
    )
    return project


async def project(session: AsyncSession, actor: Actor, project_id: int) -> Project:
    found = await repository.get_project(session, actor, project_id)
    if found is None:
        raise project_not_found()
    return found


async def update_project(
    session: AsyncSession, actor: Actor, project_id: int, body: ProjectUpdate
) -> Project:
    """Change a project; ``version`` (if given) must be the one read (409 otherwise)."""
    found = await repository.get_project(session, actor, project_id, for_update=True)
    if found is None:
        raise project_not_found()
    await _require_own_region(session, actor, found.region_code)
    if body.version is not None and body.version != found.version:
        raise StaleVersion(extra={"version": found.version})
    changes = body.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
    if body.region_code is not None:
        await _require_own_region(session, actor, body.region_code)
        _set_region(found, body.region_code)
    if body.service_types is not None:
        found.service_mask = mask_of([s.value for s in body.service_types], ServiceType)
    if body.target_categories is not None:
        found.category_mask = mask_of([c.value for c in body.target_categories])
    if body.target_groups is not None:
        found.group_mask = mask_of([g.value for g in body.target_groups], Group)
    for field in ("name", "description", "contact_name", "starts_on"):
        value = getattr(body, field)
        if value is not None:
            setattr(found, field, value)
    if "ends_on" in changes:
        found.ends_on = body.ends_on
    if "contact_phone" in changes:
        found.contact_phone = body.contact_phone or ""
    if found.ends_on is not None and found.ends_on < found.starts_on:
        raise BadPeriod()
    if body.capacity is not None:
        if body.capacity < found.in_use:
            raise CapacityBelowUse(extra={"in_use": found.in_use})
        found.capacity = body.capacity
    found.version += 1
    await session.flush()
    await audit.record(session, actor, "project.updated", "project", found.id, changes)
    return found
