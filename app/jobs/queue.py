"""Writing jobs: ``enqueue`` in the caller's transaction, so a job exists exactly when the
change that causes it was committed."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Insert, event
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs import repository
from app.kit.timeutil import now

DEFAULT_MAX_ATTEMPTS = 3
KIND_PATTERN = re.compile(r"[a-z0-9][a-z0-9:._-]{0,63}")
MAX_KEY_LENGTH = 255

# A handler runs one job inside the job's own transaction: it reads and writes through the
# session (flush, never commit) and must be safe to run twice.
Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


class ParkJob(Exception):
    """Raised by a handler for a job that can never succeed (its record is gone, its payload is
    wrong): parked at once with this reason instead of retried. The reason is shown to admins:
    no personal data in it."""


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int | None:
    """Write a job in the session's transaction: it runs after the commit (at ``run_at`` or
    at once), and never if the transaction rolls back. With ``key``, a second enqueue while a
    job with that key exists (queued, running, done within the retention, or parked) is a
    no-op and returns None; otherwise returns the new job's id. The payload is JSON of ids and
    flags, never personal data."""
    if not KIND_PATTERN.fullmatch(kind):
        raise ValueError("job kind: 1-64 of a-z, 0-9 and :._- (e.g. notify:send)")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ValueError("job key must be 1-255 characters")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    job_id = await repository.insert(
        session,
        kind=kind,
        payload=payload or {},
        run_at=run_at or now(),
        key=key,
        max_attempts=max_attempts,
    )
    if job_id is not None:
        _wake_after_commit(session)
    return job_id


def enqueue_for_each(source: CTE, kind: str, *, max_attempts: int, at_param: str) -> Insert:
    """:func:`enqueue` inside a statement: one queued job per row of ``source`` (a CTE with an
    ``id`` column, e.g. an ``INSERT ... RETURNING id``), with payload ``{"id": id}`` and key
    ``kind:id``, ``ON CONFLICT (key) DO NOTHING`` as ``enqueue`` does; due at (and stamped
    with) the bind parameter ``at_param``. PostgreSQL only, for hot paths that fold their job
    into one data-modifying CTE statement; call :func:`wake_after_commit` with the session
    that runs it."""
    if not KIND_PATTERN.fullmatch(kind):
        raise ValueError("job kind: 1-64 of a-z, 0-9 and :._- (e.g. notify:send)")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    return repository.insert_for_each(source, kind, max_attempts=max_attempts, at_param=at_param)


def wake_after_commit(session: AsyncSession) -> None:
    """Wake this process's runners when the session's transaction commits (what
    :func:`enqueue` does for the job it writes)."""
    _wake_after_commit(session)


# Runners in this process, woken when a transaction that enqueued a job commits, so the
# embedded runner starts a job at once instead of at its next poll.
_wakers: set[Callable[[], None]] = set()


def add_waker(wake: Callable[[], None]) -> None:
    _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    _wakers.discard(wake)


def _wake_after_commit(session: AsyncSession) -> None:
    sync_session = session.sync_session
    sync_session.info["jobs_enqueued"] = True
    if sync_session.info.get("jobs_listening"):
        return
    sync_session.info["jobs_listening"] = True

    def _after_commit(inner: Any) -> None:
        if inner.info.pop("jobs_enqueued", False):
            for wake in list(_wakers):
                wake()

    def _after_rollback(inner: Any) -> None:
        inner.info.pop("jobs_enqueued", None)

    event.listen(sync_session, "after_commit", _after_commit)
    event.listen(sync_session, "after_rollback", _after_rollback)
