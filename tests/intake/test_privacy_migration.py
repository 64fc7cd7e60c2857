"""The privacy migration seals the free text already in the database (in batches) and drops the
clear columns; going down opens it again."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from typing import Any

import asyncpg

from app.kit.crypto import get_cipher

BEFORE = "norm0001"  # the revision before the privacy migration
ROWS = 3
DESCRIPTION = "母亲瘫痪在床无人照料"
NOTE = "内部：其子在外地务工"


def _sql(url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement (``?`` placeholders) on the database at ``url`` without the app."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            return [tuple(row) for row in conn.execute(statement, params).fetchall()]
    parts = statement.split("?")
    numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))

    async def run() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return [tuple(row) for row in await conn.fetch(numbered, *params)]
        finally:
            await conn.close()

    return asyncio.run(run())


def _alembic(env: dict[str, str], *step: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *step], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def _admin(*statements: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def test_existing_free_text_is_sealed_and_opened_again_on_the_way_down() -> None:
    env = dict(os.environ)
    database = f"jiuzhu_privacy_{os.getpid()}"
    postgres = env["JIUZHU_DATABASE_URL"].startswith("postgresql")
    if postgres:
        _admin(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"')
        env["JIUZHU_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    else:
        env["JIUZHU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/privacy.db"
    url = env["JIUZHU_DATABASE_URL"]
    try:
        _alembic(env, "upgrade", BEFORE)
        _sql(
            url,
            "INSERT INTO regions (code, name, level) VALUES ('510115001001', '光华', 'community')",
        )
        for n in range(1, ROWS + 1):
            _sql(
                url,
                "INSERT INTO applications (id, reference, status, channel, relation, subject_name,"
                " region_code, address, help_types, help_mask, description, consent_at, priority,"
                " due_at, created_at, updated_at, reporter_name) VALUES (?, ?, 'submitted',"
                " 'mini_program', 'self', '张三', '510115001001', '', '[\"medical\"]', 2, ?,"
                " CURRENT_TIMESTAMP, 'normal', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, ?)",
                n,
                f"WJ2026-00000{n}",
                DESCRIPTION if n != 2 else "",
                "李四" if n == 3 else None,
            )
            _sql(
                url,
                "INSERT INTO application_events (id, application_id, at, action, to_status,"
                " actor_kind, note, public_note) VALUES (?, ?, CURRENT_TIMESTAMP, 'submit',"
                " 'submitted', 'resident', ?, '已提交')",
                n,
                n,
                NOTE,
            )
        _sql(
            url,
            "INSERT INTO idempotency_records (id, caller, key, request_hash, status_code,"
            " response, created_at) VALUES (1, 'resident:1', 'k', 'h', 201, ?, CURRENT_TIMESTAMP)",
            json.dumps({"description": DESCRIPTION}, ensure_ascii=False),
        )
        _alembic(env, "upgrade", "head")

        cipher = get_cipher()
        rows = _sql(
            url, "SELECT id, description_enc, reporter_name_enc FROM applications ORDER BY id"
        )
        opened = [
            (n, cipher.decrypt(d) if d else None, cipher.decrypt(r) if r else None)
            for n, d, r in rows
        ]
        assert opened == [(1, DESCRIPTION, None), (2, None, None), (3, DESCRIPTION, "李四")]
        events = _sql(url, "SELECT note_enc, public_note_enc FROM application_events ORDER BY id")
        assert [(cipher.decrypt(a), cipher.decrypt(b)) for a, b in events] == [(NOTE, "已提交")] * 3
        (response,) = _sql(url, "SELECT response_enc FROM idempotency_records")[0]
        assert json.loads(cipher.decrypt(response)) == {"description": DESCRIPTION}
        stored = repr(
            [
                _sql(url, "SELECT * FROM applications"),
                _sql(url, "SELECT * FROM application_events"),
                _sql(url, "SELECT * FROM idempotency_records"),
            ]
        )
        for clear in (DESCRIPTION, NOTE, "李四", "已提交"):
            assert clear not in stored

        _alembic(env, "downgrade", BEFORE)
        back = _sql(url, "SELECT id, description, reporter_name FROM applications ORDER BY id")
        assert [tuple(r) for r in back] == [
            (1, DESCRIPTION, None),
            (2, "", None),
            (3, DESCRIPTION, "李四"),
        ]
        notes = _sql(url, "SELECT note, public_note FROM application_events ORDER BY id")
        assert [tuple(r) for r in notes] == [(NOTE, "已提交")] * 3
        (response,) = _sql(url, "SELECT response FROM idempotency_records")[0]
        assert json.loads(response) == {"description": DESCRIPTION}
    finally:
        if postgres:
            _admin(f'DROP DATABASE IF EXISTS "{database}"')
