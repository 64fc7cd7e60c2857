"""Bring the database to the newest Alembic revision, and say what that took."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def _read_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _current_revision() -> str | None:
    from app.config import get_settings
    from app.db.session import make_engine

    engine = make_engine(get_settings())
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_read_revision)
    finally:
        await engine.dispose()


def current_revision() -> str | None:
    """The database's revision, or None for an empty database."""
    return asyncio.run(_current_revision())


def describe(revision: str | None) -> str:
    """``0004 (account life cycle)``: the revision and the first line of its docstring."""
    if revision is None:
        return "an empty database"
    script = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    doc = (script.module.__doc__ or "") if script is not None else ""
    title = " ".join(doc.strip().split("\n\n")[0].split())
    return f"{revision} ({title})" if title else revision


@dataclass(frozen=True)
class Upgraded:
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before == self.after:
            return f"database already at the newest revision {describe(self.after)}; nothing to do"
        return f"database migrated from {describe(self.before)} to {describe(self.after)}"


def upgrade(revision: str = "head") -> Upgraded:
    before = current_revision()
    command.upgrade(alembic_config(), revision)
    return Upgraded(before, current_revision())


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)
