"""``/healthz``: 200 while the database answers, 503 ``database_unavailable`` when it does not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import app.main

HEALTHZ = "http://test/healthz"


async def test_healthz_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def broken_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[AsyncEngine]:
    # A SQLite file under a directory that cannot exist: every connection attempt fails.
    engine = create_async_engine("sqlite+aiosqlite:////proc/jiuzhu-missing/db.sqlite")
    monkeypatch.setattr(app.main, "get_engine", lambda: engine)
    yield engine


async def test_healthz_reports_database_unavailable(
    client: httpx.AsyncClient, broken_engine: AsyncEngine
) -> None:
    response = await client.get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["message"]
    await broken_engine.dispose()
