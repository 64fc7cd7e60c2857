"""Warnings for staff: the queue, one warning, its life cycle, the summary, and scans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import (
    RequireRulesManage,
    RequireWarningsDispatch,
    RequireWarningsRead,
    RequireWarningsResolve,
    RequireWarningsVerify,
)
from app.db.deps import Session
from app.errors import NotFound
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id
from app.kit.params import MAX_ID, RecordId, RegionCodeQuery
from app.kit.timeutil import now
from app.monitoring import flows
from app.monitoring.rules.base import Level
from app.monitoring.warnings import scans, service
from app.monitoring.warnings.repository import WarningFilter
from app.monitoring.warnings.schemas import (
    DispatchIn,
    ResolveIn,
    ScanOut,
    ScanQueued,
    SummaryOut,
    VerifyIn,
    WarningDetail,
    WarningPage,
    WarningStatus,
)

router = APIRouter(prefix="/staff", tags=["warnings"])


def warning_filter(
    status: WarningStatus | None = None,
    level: Level | None = None,
    rule: Annotated[str | None, Query(max_length=48, pattern=r"^[a-z_]+$")] = None,
    region_code: RegionCodeQuery = None,
    household_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    overdue: Annotated[bool, Query(description="只看已派发且超过核实时限的")] = False,
) -> WarningFilter:
    return WarningFilter(
        status=status.value if status else None,
        level=level.value if level else None,
        rule=rule,
        region_code=region_code,
        household_id=household_id,
        assignee_id=assignee_id,
        overdue_at=now() if overdue else None,
    )


Filters = Annotated[WarningFilter, Depends(warning_filter)]


@router.get("/warnings", response_model=WarningPage)
async def list_warnings(
    session: Session,
    actor: RequireWarningsRead,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> WarningPage:
    """Warnings in the caller's jurisdiction, newest first; overdue ones carry ``overdue``."""
    before = after_id(cursor)
    return await service.list_page(session, actor, filters, before_id=before, limit=limit)


@router.get("/warnings/summary", response_model=SummaryOut)
async def warnings_summary(
    session: Session,
    actor: RequireWarningsRead,
    filters: Filters,
) -> SummaryOut:
    """Counts by status, and of open warnings by level, rule and area; overdue ones; the
    average hours from the signal to resolution."""
    return SummaryOut(**await service.summary(session, actor, filters))


@router.get("/warnings/{warning_id}", response_model=WarningDetail)
async def get_warning(
    session: Session,
    actor: RequireWarningsRead,
    warning_id: RecordId,
) -> WarningDetail:
    """One warning with its evidence and history."""
    return await service.detail(session, actor, warning_id)


@router.post("/warnings/{warning_id}/dispatch", response_model=WarningDetail)
async def dispatch_warning(
    session: Session,
    actor: RequireWarningsDispatch,
    warning_id: RecordId,
    body: DispatchIn,
) -> WarningDetail:
    """Send the warning to a worker in its jurisdiction for verification on site."""
    return await service.dispatch(session, actor, warning_id, body)


@router.post("/warnings/{warning_id}/verify", response_model=WarningDetail)
async def verify_warning(
    session: Session,
    actor: RequireWarningsVerify,
    warning_id: RecordId,
    body: VerifyIn,
) -> WarningDetail:
    """The assignee's findings: confirmed, or a false alarm (closed)."""
    return await flows.verify_warning(session, actor, warning_id, body)


@router.post("/warnings/{warning_id}/resolve", response_model=WarningDetail)
async def resolve_warning(
    session: Session,
    actor: RequireWarningsResolve,
    warning_id: RecordId,
    body: ResolveIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Resolve a confirmed warning by one of the four routes; ``deliver_policy`` may open an
    application, so the request honours ``Idempotency-Key``."""

    async def resolve() -> tuple[int, object]:
        result = await flows.resolve_warning(session, actor, warning_id, body)
        return 200, result.model_dump(mode="json")

    fingerprint = {"warning_id": warning_id, "body": body.model_dump(mode="json")}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, resolve)
    return JSONResponse(payload, status_code=status)


@router.post("/scans", response_model=ScanQueued, status_code=202)
async def request_scan(
    session: Session,
    actor: RequireRulesManage,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Queue a scan of every enabled rule over the district (a job); 202 with its id."""

    async def create() -> tuple[int, object]:
        scan = await scans.queue_scan(session, actor)
        return 202, {"id": scan.id}

    status, payload = await run_once(session, actor, idempotency_key, {}, create)
    return JSONResponse(payload, status_code=status)


@router.get("/scans/{scan_id}", response_model=ScanOut)
async def get_scan(
    session: Session,
    actor: RequireRulesManage,
    scan_id: RecordId,
) -> ScanOut:
    """A scan: queued, running or done, and the warnings each rule opened."""
    scan = await scans.get_scan(session, scan_id)
    if scan is None:
        raise NotFound("扫描记录不存在", code="scan_not_found")
    return ScanOut.model_validate(scan)
