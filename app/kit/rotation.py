"""Data-key rotation: re-encrypt every personal field under the current key and recompute
its keyed hash. Old keys are named in ``JIUZHU_OLD_DATA_KEYS`` until this has run.

Each domain names its own sealed columns (``SEALED_COLUMNS`` in its repository); the command
(:func:`app.sealed.sealed_columns`) gathers them, so this module knows no domain's tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.crypto import get_cipher

BATCH = 500


@dataclass(frozen=True)
class EncryptedField:
    """A ciphertext column, and the keyed-hash column beside it if it is searchable."""

    name: str
    # ORM attributes (InstrumentedAttribute); Any, since a dataclass field typed as a descriptor
    # reads back as the descriptor's value type.
    id_column: Any
    ciphertext: Any
    keyed_hash: Any = None


async def rotate(session: AsyncSession, fields: Iterable[EncryptedField]) -> dict[str, int]:
    """Rewrite fields not yet under the current key; safe to re-run after an interruption."""
    cipher = get_cipher()
    counts: dict[str, int] = {}
    for field in fields:
        table = field.ciphertext.class_
        done = 0
        last_id: Any = None  # ids are numbers or, for a few tables, text keys
        while True:
            after = [] if last_id is None else [field.id_column > last_id]
            rows = (
                await session.execute(
                    select(field.id_column, field.ciphertext)
                    .where(*after, field.ciphertext.is_not(None))
                    .order_by(field.id_column)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                break
            for row_id, token in rows:
                last_id = row_id
                if token is None or cipher.is_current(token):
                    continue
                # As bytes: a sealed document (a PDF) is not text; text round-trips the same.
                plain = cipher.decrypt_bytes(token)
                values: dict[str, str] = {str(field.ciphertext.key): cipher.encrypt_bytes(plain)}
                if field.keyed_hash is not None:
                    values[str(field.keyed_hash.key)] = cipher.keyed_hash(plain.decode())
                await session.execute(
                    update(table).where(field.id_column == row_id).values(**values)
                )
                done += 1
            await session.flush()
        counts[field.name] = done
    return counts
