"""Periodic jobs run once a period however many runners schedule them; the nightly purges
delete what is past its time and nothing else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import session_scope
from app.jobs import Periodic
from app.jobs.runner import Runner
from app.kit.timeutil import now
from app.models import IdempotencyRecord, Job
from app.models.account import LoginFailure
from app.tasks import HANDLERS, PERIODIC
from tests.jobs.support import Clock, jobs


async def test_a_periodic_job_runs_once_a_period_with_two_runners() -> None:
    runs: list[datetime] = []
    clock = Clock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))

    async def tick(session: AsyncSession, payload: dict[str, Any]) -> None:
        runs.append(clock())

    hourly = (Periodic("tick", every=timedelta(hours=1)),)
    runners = [Runner({"tick": tick}, periodic=hourly, clock=clock) for _ in range(2)]

    async def both_schedule_and_run() -> None:
        await asyncio.gather(*(r.schedule_periodic() for r in runners))
        await asyncio.gather(*(r.run_due() for r in runners))

    await both_schedule_and_run()
    clock.advance(timedelta(minutes=59))
    await both_schedule_and_run()
    assert len(runs) == 1, "once in the 10:00 period"
    clock.advance(timedelta(minutes=2))
    await both_schedule_and_run()
    await both_schedule_and_run()
    assert len(runs) == 2, "once more in the 11:00 period"
    keys = [j.key for j in await jobs("tick")]
    assert keys == ["periodic:tick:20261130T100000Z", "periodic:tick:20261130T110000Z"]


def test_a_daily_period_starts_at_three_in_beijing() -> None:
    daily = Periodic("x", every=timedelta(days=1), offset=timedelta(hours=19))
    assert daily.period_start(datetime(2026, 11, 30, 18, 59, tzinfo=UTC)) == datetime(
        2026, 11, 29, 19, 0, tzinfo=UTC
    )
    assert daily.period_start(datetime(2026, 11, 30, 19, 0, tzinfo=UTC)) == datetime(
        2026, 11, 30, 19, 0, tzinfo=UTC
    )


async def test_the_nightly_purges_delete_only_what_is_past_its_time() -> None:
    at = now()
    async with session_scope() as session:
        await session.execute(
            insert(IdempotencyRecord),
            [
                {
                    "caller": "resident:1",
                    "key": "old",
                    "request_hash": "h",
                    "created_at": at - timedelta(hours=25),
                },
                {
                    "caller": "resident:1",
                    "key": "new",
                    "request_hash": "h",
                    "created_at": at - timedelta(hours=23),
                },
            ],
        )
        old_job = {
            "kind": "record",
            "payload": {},
            "status": "done",
            "run_at": at,
            "attempts": 1,
            "max_attempts": 3,
        }
        await session.execute(
            insert(Job),
            [
                {**old_job, "finished_at": at - timedelta(days=8)},
                {**old_job, "finished_at": at - timedelta(days=6)},
                {**old_job, "status": "parked", "finished_at": at - timedelta(days=30)},
            ],
        )
        await session.execute(
            insert(LoginFailure),
            [
                {"username": "ward", "client": "10.0.0.9", "at": at - timedelta(hours=25)},
                {"username": "ward", "client": "10.0.0.9", "at": at - timedelta(hours=23)},
            ],
        )
    runner = Runner(HANDLERS, periodic=PERIODIC)
    await runner.schedule_periodic()
    # Every periodic job of its period runs once (the purges, the nightly warning scan, the
    # retention rule's anonymisation, the hourly overdue sweep of the inbox, the category
    # decisions whose date has come).
    assert {
        "purge-idempotency",
        "purge-jobs",
        "warnings:nightly-scan",
        "intake:retention",
        "notifications:overdue",
        "households:apply-scheduled",
    } <= {entry.kind for entry in PERIODIC}
    assert await runner.run_due() == len(PERIODIC)
    async with session_scope() as session:
        keys = list(await session.scalars(select(IdempotencyRecord.key)))
        left = list(await session.execute(select(Job.kind, Job.status).order_by(Job.id)))
        failures = list(await session.scalars(select(LoginFailure.at)))
    assert keys == ["new"]
    # The throttle remembers failures for a day: only the older one goes.
    assert len(failures) == 1
    assert [tuple(r) for r in left] == [
        ("record", "done"),
        ("record", "parked"),
        *((entry.kind, "done") for entry in PERIODIC),
    ]
