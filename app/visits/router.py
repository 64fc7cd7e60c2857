"""Risk-based visits for staff: the visit policy, worklists, assignment and visit records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BeforeValidator, Field

from app.accounts.dependencies import (
    AnyCallerStandalone,
    RequireVisitPolicyManage,
    RequireVisitsAssign,
    RequireVisitsRead,
    RequireVisitsRecord,
)
from app.db.deps import Session
from app.db.session import session_scope
from app.households.schemas import RiskLevel
from app.kit.idempotency import IdempotencyKey, request_fingerprint, run_once
from app.kit.inputs import REGION_PATTERN, code_before
from app.kit.inputs import RegionCode as RegionCodeIn
from app.kit.pagination import (
    DEFAULT_LIMIT,
    Count,
    Cursor,
    Limit,
    RecordKey,
    read_cursor,
    split_page,
)
from app.kit.params import MAX_ID, RecordId
from app.kit.schemas import InputSchema, Schema
from app.kit.uploads import receive_file, stored_path
from app.visits import flows, photos, service
from app.visits.schemas import (
    MAX_POLICY_ENTRIES,
    DueCounts,
    DueItem,
    DuePage,
    PhotoOut,
    PolicyCategory,
    PolicyEntry,
    PolicyEntryOut,
    VisitCreate,
    VisitOut,
    VisitPage,
)
from app.visits.stats.router import router as stats_router
from app.visits.worklist_sql import DueFilter

router = APIRouter(prefix="/staff", tags=["visits"])
router.include_router(stats_router)

Reader = RequireVisitsRead
Recorder = RequireVisitsRecord
Assigner = RequireVisitsAssign
PolicyManager = RequireVisitPolicyManage
RegionCode = Annotated[
    str | None,
    BeforeValidator(code_before),
    Query(pattern=REGION_PATTERN, description="区域（含下级）"),
]


class AssignIn(InputSchema):
    household_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=500
    )
    assignee_id: int | None = Field(ge=1, le=MAX_ID)


class ReassignIn(InputSchema):
    from_assignee_id: int = Field(ge=1, le=MAX_ID)
    to_assignee_id: int | None = Field(ge=1, le=MAX_ID)
    region_code: RegionCodeIn | None = None


class AssignOut(Schema):
    households: int


def _due_cursor(cursor: str | None) -> tuple[dt.date, int, int, int] | None:
    parts = read_cursor(cursor, dt.date, Count, Count, RecordKey)
    return None if parts is None else (parts[0], parts[1], parts[2], parts[3])


def _visit_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    parts = read_cursor(cursor, dt.datetime, RecordKey)
    return None if parts is None else (parts[0], parts[1])


@router.get("/visit-policy", response_model=list[PolicyEntryOut])
async def get_policy(
    session: Session,
    actor: Reader,
) -> list[PolicyEntryOut]:
    """Visit cycles: the built-in defaults (from 2000-01-01), then every stored entry."""
    return [PolicyEntryOut.model_validate(e) for e in await service.policy(session)]


@router.put("/visit-policy", response_model=list[PolicyEntryOut])
async def put_policy(
    session: Session,
    actor: PolicyManager,
    entries: Annotated[list[PolicyEntry], Body(max_length=MAX_POLICY_ENTRIES)],
) -> list[PolicyEntryOut]:
    """Replace the pending visit cycles (district officers); due dates follow at once."""
    result = await service.replace_policy(session, actor, entries)
    return [PolicyEntryOut.model_validate(e) for e in result]


@router.get("/visits/due", response_model=DuePage)
async def due(
    session: Session,
    actor: Reader,
    region_code: RegionCode = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    unassigned: bool = False,
    category: PolicyCategory | None = None,
    risk_level: RiskLevel | None = None,
    until: Annotated[dt.date | None, Query(description="到期日不晚于（默认 30 天内）")] = None,
    overdue: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DuePage:
    """Households due for a visit, most urgent first (overdue days, risk, open warnings),
    with counts over the whole selection."""
    filters = DueFilter(
        region_code=region_code,
        assignee_id=assignee_id,
        unassigned=unassigned,
        category=category.value if category else None,
        risk_level=risk_level.value if risk_level else None,
    )
    counts, rows, today = await service.worklist(
        session,
        actor,
        filters,
        until=until,
        overdue_only=overdue,
        after=_due_cursor(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(
        rows,
        limit,
        lambda r: (r.next_due_on.isoformat(), r.risk_rank, r.open_warnings, r.household_id),
    )
    return DuePage(
        counts=DueCounts(**counts),
        items=[
            DueItem(
                household_id=r.household_id,
                reference=r.reference,
                region_code=r.region_code,
                category=r.category,
                risk_level=r.risk_level,
                last_visit_at=r.last_visit_at,
                next_due_on=r.next_due_on,
                overdue_days=max(0, (today - r.next_due_on).days),
                open_warnings=r.open_warnings,
                assignee_id=r.assignee_id,
            )
            for r in page
        ],
        next_cursor=next_cursor,
    )


@router.put("/visits/assignments", response_model=AssignOut)
async def assign(
    body: AssignIn,
    session: Session,
    actor: Assigner,
) -> AssignOut:
    """Assign households to a community or station worker (``null``: unassign)."""
    count = await service.assign(session, actor, body.household_ids, body.assignee_id)
    return AssignOut(households=count)


@router.post("/visits/reassign", response_model=AssignOut)
async def reassign(
    body: ReassignIn,
    session: Session,
    actor: Assigner,
) -> AssignOut:
    """Move every household of one worker (e.g. leaving) to another, or to nobody."""
    moved = await service.reassign(
        session, actor, body.from_assignee_id, body.to_assignee_id, within=body.region_code
    )
    return AssignOut(households=moved)


@router.post("/households/{household_id}/visits", status_code=201, response_model=VisitOut)
async def record_visit(
    household_id: RecordId,
    body: VisitCreate,
    session: Session,
    actor: Recorder,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a home visit (a device retrying sends the same Idempotency-Key), with its
    follow-ups: a warning for the district, needs for services, an application on the
    household's behalf, all in the visit's transaction."""

    async def create() -> tuple[int, object]:
        visit = await flows.record_visit(session, actor, household_id, body)
        (out,) = await service.visits_out(session, [visit])
        return 201, VisitOut.model_validate(out).model_dump(mode="json")

    fingerprint = {"household_id": household_id, "visit": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status)


