"""The floor the full submit is measured against: FastAPI parses the same JSON body and one
``INSERT INTO bench_bare`` runs in a transaction on the same database, served by uvicorn the
same way (``python -m uvicorn bench.bare_app:create_app --factory``).

The table is created by ``bench/intake.py``; the URL comes from ``BENCH_DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

INSERT = text(
    "INSERT INTO bench_bare (idempotency_key, payload) VALUES (:key, CAST(:payload AS jsonb)) "
    "RETURNING id"
)
CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_bare (
    id bigserial PRIMARY KEY,
    idempotency_key varchar(255),
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


def create_app() -> FastAPI:
    engine: AsyncEngine | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        nonlocal engine
        # The same pool size as the application (app/db/session.py).
        engine = create_async_engine(
            os.environ["BENCH_DATABASE_URL"], pool_size=10, max_overflow=10
        )
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/bare", status_code=201)
    async def bare(
        body: dict[str, Any],
        idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
    ) -> JSONResponse:
        assert engine is not None
        async with engine.begin() as conn:
            new_id = await conn.scalar(
                INSERT, {"key": idempotency_key, "payload": json.dumps(body, ensure_ascii=False)}
            )
        return JSONResponse({"id": new_id}, status_code=201)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
