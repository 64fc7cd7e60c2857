"""The runner in this process: jobs run after their transaction commits and never after a
rollback, once; failures are retried with backoff, then parked with their reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.db.session import session_scope
from app.jobs import enqueue
from app.jobs.repository import LEASE_EXPIRED
from app.jobs.runner import Backoff, Runner
from tests.jobs.support import Clock, Recorder, job, jobs


def runner(recorder: Recorder, clock: Clock | None = None, **options: object) -> Runner:
    return Runner(recorder.handlers(), clock=clock or Clock(), **options)  # type: ignore[arg-type]


async def test_a_job_written_in_a_rolled_back_transaction_never_runs() -> None:
    recorder = Recorder()
    with pytest.raises(RuntimeError):
        async with session_scope() as session:
            assert await enqueue(session, "record", {"n": 1}) is not None
            raise RuntimeError("the change that caused the job failed")
    assert await runner(recorder).run_due() == 0
    assert recorder.runs == []
    assert await jobs() == []


async def test_a_committed_job_runs_once() -> None:
    recorder = Recorder()
    async with session_scope() as session:
        job_id = await enqueue(session, "record", {"n": 7})
    assert job_id is not None
    first, second = runner(recorder), runner(recorder)
    assert await first.run_due() == 1
    assert await second.run_due() == 0
    assert recorder.runs == [{"n": 7}]
    done = await job(job_id)
    assert (done.status, done.attempts, done.locked_by) == ("done", 1, None)
    assert done.finished_at is not None


async def test_a_job_waits_for_its_run_at() -> None:
    recorder, clock = Recorder(), Clock()
    async with session_scope() as session:
        await enqueue(session, "record", {"n": 1}, run_at=clock() + timedelta(hours=1))
    worker = runner(recorder, clock)
    assert await worker.run_due() == 0
    clock.advance(timedelta(hours=1))
    assert await worker.run_due() == 1
    assert recorder.runs == [{"n": 1}]


async def test_the_same_key_is_enqueued_once() -> None:
    recorder = Recorder()
    async with session_scope() as session:
        first = await enqueue(session, "record", {"n": 1}, key="notify:application:5")
    async with session_scope() as session:
        again = await enqueue(session, "record", {"n": 2}, key="notify:application:5")
    assert first is not None and again is None
    await runner(recorder).run_due()
    async with session_scope() as session:  # done jobs keep their key
        assert await enqueue(session, "record", {"n": 3}, key="notify:application:5") is None
    assert recorder.runs == [{"n": 1}]


async def test_a_failing_job_is_retried_with_backoff_then_parked_with_its_reason() -> None:
    recorder, clock = Recorder(), Clock()
    worker = runner(recorder, clock, backoff=Backoff(timedelta(seconds=10), timedelta(hours=1)))
    async with session_scope() as session:
        job_id = await enqueue(session, "flaky", {"n": 1}, run_at=clock())
    assert job_id is not None

    for attempt, full_delay in ((1, 10), (2, 20)):
        failed_at = clock()
        assert await worker.run_due() == 1
        row = await job(job_id)
        assert (row.status, row.attempts) == ("queued", attempt)
        assert row.last_error == "RuntimeError: 上游服务暂不可用"
        # Exponential, with jitter between half and all of the full delay.
        delay = row.run_at - failed_at
        assert timedelta(seconds=full_delay / 2) <= delay <= timedelta(seconds=full_delay)
        clock.advance(delay - timedelta(seconds=1))
        assert await worker.run_due() == 0, "not before its time"
        clock.advance(timedelta(seconds=1))

    assert await worker.run_due() == 1
    parked = await job(job_id)
    assert (parked.status, parked.attempts) == ("parked", 3)
    assert parked.last_error == "RuntimeError: 上游服务暂不可用"
    clock.advance(timedelta(days=1))
    assert await worker.run_due() == 0, "a parked job is not tried again by itself"
    assert len(recorder.runs) == 3


async def test_backoff_is_capped() -> None:
    import random

    backoff = Backoff(timedelta(seconds=10), timedelta(minutes=5))
    rng = random.Random(1)
    delays = [backoff.delay(n, rng) for n in range(1, 30)]
    assert max(delays) <= timedelta(minutes=5)
    assert min(delays[10:]) >= timedelta(minutes=2, seconds=30)


async def test_a_kind_without_handler_is_parked_with_that_reason() -> None:
    async with session_scope() as session:
        job_id = await enqueue(session, "nobody-handles-this", {})
    assert job_id is not None
    assert await runner(Recorder()).run_due() == 1
    parked = await job(job_id)
    assert parked.status == "parked"
    assert parked.last_error is not None and "nobody-handles-this" in parked.last_error


async def test_a_handler_can_park_a_hopeless_job_at_once() -> None:
    recorder = Recorder()
    async with session_scope() as session:
        job_id = await enqueue(session, "hopeless", {"n": 1})
    assert job_id is not None
    assert await runner(recorder).run_due() == 1
    parked = await job(job_id)
    assert (parked.status, parked.attempts, parked.last_error) == ("parked", 1, "记录已不存在")


async def test_a_failed_handler_leaves_no_database_effect() -> None:
    recorder = Recorder()

    async def spawn_then_fail(session: object, payload: dict[str, object]) -> None:
        await recorder.spawn_child(session, payload)  # type: ignore[arg-type]
        raise RuntimeError("failed after writing")

    worker = Runner({"spawn-then-fail": spawn_then_fail})
    async with session_scope() as session:
        await enqueue(session, "spawn-then-fail", {"n": 1}, max_attempts=1)
    assert await worker.run_due() == 1
    assert await jobs("child") == []


async def test_a_job_whose_lease_ran_out_is_taken_over_and_the_late_run_rolls_back() -> None:
    recorder, clock = Recorder(), Clock()
    slow_worker = runner(recorder, clock, lease_seconds=30)
    other_worker = runner(recorder, clock, lease_seconds=30)
    async with session_scope() as session:
        job_id = await enqueue(session, "spawn-child", {"n": 1}, run_at=clock())
    (claimed,) = await slow_worker.claim(1)
    assert await other_worker.claim(1) == [], "held under a lease"

    clock.advance(timedelta(seconds=31))
    (taken,) = await other_worker.claim(1)
    assert (taken.id, taken.attempts) == (job_id, 2)
    assert (await job(job_id)).last_error == LEASE_EXPIRED
    await other_worker.execute(taken)
    await slow_worker.execute(claimed)  # finishes late: its work must not count

    assert len(recorder.runs) == 2
    assert len(await jobs("child")) == 1, "only the run that held the job committed"
    done = await job(job_id)
    assert (done.status, done.locked_by) == ("done", None)


async def test_a_job_whose_runners_keep_dying_is_parked() -> None:
    recorder, clock = Recorder(), Clock()
    async with session_scope() as session:
        job_id = await enqueue(session, "record", {"n": 1}, run_at=clock(), max_attempts=2)
    for _ in range(2):  # claimed, and its runner vanishes each time
        assert len(await runner(recorder, clock, lease_seconds=5).claim(1)) == 1
        clock.advance(timedelta(seconds=6))
    assert await runner(recorder, clock).run_due() == 1
    parked = await job(job_id)
    assert (parked.status, parked.attempts) == ("parked", 3)
    assert recorder.runs == []


async def test_the_loop_starts_a_job_as_soon_as_its_transaction_commits() -> None:
    """A long poll: only the wake-up after the commit can start the job in time."""
    ran = asyncio.Event()

    async def record(session: object, payload: dict[str, object]) -> None:
        ran.set()

    worker = Runner({"record": record}, poll_seconds=30)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.2)
    async with session_scope() as session:
        await enqueue(session, "record", {"n": 1})
    async with asyncio.timeout(5):
        await ran.wait()
    stop.set()
    async with asyncio.timeout(5):
        await loop
    assert (await jobs())[0].status == "done"


async def test_enqueue_refuses_a_malformed_kind() -> None:
    async with session_scope() as session:
        with pytest.raises(ValueError):
            await enqueue(session, "Not A Kind", {})
