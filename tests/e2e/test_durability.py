"""Nothing acknowledged is lost: the server is SIGKILLed while clients are submitting, and
every application that got a 201 is there after a restart, with the same reference."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.conftest import Server
from tests.helpers import application_body, login_staff

CLIENTS = 8
RUN_BEFORE_KILL = 2.0


@dataclass
class Submitter:
    headers: dict[str, str]
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> 201 body
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)  # keys whose outcome the client missed
    cut_off_by: str = ""


async def submit_until_down(http: httpx.AsyncClient, submitter: Submitter) -> None:
    while True:
        key = uuid.uuid4().hex
        body = application_body(description=f"durability {key}")
        submitter.bodies[key] = body
        try:
            response = await http.post(
                "/applications", json=body, headers={**submitter.headers, "Idempotency-Key": key}
            )
        except httpx.TransportError as exc:
            submitter.unanswered.append(key)
            submitter.cut_off_by = type(exc).__name__
            return
        assert response.status_code == 201, response.text
        submitter.acknowledged[key] = response.json()


def assert_is_the_server(pid: int) -> None:
    """The pid runs ``app serve`` itself (not a shell or launcher) and has no worker children:
    SIGKILL to it stops the process that answers requests."""
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # not Linux
        return
    argv = (proc / "cmdline").read_bytes().split(b"\0")
    assert b"app" in argv and b"serve" in argv, argv
    assert (proc / "task" / str(pid) / "children").read_text().strip() == ""


async def test_acknowledged_applications_survive_sigkill(server: Server, backend: str) -> None:
    if backend == "sqlite":
        await assert_sqlite_durable_settings()

    async with httpx.AsyncClient(base_url=server.api_url, timeout=30) as http:
        submitters = []
        for n in range(CLIENTS):
            login = await http.post("/auth/wechat/login", json={"code": f"durable-{n}"})
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            submitters.append(Submitter({"Authorization": f"Bearer {token}"}))

    # A connection pool per client, so a connection reset hits only that client.
    clients = [httpx.AsyncClient(base_url=server.api_url, timeout=30) for _ in submitters]
    try:
        tasks = [
            asyncio.create_task(submit_until_down(c, s))
            for c, s in zip(clients, submitters, strict=True)
        ]
        await asyncio.sleep(RUN_BEFORE_KILL)
        assert not any(t.done() for t in tasks), "a client stopped before the crash"
        assert_is_the_server(server.pid)
        started = time.monotonic()
        server.crash()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        assert time.monotonic() - started < 30
        # Nothing else is answering on the port: the killed process was the server.
        with pytest.raises(httpx.ConnectError):
            await clients[0].get(f"{server.base_url}/healthz")
    finally:
        for c in clients:
            await c.aclose()

    acknowledged = sum(len(s.acknowledged) for s in submitters)
    assert acknowledged >= CLIENTS, f"only {acknowledged} submissions before the crash"
    # Every client was cut off by the crash, some mid-request (not merely refused a connection).
    assert sum(len(s.unanswered) for s in submitters) == CLIENTS
    assert any(s.cut_off_by != "ConnectError" for s in submitters)

    server.start()
    async with httpx.AsyncClient(base_url=server.api_url, timeout=30) as http:
        for submitter in submitters:
            for first in submitter.acknowledged.values():
                stored = await http.get(f"/applications/{first['id']}", headers=submitter.headers)
                assert stored.status_code == 200, f"acknowledged {first['reference']} is lost"
                assert stored.json()["reference"] == first["reference"]
                assert stored.json()["status"] == "submitted"
                assert stored.json()["timeline"] == first["timeline"]
            # The idempotency records survived too: a retry of an acknowledged request is the
            # same application, and a retry of an unanswered one is answered once.
            for key in [*list(submitter.acknowledged)[-3:], *submitter.unanswered]:
                retry = await http.post(
                    "/applications",
                    json=submitter.bodies[key],
                    headers={**submitter.headers, "Idempotency-Key": key},
                )
                assert retry.status_code == 201, retry.text
                if key in submitter.acknowledged:
                    assert retry.json()["id"] == submitter.acknowledged[key]["id"]
                submitter.acknowledged[key] = retry.json()

        # The staff queue agrees: everything acknowledged, each reference once.
        district = await login_staff(http, "durable-district", "district_officer", "510115000000")
        seen: dict[int, str] = {}
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = (await http.get("/staff/applications", params=params, headers=district)).json()
            seen.update({item["id"]: item["reference"] for item in page["items"]})
            cursor = page["next_cursor"]
            if not cursor:
                break
        expected = {
            body["id"]: body["reference"] for s in submitters for body in s.acknowledged.values()
        }
        assert expected.items() <= seen.items()
        assert len(set(seen.values())) == len(seen)
        # Nothing beyond the acknowledged and the retried-unanswered was created.
        assert set(seen) == set(expected)


async def assert_sqlite_durable_settings() -> None:
    """WAL is a property of the database file; synchronous is set on every connection the
    app opens, so it is read through the app's own engine."""
    from app.config import get_settings
    from app.db.session import get_engine

    path = get_settings().database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as direct:
        assert direct.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    async with get_engine().connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
