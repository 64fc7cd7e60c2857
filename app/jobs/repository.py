"""SQL for the job queue: enqueue, claim, finish, fail, heartbeat, list, re-queue, purge.

One claim statement serves both databases: ``UPDATE jobs ... WHERE id IN (SELECT id ... LIMIT n
FOR UPDATE SKIP LOCKED) RETURNING``. On PostgreSQL concurrent workers skip each other's rows; on
SQLite (no row locks, the clause is left out) every transaction begins IMMEDIATE, so the whole
statement runs under the database's single write lock and two claims never see the same row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Insert,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from app.models.job import Job

LEASE_EXPIRED = "执行超时或进程中断（租约过期），已重新领取"


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int  # counting this one
    max_attempts: int


async def insert(
    session: AsyncSession,
    *,
    kind: str,
    payload: Mapping[str, Any],
    run_at: datetime,
    key: str | None,
    max_attempts: int,
) -> int | None:
    """Insert a queued job in the session's transaction; None when ``key`` is already taken."""
    dialect = session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert_(Job)
        .values(
            kind=kind,
            payload=dict(payload),
            status="queued",
            run_at=run_at,
            attempts=0,
            max_attempts=max_attempts,
            key=key,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Job.id)
    )
    return await session.scalar(stmt)


def insert_for_each(source: CTE, kind: str, *, max_attempts: int, at_param: str) -> Insert:
    """PostgreSQL: ``INSERT INTO jobs ... SELECT`` one queued job per row of ``source`` (payload
    ``{"id": id}``, key ``kind:id``), skipping a taken key, as :func:`insert` would."""
    at: BindParameter[datetime] = bindparam(at_param)
    job_id = source.c.id
    rows = select(
        literal(kind, String),
        # jsonb's text of {"id": n} is what the JSON type's serializer writes.
        cast(func.jsonb_build_object(literal("id", String), job_id), Job.payload.type),
        literal("queued", String),
        at,
        literal(0),
        literal(max_attempts),
        literal(f"{kind}:", String) + cast(job_id, String),
        at,
        at,
    )
    return (
        pg_insert(Job)
        .from_select(
            [
                "kind",
                "payload",
                "status",
                "run_at",
                "attempts",
                "max_attempts",
                "key",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def claim(
    session: AsyncSession, *, worker: str, now: datetime, lease_until: datetime, limit: int
) -> list[ClaimedJob]:
    """Mark up to ``limit`` due jobs running under ``worker`` until ``lease_until``: queued jobs
    whose time has come, oldest first, and running jobs whose worker's lease ran out."""
    due = or_(
        and_(Job.status == "queued", Job.run_at <= now),
        and_(Job.status == "running", Job.locked_until < now),
    )
    chosen = (
        select(Job.id)
        .where(due)
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(Job)
        .where(Job.id.in_(chosen.scalar_subquery()))
        .values(
            status="running",
            locked_by=worker,
            locked_until=lease_until,
            attempts=Job.attempts + 1,
            last_error=case((Job.status == "running", LEASE_EXPIRED), else_=Job.last_error),
            updated_at=now,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(stmt)).all()
    return sorted(
        (ClaimedJob(r.id, r.kind, r.payload or {}, r.attempts, r.max_attempts) for r in rows),
        key=lambda j: j.id,
    )


def _held(job_id: int, worker: str) -> Any:
    return and_(Job.id == job_id, Job.status == "running", Job.locked_by == worker)


async def complete(session: AsyncSession, job_id: int, *, worker: str, now: datetime) -> bool:
    """Mark the job done if ``worker`` still holds it; False if its lease passed to another."""
    result = await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(status="done", finished_at=now, locked_by=None, locked_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def fail(
    session: AsyncSession,
    job_id: int,
    *,
    worker: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: queued again at ``retry_at``, or parked when it is None."""
    values: dict[str, Any] = {
        "last_error": error,
        "locked_by": None,
        "locked_until": None,
        "updated_at": now,
    }
    if retry_at is None:
        values |= {"status": "parked", "finished_at": now}
    else:
        values |= {"status": "queued", "run_at": retry_at}
    result = await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def release(session: AsyncSession, job_id: int, *, worker: str, now: datetime) -> None:
    """Give back a job stopped before it finished (shutdown): queued, the attempt not counted."""
    await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(
            status="queued",
            attempts=Job.attempts - 1,
            locked_by=None,
            locked_until=None,
            run_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def extend_leases(
    session: AsyncSession, job_ids: Sequence[int], *, worker: str, until: datetime
) -> None:
    await session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.status == "running", Job.locked_by == worker)
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )


async def list_jobs(
    session: AsyncSession,
    *,
    status: str | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> list[Job]:
    """Jobs newest first, filtered by status and kind."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    if before_id is not None:
        stmt = stmt.where(Job.id < before_id)
    return list(await session.scalars(stmt))


async def get(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


async def requeue_parked(session: AsyncSession, job_id: int, *, now: datetime) -> Job | None:
    """Queue a parked job again with its attempts reset; None unless it was parked."""
    return await session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.status == "parked")
        .values(status="queued", attempts=0, run_at=now, finished_at=None, updated_at=now)
        .returning(Job)
        .execution_options(synchronize_session=False)
    )


async def purge_done(session: AsyncSession, *, finished_before: datetime) -> int:
    """Delete done jobs finished before the given time; parked jobs stay until handled."""
    result = await session.execute(
        delete(Job).where(Job.status == "done", Job.finished_at < finished_before)
    )
    return _rowcount(result)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
