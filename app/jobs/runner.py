"""The job runner: claims due jobs, runs each in its own transaction, retries failures with
backoff and jitter, parks what keeps failing, schedules periodic jobs.

A claim is a short transaction that marks jobs ``running`` under this runner's id with a lease
(``locked_until``) the runner keeps extending while the job runs; a job whose runner died is
claimable again once the lease runs out. The handler's work and the job's ``done`` mark commit
together, and only while this runner still holds the job: a runner that lost its lease rolls
its work back, so database effects happen once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import AppError
from app.jobs import repository
from app.jobs.queue import Handler, ParkJob, add_waker, enqueue, remove_waker
from app.jobs.repository import ClaimedJob
from app.jobs.schedule import DONE_RETENTION, Periodic
from app.kit.timeutil import now

log = structlog.get_logger()
T = TypeVar("T")

MAX_ERROR_LENGTH = 500
SCHEDULE_CHECK_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before attempt n+1: ``base * 2**(n-1)`` capped at ``cap``, then a random share
    of it between half and all (jitter), so failed jobs do not come back in step."""

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        full = min(self.cap, self.base * 2 ** max(attempts - 1, 0))
        return full * rng.uniform(0.5, 1.0)


class _LeaseLost(Exception):
    """Another runner took the job over: this run's work is rolled back."""


def describe_error(exc: BaseException) -> str:
    """What an admin sees in ``last_error``: the error's type and the first line of its
    message, without the SQL and parameters a database error carries."""
    if isinstance(exc, ParkJob):
        return str(exc)[:MAX_ERROR_LENGTH]
    if isinstance(exc, AppError):
        text = exc.message
    elif isinstance(exc, StatementError) and exc.orig is not None:
        text = _first_line(exc.orig)  # the driver's message, without the SQL and parameters
    else:
        text = _first_line(exc)
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR_LENGTH]


def _first_line(value: object) -> str:
    text = str(value)
    return text.splitlines()[0] if text else ""


