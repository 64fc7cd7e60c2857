"""Worker processes: two of them share 1,000 jobs, each run exactly once; a killed worker's
job is taken over once its lease runs out; SIGTERM lets a worker finish the job in hand; the
real ``python -m app worker`` runs the nightly purges."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.db.session import session_scope
from app.jobs import enqueue
from app.jobs.runner import Runner
from app.kit.timeutil import now
from app.models import IdempotencyRecord, Job
from tests.jobs.support import PROCESS_HANDLERS, job, jobs

ROOT = Path(__file__).resolve().parents[2]
JOBS = 1000


@pytest.fixture
def job_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "runs.log"
    path.touch()
    monkeypatch.setenv("JIUZHU_TEST_JOB_LOG", str(path))
    monkeypatch.setenv("JIUZHU_JOB_POLL_SECONDS", "0.1")
    monkeypatch.setenv("JIUZHU_LOG_LEVEL", "WARNING")
    return path


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def start(workers: list[subprocess.Popen[bytes]], *command: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=dict(os.environ), start_new_session=True
    )
    workers.append(process)
    return process


def start_test_worker(
    workers: list[subprocess.Popen[bytes]], concurrency: int = 4
) -> subprocess.Popen[bytes]:
    return start(workers, "-m", "tests.jobs.worker_process", str(concurrency))


async def wait_for(predicate: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def lines(path: Path, word: str) -> list[list[str]]:
    return [ln.split() for ln in path.read_text().splitlines() if ln.startswith(word + " ")]


async def test_two_workers_run_a_thousand_jobs_each_exactly_once(
    job_log: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    first, second = start_test_worker(workers), start_test_worker(workers)
    await wait_for(lambda: len(lines(job_log, "ready")) == 2, 30, "both workers")
    async with session_scope() as session:
        for n in range(JOBS):
            await enqueue(session, "count", {"n": n})
    await wait_for(lambda: len(lines(job_log, "ran")) >= JOBS, 120, "every job")
    await asyncio.sleep(0.5)  # a duplicate run would show up now

    runs = lines(job_log, "ran")
    assert len(runs) == JOBS, "no job ran twice"
    assert sorted(int(r[1]) for r in runs) == list(range(JOBS))
    by_worker = Counter(int(r[2]) for r in runs)
    assert set(by_worker) == {first.pid, second.pid}, f"both workers took jobs: {by_worker}"
    async with session_scope() as session:
        states = dict(
            (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
        )
        attempts = await session.scalar(select(func.max(Job.attempts)))
    assert states == {"done": JOBS}
    assert attempts == 1


async def test_a_killed_workers_job_is_taken_over_after_its_lease(
    job_log: Path, workers: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short lease: this worker is killed. (Where workers only stall, a lease this short
    # would hand their jobs over while they still run them: the default is a minute.)
    monkeypatch.setenv("JIUZHU_JOB_LEASE_SECONDS", "3")
    doomed = start_test_worker(workers)
    await wait_for(lambda: lines(job_log, "ready"), 30, "the worker")
    async with session_scope() as session:
        job_id = await enqueue(session, "hang-once", {})
    assert job_id is not None
    await wait_for(lambda: lines(job_log, "hanging"), 30, "the job to start")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    killed_at = time.monotonic()

    # Another worker takes it over, but not before the dead one's lease has run out.
    survivor = Runner(PROCESS_HANDLERS, lease_seconds=3)
    while (await job(job_id)).status != "done":
        assert time.monotonic() - killed_at < 30, "never taken over"
        await survivor.run_due()
        await asyncio.sleep(0.1)
    assert time.monotonic() - killed_at > 1.0, "taken while the lease still held"
    finished = await job(job_id)
    assert finished.attempts == 2
    assert [ln[0] for ln in lines(job_log, "finished")] == ["finished"]


async def test_sigterm_lets_the_worker_finish_the_job_in_hand(
    job_log: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    worker = start_test_worker(workers)
    await wait_for(lambda: lines(job_log, "ready"), 30, "the worker")
    async with session_scope() as session:
        job_id = await enqueue(session, "slow", {})
    assert job_id is not None
    await wait_for(lambda: lines(job_log, "started"), 30, "the job to start")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0
    assert len(lines(job_log, "finished")) == 1
    done = await job(job_id)
    assert (done.status, done.attempts) == ("done", 1)


async def test_the_worker_command_runs_the_nightly_purges_and_stops_on_sigterm(
    job_log: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    async with session_scope() as session:
        await session.execute(
            insert(IdempotencyRecord).values(
                caller="resident:1",
                key="stale",
                request_hash="h",
                created_at=now() - timedelta(days=2),
            )
        )
    worker = start(workers, "-m", "app", "worker", "--concurrency", "2")

    async def done_kinds() -> set[str]:
        return {j.kind for j in await jobs() if j.status == "done"}

    deadline = time.monotonic() + 30
    # Every periodic kind runs once at start; the purges are the two this test checks.
    while not {"purge-idempotency", "purge-jobs"} <= await done_kinds():
        assert time.monotonic() < deadline, "the worker never ran the purges"
        assert worker.poll() is None, "the worker exited"
        await asyncio.sleep(0.1)
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0
