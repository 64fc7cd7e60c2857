"""``/healthz``: 200 while the database answers, 503 ``database_unavailable`` when it does not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

import app.main

HEALTHZ = "http://test/healthz"


async def test_healthz_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_reports_database_refusing_connections(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on loopback port 1: every connection attempt is refused at once.
    engine = create_async_engine("postgresql+asyncpg://jiuzhu@127.0.0.1:1/jiuzhu")
    monkeypatch.setattr(app.main, "get_engine", lambda: engine)
    try:
        response = await client.get(HEALTHZ)
    finally:
        await engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["message"]


class _HangingEngine:
    """An engine whose connections never come: a database that accepts and then stalls."""

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[None]:
        await asyncio.sleep(60)
        yield


async def test_healthz_gives_up_on_a_stalled_database(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.main, "get_engine", _HangingEngine)
    monkeypatch.setattr(app.main, "HEALTH_DB_TIMEOUT_SECONDS", 0.05)
    response = await client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