def default_worker_id() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Runner:
    """Runs jobs with the given handlers (kind → handler). Production passes the mapping in
    ``app/tasks.py``; tests pass their own."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        periodic: Sequence[Periodic] = (),
        concurrency: int = 1,
        poll_seconds: float = 1.0,
        lease_seconds: float = 60.0,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = now,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        worker_id: str | None = None,
        stop_timeout: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        for entry in periodic:
            if entry.every > DONE_RETENTION or entry.every <= timedelta(0):
                raise ValueError(f"periodic {entry.kind}: period must be within the retention")
        self.handlers = dict(handlers)
        self.periodic = tuple(periodic)
        self.concurrency = max(1, concurrency)
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.stop_timeout = stop_timeout
        self._sessions = sessions
        self._rng = rng or random.Random()  # jitter, not secrecy
        self._in_hand: dict[asyncio.Task[None], ClaimedJob] = {}
        self._wake = asyncio.Event()

    @classmethod
    def from_settings(
        cls,
        handlers: Mapping[str, Handler],
        periodic: Sequence[Periodic] = (),
        *,
        concurrency: int | None = None,
    ) -> Runner:
        """A runner configured by ``JIUZHU_WORKER_CONCURRENCY``, ``JIUZHU_JOB_POLL_SECONDS``
        and ``JIUZHU_JOB_LEASE_SECONDS``; one job at a time on SQLite (one writer)."""
        from app.config import get_settings

        settings = get_settings()
        wanted = concurrency or settings.worker_concurrency
        return cls(
            handlers,
            periodic=periodic,
            concurrency=1 if settings.is_sqlite else wanted,
            poll_seconds=settings.job_poll_seconds,
            lease_seconds=settings.job_lease_seconds,
        )

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            from app.db.session import get_sessionmaker

            self._sessions = get_sessionmaker()
        return self._sessions

    # -- one pass, for tests and for `run` -------------------------------------------------

    async def claim(self, limit: int) -> list[ClaimedJob]:
        """Claim up to ``limit`` due jobs in a short transaction of their own."""
        at = self.clock()
        async with self.sessions() as session, session.begin():
            return await repository.claim(
                session, worker=self.worker_id, now=at, lease_until=at + self.lease, limit=limit
            )

    async def run_due(self) -> int:
        """Run every job due now (including retries that come due meanwhile) and return how
        many attempts were made; a test's or a command's way to drain the queue."""
        ran = 0
        while jobs := await self.claim(self.concurrency):
            await asyncio.gather(*(self.execute(job) for job in jobs))
            ran += len(jobs)
        return ran

    async def schedule_periodic(self) -> None:
        """Make sure each periodic job has its row for the current period (a no-op when any
        runner already wrote it)."""
        if not self.periodic:
            return
        at = self.clock()
        async with self.sessions() as session, session.begin():
            for entry in self.periodic:
                start = entry.period_start(at)
                await enqueue(
                    session, entry.kind, entry.payload, run_at=start, key=entry.key(start)
                )

    async def execute(self, job: ClaimedJob) -> None:
        """Run one claimed job and record its outcome."""
        bound = log.bind(job_id=job.id, kind=job.kind, attempt=job.attempts)
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self._failed(job, f"没有处理此类任务的程序：{job.kind}", park=True)
            bound.error("job_parked", reason="no_handler")
            return
        if job.attempts > job.max_attempts:
            # Only a job whose runners kept dying with it gets here: never try it again.
            await self._failed(job, "多次执行中断（租约过期），已搁置", park=True)
            bound.error("job_parked", reason="lease_expired")
            return
        started = time.perf_counter()
        bound.info("job_started")
        try:
            async with self.sessions() as session, session.begin():
                await handler(session, job.payload)
                if not await repository.complete(
                    session, job.id, worker=self.worker_id, now=self.clock()
                ):
                    raise _LeaseLost()
        except _LeaseLost:
            bound.warning("job_lease_lost")
            return
        except asyncio.CancelledError:
            await asyncio.shield(self._release(job))
            bound.warning("job_released")
            raise
        except ParkJob as exc:
            await self._failed(job, describe_error(exc), park=True)
            bound.error("job_parked", reason="park", error=describe_error(exc))
            return
        except Exception as exc:
            error = describe_error(exc)
            if job.attempts >= job.max_attempts:
                await self._failed(job, error, park=True)
                bound.error("job_parked", reason="attempts", error=error)
            else:
                await self._failed(job, error, park=False)
                bound.warning("job_failed", error=error)
            return
        bound.info("job_done", ms=round((time.perf_counter() - started) * 1000, 1))

    async def _failed(self, job: ClaimedJob, error: str, *, park: bool) -> None:
        at = self.clock()
        retry_at = None if park else at + self.backoff.delay(job.attempts, self._rng)
        try:
            async with self.sessions() as session, session.begin():
                await repository.fail(
                    session, job.id, worker=self.worker_id, now=at, error=error, retry_at=retry_at
                )
        except (SQLAlchemyError, OSError) as exc:
            # The lease runs out and the job is tried again: handlers are safe to run twice.
            log.error("job_outcome_not_recorded", job_id=job.id, error_type=type(exc).__name__)

    async def _release(self, job: ClaimedJob) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await repository.release(session, job.id, worker=self.worker_id, now=self.clock())
        except (SQLAlchemyError, OSError) as exc:
            log.error("job_not_released", job_id=job.id, error_type=type(exc).__name__)

    async def _heartbeat(self) -> None:
        """Extend the leases of the jobs in hand, a third of a lease at a time."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            ids = [job.id for job in self._in_hand.values()]
            if not ids:
                continue
            try:
                async with self.sessions() as session, session.begin():
                    await repository.extend_leases(
                        session, ids, worker=self.worker_id, until=self.clock() + self.lease
                    )
            except (SQLAlchemyError, OSError) as exc:
                log.warning("job_heartbeat_failed", error_type=type(exc).__name__)

    # -- the loop ------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set, then finish the jobs in hand (those still
        running after ``stop_timeout`` are cancelled and given back)."""
        log.info("job_runner_started", worker=self.worker_id, concurrency=self.concurrency)
        add_waker(self._wake.set)
        heartbeat = asyncio.create_task(self._heartbeat())
        next_schedule = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_schedule:
                    await self._guarded(self.schedule_periodic())
                    next_schedule = time.monotonic() + SCHEDULE_CHECK_SECONDS
                free = self.concurrency - len(self._in_hand)
                claimed = (await self._guarded(self.claim(free)) or []) if free else []
                for job in claimed:
                    task = asyncio.create_task(self.execute(job))
                    self._in_hand[task] = job
                    task.add_done_callback(self._in_hand.pop)
                if claimed and len(self._in_hand) < self.concurrency:
                    continue  # more may be due
                await self._idle(stop)
        finally:
            await self._finish_in_hand()
            heartbeat.cancel()
            remove_waker(self._wake.set)
            log.info("job_runner_stopped", worker=self.worker_id)

    async def _guarded(self, work: Awaitable[T]) -> T | None:
        try:
            return await work
        except (SQLAlchemyError, OSError) as exc:
            log.warning("job_runner_database_error", error_type=type(exc).__name__)
            await asyncio.sleep(self.poll_seconds)
            return None

    async def _idle(self, stop: asyncio.Event) -> None:
        """Sleep until a job in hand finishes, a job is enqueued here, stop, or the poll."""
        self._wake.clear()
        waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        busy = set(self._in_hand) if len(self._in_hand) >= self.concurrency else set()
        try:
            await asyncio.wait(
                waits | busy, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waits:
                waiter.cancel()

    async def _finish_in_hand(self) -> None:
        tasks = set(self._in_hand)
        if not tasks:
            return
        log.info("job_runner_finishing", jobs=len(tasks))
        _done, pending = await asyncio.wait(tasks, timeout=self.stop_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


async def run_until_signalled(runner: Runner) -> None:
    """Run ``runner`` until SIGTERM or SIGINT, then let it finish the jobs in hand."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await runner.run(stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
