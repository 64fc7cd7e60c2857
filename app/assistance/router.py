"""Precision assistance for staff: organizations, projects, groups and key people, needs and
matches."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import (
    RequireAssistanceRead,
    RequireAssistanceWork,
    RequireProjectsManage,
)
from app.assistance import people, repository, service
from app.assistance.matching import service as matching
from app.assistance.schemas import (
    GroupCount,
    GroupMember,
    GroupMemberPage,
    GroupSummary,
    HouseholdGroups,
    KeyTargetIn,
    MatchOut,
    MatchPage,
    NeedClose,
    NeedCreate,
    NeedOut,
    NeedPage,
    NeedStatus,
    OrganizationCreate,
    OrganizationCreated,
    OrganizationKey,
    OrganizationOut,
    OrganizationPage,
    OrganizationUpdate,
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectUpdate,
)
from app.assistance.vocabulary import GROUP_LABELS, Group, ServiceType, service_bit
from app.db.deps import Session
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id, split_page
from app.kit.params import MAX_ID, RecordId, RegionCodeQuery
from app.kit.timeutil import local_today

router = APIRouter(prefix="/staff", tags=["assistance"])

Reader = RequireAssistanceRead
Worker = RequireAssistanceWork
Manager = RequireProjectsManage
PerNeed = Annotated[int, Query(ge=1, le=20, description="每项需求最多列出的项目数")]


# ---- organizations ----


@router.get("/organizations", response_model=OrganizationPage)
async def list_organizations(
    session: Session, actor: Reader, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> OrganizationPage:
    """Organizations in or serving the caller's area, newest first."""
    rows = await repository.list_organizations(
        session, actor, before_id=after_id(cursor), limit=limit + 1
    )
    page, next_cursor = split_page(rows, limit)
    return OrganizationPage(
        items=[OrganizationOut.model_validate(r) for r in page], next_cursor=next_cursor
    )


