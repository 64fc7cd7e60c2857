"""The job runner inside ``serve``: the server runs the nightly purges by itself, and with
``--no-worker`` it leaves jobs to separate workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, insert, select

from app.db.session import session_scope
from app.kit.timeutil import now
from app.models import IdempotencyRecord, Job
from tests.e2e.conftest import ROOT, Server, free_port


async def stale_idempotency_record() -> None:
    async with session_scope() as session:
        await session.execute(
            insert(IdempotencyRecord).values(
                caller="resident:1",
                key="stale",
                request_hash="h",
                created_at=now() - timedelta(days=2),
            )
        )


async def count(model: type) -> int:
    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_server_runs_jobs_inside_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    await stale_idempotency_record()
    monkeypatch.setenv("JIUZHU_JOB_POLL_SECONDS", "0.2")
    server = Server()
    server.start()
    try:
        deadline = time.monotonic() + 30
        while await count(IdempotencyRecord):
            assert time.monotonic() < deadline, "the embedded runner never purged"
            await asyncio.sleep(0.1)
        async with session_scope() as session:
            done = set(await session.scalars(select(Job.kind).where(Job.status == "done")))
        assert done >= {"purge-idempotency"}
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            assert (await http.get("/healthz")).status_code == 200
    finally:
        server.close()


def serve_without_worker(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env={**os.environ, "JIUZHU_JOB_POLL_SECONDS": "0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def test_serve_no_worker_leaves_jobs_to_the_workers() -> None:
    await stale_idempotency_record()
    port = free_port()
    process = serve_without_worker(port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = time.monotonic() + 30
            while True:
                assert time.monotonic() < deadline and process.poll() is None, "no server"
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)
        assert await count(Job) == 0
        assert await count(IdempotencyRecord) == 1
    finally:
        process.terminate()
        process.wait(10)
