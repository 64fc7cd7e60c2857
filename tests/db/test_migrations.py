"""The models and the newest migration agree, and every migration goes down and up again."""

from __future__ import annotations

from typing import Any

import pytest
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
        pytest.skip("journal mode and synchronous are SQLite settings")
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
    url = env["JIUZHU_DATABASE_URL"]
    try:
        for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
            done = subprocess.run(
                [sys.executable, "-m", "alembic", *step], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            tables = _tables(url)
            if step[0] == "downgrade":
                assert tables <= {"alembic_version"}, tables  # every table dropped
            else:
                assert set(Model.metadata.tables) <= tables, set(Model.metadata.tables) - tables
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


def _tables(url: str) -> set[str]:
    """The tables in the database at ``url``, read without the app."""
    import asyncio
    import sqlite3

    import asyncpg

    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {name for (name,) in rows}

    async def read() -> set[str]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        finally:
            await conn.close()
        return {row["tablename"] for row in rows}

    return asyncio.run(read())


def test_migrate_says_from_which_revision_to_which() -> None:
    """``python -m app migrate`` on an empty database, then again: what it did each time."""
    import os
    import subprocess
    import sys
    import tempfile

    from alembic.script import ScriptDirectory

    from app.db.migrate import ROOT, alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    env = dict(os.environ)
    database = f"jiuzhu_migrate_{os.getpid()}"
    postgres = env["JIUZHU_DATABASE_URL"].startswith("postgresql")
    if postgres:
        _psql(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"')
        env["JIUZHU_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    else:
        env["JIUZHU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/migrate.db"
    try:
        outputs = []
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "app", "migrate"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout.strip())
    finally:
        if postgres:
            _psql(f'DROP DATABASE IF EXISTS "{database}"')
    assert outputs[0].startswith("database migrated from an empty database to " + head)
    assert outputs[1].startswith(f"database already at the newest revision {head} (")
    assert "nothing to do" in outputs[1]