@router.post("/organizations", status_code=201, response_model=OrganizationCreated)
async def create_organization(
    body: OrganizationCreate,
    session: Session,
    actor: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an organization (district officers, social-worker stations); with
    ``issue_key`` its API key is returned once."""

    async def create() -> tuple[int, object]:
        organization, key = await service.create_organization(session, actor, body)
        out = OrganizationCreated.model_validate(organization).model_copy(update={"api_key": key})
        return 201, out.model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/organizations/{organization_id}", response_model=OrganizationOut)
async def get_organization(
    organization_id: RecordId, session: Session, actor: Reader
) -> OrganizationOut:
    """One organization; 404 outside the caller's area."""
    return OrganizationOut.model_validate(
        await service.organization(session, actor, organization_id)
    )


@router.patch("/organizations/{organization_id}", response_model=OrganizationOut)
async def update_organization(
    organization_id: RecordId, body: OrganizationUpdate, session: Session, actor: Manager
) -> OrganizationOut:
    """Change an organization's name, kind, contact or linked agency."""
    return OrganizationOut.model_validate(
        await service.update_organization(session, actor, organization_id, body)
    )


@router.post("/organizations/{organization_id}/key", response_model=OrganizationKey)
async def issue_organization_key(
    organization_id: RecordId, session: Session, actor: Manager
) -> OrganizationKey:
    """A new API key for the organization (its agency's; the old key stops at once)."""
    organization, agency, key = await service.issue_key(session, actor, organization_id)
    return OrganizationKey(
        organization_id=organization.id,
        agency_id=agency.id,
        key_prefix=agency.key_prefix,
        api_key=key,
    )


# ---- projects ----


@router.get("/projects", response_model=ProjectPage)
async def list_projects(
    session: Session,
    actor: Reader,
    organization_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    service_type: ServiceType | None = None,
    running_on: Annotated[date | None, Query(description="在该日处于服务期内")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ProjectPage:
    """Projects run in or serving the caller's area, newest first."""
    rows = await repository.list_projects(
        session,
        actor,
        organization_id=organization_id,
        service_bit=service_bit(service_type.value) if service_type else None,
        running_on=running_on,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit)
    return ProjectPage(
        items=[ProjectOut.model_validate(service.project_view(p)) for p in page],
        next_cursor=next_cursor,
    )


@router.post("/projects", status_code=201, response_model=ProjectOut)
async def create_project(
    body: ProjectCreate,
    session: Session,
    actor: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a service project of an organization."""

    async def create() -> tuple[int, object]:
        project = await service.create_project(session, actor, body)
        return 201, ProjectOut.model_validate(service.project_view(project)).model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/projects/{project_id}", response_model=ProjectOut)
async def get_project(project_id: RecordId, session: Session, actor: Reader) -> ProjectOut:
    """One project; 404 outside the caller's area."""
    return ProjectOut.model_validate(
        service.project_view(await service.project(session, actor, project_id))
    )


@router.patch("/projects/{project_id}", response_model=ProjectOut)
async def update_project(
    project_id: RecordId, body: ProjectUpdate, session: Session, actor: Manager
) -> ProjectOut:
    """Change a project (capacity never below the places in use)."""
    project = await service.update_project(session, actor, project_id, body)
    return ProjectOut.model_validate(service.project_view(project))


# ---- groups and key people ----


@router.get("/groups", response_model=GroupSummary)
async def group_summary(
    session: Session, actor: Reader, region_code: RegionCodeQuery = None
) -> GroupSummary:
    """Members and households per group (困境儿童, 独居老人 ...) and key targets, in the
    caller's jurisdiction."""
    counts, keys = await repository.group_counts(session, actor, region_code)
    by_tag = {row[0]: row for row in counts}
    items = [
        GroupCount(
            tag=g.value,
            label=GROUP_LABELS[g],
            members=int(by_tag[g.value][1]) if g.value in by_tag else 0,
            households=int(by_tag[g.value][2]) if g.value in by_tag else 0,
            key_targets=int(by_tag[g.value][3]) if g.value in by_tag else 0,
        )
        for g in Group
    ]
    return GroupSummary(items=items, key_target_households=keys)


@router.get("/groups/members", response_model=GroupMemberPage)
async def group_members(
    session: Session,
    actor: Reader,
    tag: Group | None = None,
    key_target: bool | None = None,
    region_code: RegionCodeQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> GroupMemberPage:
    """Members in a group (or any), newest tag first."""
    rows = await repository.group_members(
        session,
        actor,
        tag=tag.value if tag else None,
        key_target=key_target,
        region_code=region_code,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit)
    return GroupMemberPage(
        items=[
            GroupMember(
                household_id=r.household_id,
                member_id=r.member_id,
                name=r.name,
                region_code=r.region_code,
                tag=r.tag,
                key_target=bool(r.key_target),
            )
            for r in page
        ],
        next_cursor=next_cursor,
    )


@router.get("/households/{household_id}/groups", response_model=HouseholdGroups)
async def household_groups(
    household_id: RecordId, session: Session, actor: Reader
) -> HouseholdGroups:
    """The household's groups, its members' tags and its key-target flag."""
    return HouseholdGroups.model_validate(
        await people.groups_of_household(session, actor, household_id)
    )


@router.put(
    "/households/{household_id}/members/{member_id}/tags/{tag}", response_model=HouseholdGroups
)
async def tag_member(
    household_id: RecordId, member_id: RecordId, tag: Group, session: Session, actor: Worker
) -> HouseholdGroups:
    """Put a member in a group (idempotent); audited."""
    return HouseholdGroups.model_validate(
        await people.tag_member(session, actor, household_id, member_id, tag)
    )


@router.delete(
    "/households/{household_id}/members/{member_id}/tags/{tag}", response_model=HouseholdGroups
)
async def untag_member(
    household_id: RecordId, member_id: RecordId, tag: Group, session: Session, actor: Worker
) -> HouseholdGroups:
    """Take a member out of a group; audited."""
    return HouseholdGroups.model_validate(
        await people.untag_member(session, actor, household_id, member_id, tag)
    )


@router.put("/households/{household_id}/key-target", response_model=HouseholdGroups)
async def set_key_target(
    household_id: RecordId, body: KeyTargetIn, session: Session, actor: Worker
) -> HouseholdGroups:
    """Flag or unflag the household as a key target (重点对象); audited."""
    return HouseholdGroups.model_validate(
        await people.set_key_target(session, actor, household_id, body)
    )


# ---- needs and matches ----


@router.post("/households/{household_id}/needs", status_code=201, response_model=NeedOut)
async def create_need(
    household_id: RecordId,
    body: NeedCreate,
    session: Session,
    actor: Worker,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a need of the household or one member, typed like the services, with urgency."""

    async def create() -> tuple[int, object]:
        need = await people.create_need(session, actor, household_id, body)
        return 201, NeedOut.model_validate(people.need_view(need)).model_dump(mode="json")

    fingerprint = {"household_id": household_id, "need": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status)


@router.get("/households/{household_id}/needs", response_model=NeedPage)
async def list_needs(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    status: NeedStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> NeedPage:
    """The household's needs, newest first."""
    from app.households.service import readable

    household = await readable(session, actor, household_id)
    rows = await repository.list_needs(
        session,
        actor,
        household.id,
        status=status.value if status else None,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit)
    return NeedPage(
        items=[NeedOut.model_validate(people.need_view(n)) for n in page],
        next_cursor=next_cursor,
    )


@router.post("/households/{household_id}/needs/{need_id}/close", response_model=NeedOut)
async def close_need(
    household_id: RecordId, need_id: RecordId, body: NeedClose, session: Session, actor: Worker
) -> NeedOut:
    """Mark a need met (``met``) or no longer needed (``closed``), with a reason."""
    need = await people.close_need(session, actor, household_id, need_id, body)
    return NeedOut.model_validate(people.need_view(need))


@router.get("/households/{household_id}/matches", response_model=MatchPage)
async def household_matches(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    on: Annotated[date | None, Query(description="按该日的服务期和名额匹配（默认今天）")] = None,
    per_need: PerNeed = matching.DEFAULT_PER_NEED,
) -> MatchPage:
    """Projects for each open need, best first, each score explained; never a full project
    or one outside its period."""
    day = on or local_today()
    found = await matching.household_matches(
        session, actor, household_id, on=day, per_need=per_need
    )
    return MatchPage(
        items=[
            MatchOut(
                need_id=m.need_id,
                project_id=m.project_id,
                score=m.score,
                reasons=list(m.reasons),
                project_name=m.project_name,
                remaining=m.remaining,
            )
            for m in found
        ],
        on=day,
    )
