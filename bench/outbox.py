"""Benchmark: outbox messages delivered per second by 1 and 4 ``python -m app worker``
processes (4 jobs in flight each) against a fake WeChat on loopback, beside a bare loop making
the same HTTP calls (``POST /cgi-bin/message/subscribe/send``, the same bodies, as many in
flight) in the same run, and the ratio.

    .venv/bin/python bench/outbox.py                    # 3,000 messages a run
    .venv/bin/python bench/outbox.py --messages 10000 --workers 1 2 4

Creates (dropping it first) its own PostgreSQL database, jiuzhu_bench_outbox, and drops it at
the end. A worker's rate is taken from the recorded ``sent_at`` of the first and last message,
so process start-up is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "jiuzhu_bench_outbox"
RESIDENTS = 200
PER_WORKER = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    return parser.parse_args()


async def admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 "
            "AND pid <> pg_backend_pid()",
            DATABASE,
        )
        await conn.execute(sql)
    finally:
        await conn.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], pipe: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if pipe else None,
        start_new_session=True,
    )


def message(n: int) -> dict[str, Any]:
    """The body a delivery sends for message n (what the bare loop sends too)."""
    return {
        "touser": f"o-{n % RESIDENTS}",
        "template_id": "dev-application_accepted",
        "page": f"pages/applications/detail?id={n + 1}",
        "data": {
            "character_string1": {"value": f"WJ2026-{n + 1:06d}"},
            "phrase2": {"value": "已受理"},
            "thing3": {"value": "求助已受理"},
            "time4": {"value": "2026-11-30 10:00"},
        },
        "miniprogram_state": "formal",
        "lang": "zh_CN",
    }


async def bare(port: int, count: int, in_flight: int) -> float:
    """Messages per second of a plain httpx loop making the same calls."""
    import httpx

    url = f"http://127.0.0.1:{port}/cgi-bin/message/subscribe/send"
    queue = iter(range(count))

    async def lane(http: httpx.AsyncClient) -> None:
        for n in queue:
            body = json.dumps(message(n), ensure_ascii=False).encode()
            response = await http.post(
                url,
                params={"access_token": "fake-wechat-token"},
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            assert response.json()["errcode"] == 0

    async with httpx.AsyncClient() as http:
        started = time.perf_counter()
        await asyncio.gather(*(lane(http) for _ in range(in_flight)))
        return count / (time.perf_counter() - started)


async def queue_messages(count: int) -> None:
    from sqlalchemy import delete, insert, select

    from app.db.session import session_scope
    from app.kit.timeutil import now
    from app.models import Job, Notification, Resident, WeChatSubscription
    from app.notifications.service import SEND_JOB

    at = now()
    async with session_scope() as session:
        for table in (Job, Notification, WeChatSubscription, Resident):
            await session.execute(delete(table))
        await session.execute(
            insert(Resident),
            [{"openid": f"o-{n}", "created_at": at, "updated_at": at} for n in range(RESIDENTS)],
        )
        residents = list(await session.scalars(select(Resident.id).order_by(Resident.id)))
        await session.execute(
            insert(WeChatSubscription),
            [
                {
                    "resident_id": r,
                    "template_id": "dev-application_accepted",
                    "remaining": count,
                    "updated_at": at,
                }
                for r in residents
            ],
        )
        await session.execute(
            insert(Notification),
            [
                {
                    "recipient_kind": "resident",
                    "recipient_id": residents[n % RESIDENTS],
                    "event": "application_accepted",
                    "title": "求助已受理",
                    "record_type": "application",
                    "record_id": n + 1,
                    "data": {
                        "reference": f"WJ2026-{n + 1:06d}",
                        "status": "已受理",
                        "note": "求助已受理",
                        "at": "2026-11-30T02:00:00+00:00",
                    },
                    "key": f"bench:{n}",
                    "status": "pending",
                    "attempts": 0,
                    "created_at": at,
                    "updated_at": at,
                }
                for n in range(count)
            ],
        )
        ids = list(await session.scalars(select(Notification.id).order_by(Notification.id)))
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
                for i in ids
            ],
        )


async def deliver(workers: int, count: int, env: dict[str, str]) -> tuple[float, float]:
    """(messages per second between the first and last recorded send, wall seconds)."""
    from sqlalchemy import func, select

    from app.db.session import session_scope
    from app.models import Notification

    await queue_messages(count)
    started = time.perf_counter()
    processes = [
        start(["-m", "app", "worker", "--concurrency", str(PER_WORKER)], env)
        for _ in range(workers)
    ]
    try:
        while True:
            async with session_scope() as session:
                sent, first, last = (
                    await session.execute(
                        select(
                            func.count(Notification.sent_at),
                            func.min(Notification.sent_at),
                            func.max(Notification.sent_at),
                        )
                    )
                ).one()
            if sent >= count:
                break
            if time.perf_counter() - started > 1800:
                sys.exit("deliveries stalled")
            await asyncio.sleep(0.25)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(60)
    return (count - 1) / (last - first).total_seconds(), time.perf_counter() - started


async def main() -> None:
    args = parse_args()
    await admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    await admin(f'CREATE DATABASE "{DATABASE}"')
    port = free_port()
    env = dict(os.environ)
    env |= {
        "JIUZHU_ENV": "dev",
        "JIUZHU_VAR_DIR": tempfile.mkdtemp(prefix="jiuzhu-bench-outbox-"),
        "JIUZHU_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}",
        "JIUZHU_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "JIUZHU_DATA_KEY": "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y=",
        "JIUZHU_WECHAT_MODE": "live",
        "JIUZHU_WECHAT_APPID": "wx-bench",
        "JIUZHU_WECHAT_SECRET": "bench-secret",
        "JIUZHU_WECHAT_API_BASE": f"http://127.0.0.1:{port}",
        "JIUZHU_JOB_POLL_SECONDS": "0.1",
        "JIUZHU_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    if start(["-m", "app", "migrate"], env).wait() != 0:
        sys.exit("migration failed")
    server = start(["-m", "app.devtools.fake_wechat", str(port)], env, pipe=True)
    try:
        assert server.stdout is not None and server.stdout.readline().startswith(b"ready")
        load = os.getloadavg()[0]
        print(f"outbox delivery, {args.messages} messages a run, load {load:.2f}")
        print(
            f"{'workers':>8} {'in flight':>9} {'outbox msg/s':>13} {'bare msg/s':>11} {'ratio':>7}"
        )
        for workers in args.workers:
            in_flight = workers * PER_WORKER
            rate, wall = await deliver(workers, args.messages, env)
            baseline = await bare(port, args.messages, in_flight)
            print(
                f"{workers:>8} {in_flight:>9} {rate:>13.1f} {baseline:>11.1f} "
                f"{rate / baseline:>7.1%}   (wall {wall:.1f} s, load {os.getloadavg()[0]:.2f})"
            )
    finally:
        server.kill()
        server.wait(10)
        from app.db.session import dispose_engine

        await dispose_engine()
        await admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')


if __name__ == "__main__":
    asyncio.run(main())
