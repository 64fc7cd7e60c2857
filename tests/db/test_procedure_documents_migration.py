"""The migration that seals the procedures' PDFs: documents stored in the clear before it are
encrypted under the data key (the hash stays that of the PDF), and come back as they were on
the way down."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from app.kit.crypto import get_cipher
from app.models.application import Application
from app.models.procedure import Procedure, ProcedureDocument
from app.models.region import Region
from tests.db.test_identifier_repair import NOW, REGION, _alembic, _at_revision, _filled, database

__all__ = ["database"]  # the fixture: an empty database of its own

SEALING = "pdoc0001"
PDFS = [f"%PDF-1.7\n申请人：钱某{n}，申请编号 WJ2026-00000{n}\n%%EOF".encode() for n in (1, 2)]


def _rows() -> list[Any]:
    rows: list[Any] = [
        (Region.__table__, {"code": REGION, "name": "光华社区", "level": "community"}),
        (
            Application.__table__,
            {
                "id": 1,
                "reference": "WJ2026-000001",
                "status": "approved",
                "channel": "miniprogram",
                "relation": "self",
                "subject_name": "钱某",
                "region_code": REGION,
                "help_types": ["basic_living"],
                "due_at": NOW,
                "created_at": NOW,
                "updated_at": NOW,
            },
        ),
        (
            Procedure.__table__,
            {
                "id": 1,
                "application_id": 1,
                "category": "dibao",
                "region_code": REGION,
                "started_on": date(2026, 10, 9),
                "pauses": [],
                "created_at": NOW,
            },
        ),
    ]
    for number, pdf in enumerate(PDFS, start=1):
        values = {
            "id": number,
            "procedure_id": 1,
            "application_id": 1,
            "kind": "decision",
            "title": "低保审核确认决定书",
            "content": pdf,
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "created_at": NOW,
        }
        rows.append((ProcedureDocument.__table__, values))
    return rows


async def _insert(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, values in _rows():
                actual = await _at_revision(connection, table)
                await connection.execute(insert(actual).values(**_filled(table, actual, values)))
    finally:
        await engine.dispose()


async def _documents(url: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            table = await _at_revision(connection, ProcedureDocument.__table__)
            return list((await connection.execute(select(table).order_by(table.c.id))).all())
    finally:
        await engine.dispose()


def test_stored_documents_are_sealed_and_opened_again_on_the_way_down(
    database: tuple[dict[str, str], str],
) -> None:
    env, url = database
    _alembic(env, "upgrade", "sig00001")
    asyncio.run(_insert(url))
    _alembic(env, "upgrade", SEALING)

    cipher = get_cipher()
    sealed = asyncio.run(_documents(url))
    assert [row.id for row in sealed] == [1, 2]
    for row, pdf in zip(sealed, PDFS, strict=True):
        assert "content" not in row._fields
        assert not row.content_enc.startswith("%PDF") and "钱某" not in row.content_enc
        assert cipher.decrypt_bytes(row.content_enc) == pdf
        assert row.sha256 == hashlib.sha256(pdf).hexdigest()

    _alembic(env, "downgrade", "sig00001")
    opened = asyncio.run(_documents(url))
    assert [bytes(row.content) for row in opened] == PDFS
    assert all("content_enc" not in row._fields for row in opened)
    _alembic(env, "upgrade", "head")
    assert [cipher.decrypt_bytes(r.content_enc) for r in asyncio.run(_documents(url))] == PDFS