@router.get("/households/{household_id}/visits", response_model=VisitPage)
async def list_visits(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> VisitPage:
    """A household's visits, latest first."""
    rows = await service.visits_of(
        session,
        actor,
        household_id,
        before=_visit_cursor(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit, lambda v: (v.visited_at.isoformat(), v.id))
    return VisitPage(
        items=[VisitOut.model_validate(v) for v in await service.visits_out(session, page)],
        next_cursor=next_cursor,
    )


MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/visits/{visit_id}/photos",
    status_code=201,
    response_model=PhotoOut,
    openapi_extra=MULTIPART_BODY,
    responses={413: {"description": "超过 10 MB"}, 415: {"description": "不是 JPEG/PNG"}},
)
async def upload_photo(
    visit_id: RecordId,
    request: Request,
    actor: AnyCallerStandalone,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a photo to a visit (JPEG or PNG, at most 10 MB, 9 a visit); no transaction is held
    open while the file streams in."""
    async with session_scope() as session:
        await photos.check_attachable(session, actor, visit_id)
    received = await receive_file(request, photos.ACCEPTED, photos.UNSUPPORTED)
    try:
        async with session_scope() as session:

            async def create() -> tuple[int, object]:
                photo = await photos.attach(session, actor, visit_id, received)
                return 201, PhotoOut.model_validate(photo).model_dump(mode="json")

            fingerprint = {"visit_id": visit_id, "sha256": received.sha256}
            status, payload = await run_once(
                session, actor, idempotency_key, request_fingerprint(fingerprint), create
            )
    finally:
        received.discard()  # a no-op once the file was kept under its final name
    return JSONResponse(payload, status_code=status)


@router.get("/visits/{visit_id}/photos", response_model=list[PhotoOut])
async def list_photos(visit_id: RecordId, session: Session, actor: Reader) -> list[PhotoOut]:
    """A visit's photos."""
    return [PhotoOut.model_validate(p) for p in await photos.photos(session, actor, visit_id)]


@router.get(
    "/visits/{visit_id}/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
async def download_photo(
    visit_id: RecordId, photo_id: RecordId, session: Session, actor: Reader
) -> FileResponse:
    """One photo's file (the view is audited)."""
    photo = await photos.readable_photo(session, actor, visit_id, photo_id)
    return FileResponse(
        stored_path(photo.storage_name),
        media_type=photo.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
