"""Admin endpoints for the job runner: parked jobs and their reasons, re-queued by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.dependencies import RequireJobsManage
from app.db.deps import Session
from app.jobs import service
from app.jobs.schemas import JobOut, JobPage, JobStatus
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id, split_page
from app.kit.params import RecordId

router = APIRouter(prefix="/admin/jobs", tags=["jobs"])


@router.get("", response_model=JobPage)
async def list_jobs(
    session: Session,
    actor: RequireJobsManage,
    status: JobStatus | None = None,
    kind: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9:._-]+$")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> JobPage:
    """Background jobs, newest first, filtered by status (e.g. ``parked``) and kind."""
    before_id = after_id(cursor)
    jobs = await service.list_jobs(
        session, status=status, kind=kind, before_id=before_id, limit=limit + 1
    )
    page, next_cursor = split_page(jobs, limit)
    return JobPage(items=[JobOut.model_validate(j) for j in page], next_cursor=next_cursor)


@router.post("/{job_id}/retry", response_model=JobOut)
async def retry_job(
    session: Session,
    actor: RequireJobsManage,
    job_id: RecordId,
) -> JobOut:
    """Queue a parked job again with its attempts reset (audited); 409 unless parked."""
    return JobOut.model_validate(await service.retry(session, actor, job_id))
