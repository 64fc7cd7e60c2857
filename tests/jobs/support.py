"""Test handlers and helpers for the job runner: a controllable clock, handlers that record
their runs in memory (in-process runners) or in a file (worker processes)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import session_scope
from app.jobs import ParkJob, enqueue
from app.kit.timeutil import now
from app.models.job import Job


@dataclass
class Clock:
    at: datetime = field(default_factory=now)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@dataclass
class Recorder:
    """Handlers that record each run; ``failing`` makes ``flaky`` raise until set False."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = True

    async def record(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        self.runs.append(payload)

    async def flaky(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        self.runs.append(payload)
        if self.failing:
            raise RuntimeError("上游服务暂不可用")

    async def hopeless(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        self.runs.append(payload)
        raise ParkJob("记录已不存在")

    async def spawn_child(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        """A database effect: writes another job in the job's transaction."""
        self.runs.append(payload)
        await enqueue(session, "child", {"parent": payload["n"]})

    def handlers(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "flaky": self.flaky,
            "hopeless": self.hopeless,
            "spawn-child": self.spawn_child,
        }


async def jobs(kind: str | None = None) -> list[Job]:
    async with session_scope() as session:
        stmt = select(Job).order_by(Job.id)
        if kind is not None:
            stmt = stmt.where(Job.kind == kind)
        return list(await session.scalars(stmt))


async def job(job_id: int) -> Job:
    async with session_scope() as session:
        found = await session.get(Job, job_id)
        assert found is not None
        return found


# -- worker processes: each run appended to a file, one write() a line ---------------------


def _append(line: str) -> None:
    fd = os.open(os.environ["JIUZHU_TEST_JOB_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{line}\n".encode())
    finally:
        os.close(fd)


async def count(session: AsyncSession, payload: dict[str, Any]) -> None:
    await asyncio.sleep(0.002)
    _append(f"ran {payload['n']} {os.getpid()}")


async def hang_once(session: AsyncSession, payload: dict[str, Any]) -> None:
    """The first run hangs (its worker is then killed); a later run finishes."""
    try:
        os.close(os.open(os.environ["JIUZHU_TEST_JOB_LOG"] + ".hung", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        pass
    else:
        _append(f"hanging {os.getpid()}")
        await asyncio.sleep(3600)
    _append(f"finished {os.getpid()}")


async def slow(session: AsyncSession, payload: dict[str, Any]) -> None:
    _append(f"started {os.getpid()}")
    await asyncio.sleep(1.5)
    _append(f"finished {os.getpid()}")


PROCESS_HANDLERS = {"count": count, "hang-once": hang_once, "slow": slow}
