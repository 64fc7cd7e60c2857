"""The fault test: three ``python -m app worker`` processes against PostgreSQL deliver a batch
of queued messages to a fake WeChat on loopback; one is killed with SIGKILL mid-batch. Every
message arrives; none arrives twice after its success was recorded, counted at the fake WeChat.

``JIUZHU_TEST_FAULT_MESSAGES`` sets the batch (10,000 by default)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app.db.session import session_scope
from app.jobs.repository import LEASE_EXPIRED
from app.kit.timeutil import now
from app.models import Job, Notification, Resident, WeChatSubscription
from app.notifications.service import SEND_JOB

MESSAGES = int(os.environ.get("JIUZHU_TEST_FAULT_MESSAGES", "10000"))
RESIDENTS = 100
WORKERS = 3
CONCURRENCY = 4
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _start(
    processes: list[subprocess.Popen[bytes]],
    args: list[str],
    env: dict[str, str] | None = None,
    pipe: bool = False,
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if pipe else None,
        start_new_session=True,
    )
    processes.append(process)
    return process


def _sent(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sent", timeout=10) as answer:
        return dict(json.loads(answer.read()))


async def _queue(count: int) -> None:
    """``count`` outbox messages and their delivery jobs, as ``notify`` writes them, in bulk."""
    at = now()
    async with session_scope() as session:
        await session.execute(
            insert(Resident),
            [{"openid": f"o-{n}", "created_at": at, "updated_at": at} for n in range(RESIDENTS)],
        )
        ids = list(await session.scalars(select(Resident.id).order_by(Resident.id)))
        await session.execute(
            insert(WeChatSubscription),
            [
                {
                    "resident_id": r,
                    "template_id": "dev-application_accepted",
                    "remaining": count,
                    "updated_at": at,
                }
                for r in ids
            ],
        )
        rows = [
            {
                "recipient_kind": "resident",
                "recipient_id": ids[n % RESIDENTS],
                "event": "application_accepted",
                "title": "求助已受理",
                "record_type": "application",
                "record_id": n + 1,
                "data": {
                    "reference": f"WJ2026-{n + 1:06d}",
                    "status": "已受理",
                    "note": "求助已受理",
                    "at": at.isoformat(),
                },
                "key": f"fault:{n}",
                "status": "pending",
                "attempts": 0,
                "created_at": at,
                "updated_at": at,
            }
            for n in range(count)
        ]
        await session.execute(insert(Notification), rows)
        notification_ids = list(
            await session.scalars(select(Notification.id).order_by(Notification.id))
        )
        await session.execute(
            insert(Job),
            [
                {
                    "kind": SEND_JOB,
                    "payload": {"id": i},
                    "status": "queued",
                    "run_at": at,
                    "attempts": 0,
                    "max_attempts": 8,
                    "key": f"{SEND_JOB}:{i}",
                    "created_at": at,
                    "updated_at": at,
                }
                for i in notification_ids
            ],
        )


async def test_three_workers_one_killed_every_message_once(
    backend: str, processes: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgres":
        pytest.skip("worker processes share the queue on PostgreSQL")
    port = _free_port()
    server = _start(processes, ["-m", "app.devtools.fake_wechat", str(port)], pipe=True)
    assert server.stdout is not None and server.stdout.readline().startswith(b"ready")
    await _queue(MESSAGES)

    env = dict(os.environ)
    env |= {
        "JIUZHU_WECHAT_MODE": "live",
        "JIUZHU_WECHAT_API_BASE": f"http://127.0.0.1:{port}",
        "JIUZHU_WECHAT_APPID": "wx-fault",
        "JIUZHU_WECHAT_SECRET": "fault-secret",
        "JIUZHU_JOB_POLL_SECONDS": "0.1",
        "JIUZHU_JOB_LEASE_SECONDS": "3",
        "JIUZHU_LOG_LEVEL": "ERROR",
    }
    started = time.monotonic()
    workers = []
    for _ in range(WORKERS):
        command = ["-m", "app", "worker", "--concurrency", str(CONCURRENCY)]
        workers.append(_start(processes, command, env=env))

    # Mid-batch: once a third has arrived, the first worker dies without a word.
    while _sent(port)["total"] < MESSAGES // 3:
        assert time.monotonic() - started < 600, "no progress"
        await asyncio.sleep(0.1)
    os.killpg(workers[0].pid, signal.SIGKILL)
    workers[0].wait(10)
    sent_at_kill = _sent(port)["total"]

    async def pending() -> int:
        async with session_scope() as session:
            return int(
                await session.scalar(select(func.count()).where(Notification.status != "sent")) or 0
            )

    while await pending():
        assert time.monotonic() - started < 900, "not every message was delivered"
        assert all(w.poll() is None for w in workers[1:]), "a surviving worker exited"
        await asyncio.sleep(0.5)
    elapsed = time.monotonic() - started
    await asyncio.sleep(1.0)  # a late duplicate would show up now

    counts = _sent(port)["by_message"]
    expected = {f"o-{n % RESIDENTS} pages/applications/detail?id={n + 1}" for n in range(MESSAGES)}
    assert set(counts) == expected, "every message arrived, nothing else did"
    twice = {k for k, c in counts.items() if c > 1}
    async with session_scope() as session:
        jobs = dict(
            (
                await session.execute(
                    select(Job.status, func.count())
                    .where(Job.kind == SEND_JOB)
                    .group_by(Job.status)
                )
            ).all()
        )
        taken_over = await session.scalar(
            select(func.count()).where(Job.kind == SEND_JOB, Job.attempts > 1)
        )
        lease_errors = await session.scalar(
            select(func.count()).where(Job.kind == SEND_JOB, Job.last_error == LEASE_EXPIRED)
        )
    assert jobs == {"done": MESSAGES}
    # At least once: only a message in the killed worker's hands between WeChat taking it and
    # the record committing can go twice; at most one per job it held.
    assert len(twice) <= CONCURRENCY, twice
    assert all(c == 2 for k, c in counts.items() if k in twice)
    sys.stderr.write(
        f"\nfault test: {MESSAGES} messages, {WORKERS} workers, killed at {sent_at_kill} sent, "
        f"{elapsed:.1f} s, jobs taken over {taken_over} (lease expired {lease_errors}), "
        f"delivered twice {len(twice)}\n"
    )
