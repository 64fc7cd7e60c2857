"""The models and the newest migration agree, and every migration goes down and up again."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.db.base import Model
from app.db.session import get_engine


async def test_models_match_newest_migration() -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Model.metadata))

    async with get_engine().connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_sqlite_runs_in_wal_with_full_sync(backend: str) -> None:
    if backend != "sqlite":
        return
    async with get_engine().connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        sync = (await connection.execute(text("PRAGMA synchronous"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
    assert (mode, sync, keys) == ("wal", 2, 1)


def test_downgrade_to_base_and_upgrade_again() -> None:
    """Run in a separate database so the session's schema is left alone."""
    import os
    import subprocess
    import sys
    import tempfile

    env = dict(os.environ)
    database = f"jiuzhu_roundtrip_{os.getpid()}"
    postgres = env["JIUZHU_DATABASE_URL"].startswith("postgresql")
    if postgres:
        _psql(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"')
        env["JIUZHU_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    else:
        env["JIUZHU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/roundtrip.db"
    try:
        for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
            done = subprocess.run(
                [sys.executable, "-m", "alembic", *step], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
    finally:
        if postgres:
            _psql(f'DROP DATABASE IF EXISTS "{database}"')


def _psql(*statements: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())
