"""Test fixtures: a migrated database per test session (SQLite or PostgreSQL, chosen with
``--db`` or ``JIUZHU_TEST_DB``), emptied before each test; the app over httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

PG_ADMIN_URL = os.environ.get(
    "JIUZHU_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# One database per test run, so runs in parallel (and a stray server) never collide.
PG_DATABASE = os.environ.get("JIUZHU_TEST_PG_DATABASE", f"jiuzhu_test_{os.getpid()}")
# The working-day calendar is seeded by the migration; tests that edit it restore it.
KEEP_TABLES = {"regions", "alembic_version", "calendar_years", "calendar_days"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default=os.environ.get("JIUZHU_TEST_DB", "sqlite"),
        help="database backend for the whole run",
    )


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


async def _pg_admin(create: bool) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            PG_DATABASE,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        if create:
            await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await conn.close()


def _xdist_controller(config: pytest.Config) -> bool:
    """True in the process that only hands tests out to pytest-xdist workers."""
    return config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Point the app at a fresh database before any app module reads its settings."""
    backend = config.getoption("--db")
    workdir = Path(tempfile.mkdtemp(prefix="jiuzhu-test-"))
    os.environ["JIUZHU_ENV"] = "test"
    os.environ["JIUZHU_VAR_DIR"] = str(workdir)
    os.environ["JIUZHU_UPLOAD_DIR"] = str(workdir / "uploads")
    os.environ["JIUZHU_SECRET_KEY"] = "test-secret-key-" + "x" * 32
    os.environ["JIUZHU_DATA_KEY"] = Fernet.generate_key().decode()
    os.environ["JIUZHU_WECHAT_MODE"] = "fake"
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"
    if backend == "postgres" and not _pg_reachable():
        message = "PostgreSQL is not reachable on 127.0.0.1:5432"
        if os.environ.get("CI") == "true":
            pytest.exit(message + " (CI=true: this is a failure)", returncode=3)
        pytest.exit(message + "; run with --db=sqlite", returncode=3)
    if _xdist_controller(config):
        return  # the worker processes (pytest-xdist) each make and migrate their own database
    if backend == "postgres":
        asyncio.run(_pg_admin(create=True))
        os.environ["JIUZHU_DATABASE_URL"] = (
            f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DATABASE}"
        )
    else:
        os.environ["JIUZHU_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'test.db'}"
    config.stash[BACKEND] = backend

    from app.config import get_settings
    from app.db.migrate import upgrade

    get_settings.cache_clear()
    upgrade()
    asyncio.run(_load_regions())


BACKEND = pytest.StashKey[str]()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(BACKEND, None) == "postgres" and _pg_reachable():
        asyncio.run(_pg_admin(create=False))


async def _load_regions() -> None:
    from app.db.session import dispose_engine, session_scope
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await seed_test_years(session)
    await dispose_engine()


TEST_YEAR_SOURCE = "test: weekends only"


async def seed_test_years(session: Any) -> list[int]:
    """The suite runs on today's date. Once today's deadlines can run past the last year the
    holiday package knows (from December of that year), the years up to next year are recorded
    with no holidays (weekends off only, source ``test: weekends only``), as an admin would
    record the State Council's notice, so that a run late in the year does not see every
    deadline unknown. The calendar's own tests remove them (tests/calendar/conftest.py)."""
    from datetime import date

    from app.calendar import repository, service
    from app.calendar.seed import package_days
    from app.kit.timeutil import local_today, now

    today = local_today()
    known = set(await repository.all_years(session))
    added = []
    for year in range(max(package_days()) + 1, today.year + 2):
        if year not in known and today >= date(year - 1, 12, 1):
            await repository.replace_year(
                session, year, [], source=TEST_YEAR_SOURCE, at=now(), staff_id=None
            )
            added.append(year)
    service.forget()
    return added


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.config.stash[BACKEND]


async def _empty_tables() -> None:
    from sqlalchemy import text

    from app.db.base import Model
    from app.db.session import get_engine

    engine = get_engine()
    tables = [t.name for t in reversed(Model.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # The audit log refuses DELETE by trigger; tests lift it for the clean-up only.
            await conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - table names from metadata
            await conn.execute(
                text(
                    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
                )
            )


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: tests log many staff in and test no hash strength (a hash
    made at the full cost, by a CLI subprocess, still verifies: the cost is in the hash)."""
    from argon2 import PasswordHasher

    from app.accounts import security

    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(scope="session", autouse=True)
async def dispose_engine_at_end() -> AsyncIterator[None]:
    yield
    from app.db.session import dispose_engine

    await dispose_engine()


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    await _empty_tables()
    yield


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    import httpx

    from app.main import create_app

    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as http:
        yield http


@pytest.fixture
def upload_dir() -> Iterator[Path]:
    from app.config import get_settings

    directory = get_settings().upload_dir
    assert directory is not None
    # Files other tests in this worker left behind would be counted as this test's.
    if directory.exists():
        for path in directory.iterdir():
            if path.is_file():
                path.unlink()
    yield directory
