"""The identifier repair migration: rows written before input was normalised (full-width
digits, U+3000, lower-case x) are normalised, re-encrypted and re-hashed, so they are found by
the ASCII number; two active households of the same person keep the older one."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Integer,
    MetaData,
    Table,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from app.db.migrate import alembic_config
from app.kit.crypto import get_cipher
from app.kit.idnumber import make_id_number
from app.kit.search import parse_query
from app.models.application import Application
from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.models.region import Region
from app.models.warning import EarlyWarning
from tests.db.test_migrations import _psql

REPAIR = "norm0001"
REGION = "510115001001"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def typed(number: str) -> str:
    """How an input method gave it: full-width, lower-case x, ideographic spaces around."""
    return "\u3000" + full_width(number.lower()) + " "


def stale(label: str) -> str:
    """The keyed hash such a row was given (of the full-width text): any other 64 hex."""
    return hashlib.sha256(label.encode()).hexdigest()


def masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def ending_in_x() -> str:
    for sequence in range(1000):
        number = make_id_number("510115", date(1980, 1, 1), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X")


ZHANG = make_id_number("510115", date(1970, 5, 1), 201)  # ASCII first, full-width later
LI = ending_in_x()  # only full-width, lower-case x
WANG = make_id_number("510115", date(1958, 11, 23), 203)  # full-width first, ASCII later
ZHAO = make_id_number("510115", date(1990, 2, 2), 204)  # in an agency file, not monitored


@pytest.fixture
def database() -> Iterator[tuple[dict[str, str], str]]:
    """An empty database of its own (the session's schema is left alone)."""
    env = dict(os.environ)
    name = f"jiuzhu_repair_{os.getpid()}"
    postgres = env["JIUZHU_DATABASE_URL"].startswith("postgresql")
    if postgres:
        _psql(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        env["JIUZHU_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    else:
        env["JIUZHU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/repair.db"
    try:
        yield env, env["JIUZHU_DATABASE_URL"]
    finally:
        if postgres:
            _psql(f'DROP DATABASE IF EXISTS "{name}"')


def _alembic(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


def _household(rows: list[Any], household_id: int, reference: str, head: str) -> None:
    rows.append(
        (
            Household.__table__,
            {
                "id": household_id,
                "reference": reference,
                "region_code": REGION,
                "head_name": "户主",
                "head_id_masked": masked(head.strip()),
                "created_at": NOW,
                "updated_at": NOW,
            },
        )
    )


def _member(rows: list[Any], member_id: int, household_id: int, stored: str, id_hash: str) -> None:
    rows.append(
        (
            HouseholdMember.__table__,
            {
                "id": member_id,
                "household_id": household_id,
                "name": "某人",
                "id_enc": get_cipher().encrypt(stored),
                "id_hash": id_hash,
                "id_masked": masked(stored.strip()),
                "birth_date": date(1970, 1, 1),
                "sex": "male",
                "relation": "head",
                "created_at": NOW,
                "updated_at": NOW,
            },
        )
    )


def _rows() -> list[Any]:
    cipher = get_cipher()
    rows: list[Any] = [
        (Region.__table__, {"code": REGION, "name": "光华社区", "level": "community"})
    ]
    _household(rows, 1, "WJH2026-000001", ZHANG)
    _member(rows, 1, 1, ZHANG, cipher.keyed_hash(ZHANG))
    _household(rows, 2, "WJH2026-000002", typed(ZHANG))
    _member(rows, 2, 2, typed(ZHANG), stale("zhang"))
    _household(rows, 3, "WJH2026-000003", typed(LI))
    _member(rows, 3, 3, typed(LI), stale("li"))
    _household(rows, 4, "WJH2026-000004", typed(WANG))
    _member(rows, 4, 4, typed(WANG), stale("wang"))
    _household(rows, 5, "WJH2026-000005", WANG)
    _member(rows, 5, 5, WANG, cipher.keyed_hash(WANG))
    rows.append(
        (
            Application.__table__,
            {
                "id": 1,
                "reference": "WJ2026-000001",
                "status": "submitted",
                "channel": "miniprogram",
                "relation": "neighbor",
                "subject_name": "李四",
                "subject_id_enc": cipher.encrypt(typed(LI)),
                "subject_id_hash": stale("li"),
                "subject_id_masked": "x",
                "subject_phone_enc": cipher.encrypt(full_width("13800001234") + "\u3000"),
                "subject_phone_hash": stale("phone"),
                "subject_phone_masked": "x",
                "reporter_phone_enc": cipher.encrypt(" 13900005678 "),
                "reporter_phone_hash": stale("reporter"),
                "reporter_phone_masked": "x",
                "region_code": REGION,
                "help_types": ["basic_living"],
                "due_at": NOW,
                "created_at": NOW,
                "updated_at": NOW,
            },
        )
    )
    signal = {
        "source": "medical",
        "person_name": "某人",
        "occurred_on": date(2026, 3, 1),
        "detail": {},
        "created_at": NOW,
    }
    rows += [
        # Unmatched: the ID number sealed on the signal itself.
        (
            Signal.__table__,
            {
                **signal,
                "id": 1,
                "row_digest": stale("row1"),
                "person_hash": stale("zhao"),
                "person_id_enc": cipher.encrypt(typed(ZHAO)),
                "person_id_masked": "x",
            },
        ),
        # Matched to 李's member row: its hash copied, no ciphertext of its own.
        (
            Signal.__table__,
            {
                **signal,
                "id": 2,
                "row_digest": stale("row2"),
                "person_hash": stale("li"),
                "person_id_enc": None,
                "person_id_masked": "x",
                "household_id": 3,
                "member_id": 3,
            },
        ),
        (
            EarlyWarning.__table__,
            {
                "id": 1,
                "rule_code": "discovery_medical",
                "rule_class": "discovery",
                "level": "orange",
                "status": "open",
                "subject_key": f"p:{stale('zhao')}",
                "person_hash": stale("zhao"),
                "person_id_masked": "x",
                "region_code": REGION,
                "evidence": [],
                "resolution": {},
                "opened_at": NOW,
            },
        ),
    ]
    return rows


def _filled(model: Table, actual: Table, values: dict[str, Any]) -> dict[str, Any]:
    """The row for the table as it is at this revision: the given values, the model's plain
    defaults, and an empty value for any other required column (one a later migration drops)."""
    row: dict[str, Any] = {}
    for column in actual.columns:
        if column.name in values:
            row[column.name] = values[column.name]
            continue
        if column.nullable or column.server_default is not None or column.primary_key:
            continue
        known = model.c.get(column.name)
        default = known.default if known is not None else None
        if isinstance(default, ScalarElementColumnDefault):
            row[column.name] = default.arg
        elif isinstance(column.type, DateTime):
            row[column.name] = NOW
        elif isinstance(column.type, Integer | Boolean):
            row[column.name] = 0
        elif isinstance(column.type, JSON):
            row[column.name] = {}
        else:
            row[column.name] = ""
    return row


def _reflected(connection: Connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=connection)


async def _at_revision(connection: AsyncConnection, model: Table) -> Table:
    return await connection.run_sync(_reflected, model.name)


async def _insert(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, values in _rows():
                actual = await _at_revision(connection, table)
                await connection.execute(insert(actual).values(**_filled(table, actual, values)))
    finally:
        await engine.dispose()


async def _read(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await _gather(connection)
    finally:
        await engine.dispose()


async def _gather(connection: AsyncConnection) -> dict[str, Any]:
    members = await _at_revision(connection, HouseholdMember.__table__)
    member_rows = (await connection.execute(select(members).order_by(members.c.id))).all()
    households = await _at_revision(connection, Household.__table__)
    heads = dict(
        (await connection.execute(select(households.c.id, households.c.head_id_masked))).all()
    )
    applications = await _at_revision(connection, Application.__table__)
    application = (await connection.execute(select(applications))).one()
    signals = await _at_revision(connection, Signal.__table__)
    signal_rows = (await connection.execute(select(signals).order_by(signals.c.id))).all()
    warnings = await _at_revision(connection, EarlyWarning.__table__)
    warning = (await connection.execute(select(warnings))).one()
    return {
        "members": {row.id: row for row in member_rows},
        "heads": heads,
        "application": application,
        "signals": signal_rows,
        "warning": warning,
    }


def test_stored_identifiers_are_normalised_re_hashed_and_searchable(
    database: tuple[dict[str, str], str],
) -> None:
    env, url = database
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(REPAIR).down_revision
    assert isinstance(previous, str)
    _alembic(env, "upgrade", previous)
    asyncio.run(_insert(url))
    done = _alembic(env, "upgrade", REPAIR)
    state = asyncio.run(_read(url))

    cipher = get_cipher()

    def searched(number: str) -> str | None:
        return parse_query(number)["id_hash"]  # what the search box looks up

    members = state["members"]
    # 李: only ever full-width; now ASCII, sealed again, found by the ASCII number.
    assert cipher.decrypt(members[3].id_enc) == LI
    assert members[3].id_hash == searched(LI)
    assert members[3].id_masked == masked(LI)
    assert state["heads"][3] == masked(LI)

    # 张: the ASCII household (1) is older, keeps the hash; the full-width one (2) is marked.
    assert members[1].id_hash == searched(ZHANG)
    assert members[2].id_hash == "conflict-2"
    assert cipher.decrypt(members[2].id_enc) == ZHANG and members[2].id_masked == masked(ZHANG)
    # 王: the full-width household (4) is older: it takes the hash, the ASCII one (5) is marked.
    assert members[4].id_hash == searched(WANG)
    assert members[5].id_hash == "conflict-5"
    logged = done.stdout + done.stderr
    assert "identifier_conflict" in logged and "marked_member_id" in logged
    assert ZHANG not in logged and WANG not in logged

    application = state["application"]
    assert cipher.decrypt(application.subject_id_enc) == LI
    assert application.subject_id_hash == searched(LI)
    assert application.subject_id_masked == masked(LI)
    assert cipher.decrypt(application.subject_phone_enc) == "13800001234"
    assert application.subject_phone_hash == cipher.keyed_hash("13800001234")
    assert application.subject_phone_masked == "138****1234"
    assert cipher.decrypt(application.reporter_phone_enc) == "13900005678"
    assert application.reporter_phone_masked == "139****5678"

    unmatched, matched = state["signals"]
    assert cipher.decrypt(unmatched.person_id_enc) == ZHAO
    assert unmatched.person_hash == searched(ZHAO)
    assert unmatched.person_id_masked == masked(ZHAO)
    assert matched.person_hash == searched(LI) and matched.person_id_enc is None
    warning = state["warning"]
    assert warning.person_hash == searched(ZHAO)
    assert warning.subject_key == f"p:{searched(ZHAO)}"
    assert warning.person_id_masked == masked(ZHAO)

    # Running the whole chain to the head again changes nothing more.
    _alembic(env, "upgrade", "head")
    assert asyncio.run(_read(url))["members"][3].id_hash == searched(LI)
