"""Admin work on jobs: list them, queue a parked job again (audited)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.jobs import repository
from app.jobs.schedule import DONE_RETENTION
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.job import Job


class JobNotFound(NotFound):
    code = "job_not_found"
    message = "任务不存在"


class JobNotParked(Conflict):
    code = "job_not_parked"
    message = "只有已搁置的任务可以重新排队"


async def list_jobs(
    session: AsyncSession,
    *,
    status: str | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> list[Job]:
    """Jobs newest first (``limit`` rows; the caller asks one more to know of a next page)."""
    return await repository.list_jobs(
        session, status=status, kind=kind, before_id=before_id, limit=limit
    )


async def retry(session: AsyncSession, actor: Actor, job_id: int) -> Job:
    """Queue a parked job again, its attempts reset, to run at once; audited."""
    job = await repository.requeue_parked(session, job_id, now=now())
    if job is None:
        if await repository.get(session, job_id) is None:
            raise JobNotFound()
        raise JobNotParked()
    await audit.record(
        session,
        actor,
        "job.retry",
        "job",
        job.id,
        {"kind": job.kind, "last_error": job.last_error},
    )
    return job


async def purge_done(session: AsyncSession) -> int:
    """Delete done jobs finished more than the retention ago (a daily job); how many."""
    return await repository.purge_done(session, finished_before=now() - DONE_RETENTION)
