"""``Idempotency-Key`` for creates: the same key from the same caller within 24 hours replays
the first response and creates nothing; the same key with another body is a 422.

The record is inserted (``ON CONFLICT DO NOTHING``) in the same transaction as the thing it
creates, so concurrent requests with one key meet on the unique constraint: the loser waits for
the winner's commit, then replays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError, Invalid
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.rotation import EncryptedField
from app.kit.timeutil import now
from app.models.idempotency import IdempotencyRecord

WINDOW = timedelta(hours=24)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="同一调用方 24 小时内重复提交返回首次结果",
    ),
]


class IdempotencyMismatch(AppError):
    status = 422
    code = "idempotency_key_mismatch"
    message = "同一 Idempotency-Key 对应的请求内容不同"


class IdempotencyInProgress(AppError):
    status = 409
    code = "idempotency_in_progress"
    message = "相同请求正在处理，请稍后重试"


def request_fingerprint(payload: Any) -> str:
    # A model's JSON dump is what jsonable_encoder would make of it, without the second walk.
    if isinstance(payload, BaseModel):
        encoded = payload.model_dump(mode="json", by_alias=True)
    else:
        encoded = jsonable_encoder(payload)
    raw = json.dumps(encoded, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def _find(session: AsyncSession, caller: str, key: str) -> IdempotencyRecord | None:
    """The caller's record for this key, expired or not."""
    return await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.caller == caller, IdempotencyRecord.key == key
        )
    )


def _claim_statement(insert: Any) -> Any:
    return (
        insert(IdempotencyRecord)
        .values(caller=bindparam("caller"), key=bindparam("key"), request_hash=bindparam("hash"))
        .on_conflict_do_nothing(index_elements=["caller", "key"])
        .returning(IdempotencyRecord.id)
    )


# Built once per dialect: every create with a key runs them.
_CLAIM = {"postgresql": _claim_statement(pg_insert), "sqlite": _claim_statement(sqlite_insert)}
_RECORD_RESPONSE = (
    update(IdempotencyRecord)
    .where(IdempotencyRecord.id == bindparam("record_id"))
    .values(status_code=bindparam("status_code"), response_enc=bindparam("response"))
    .execution_options(synchronize_session=False)
)


def _seal(body: Any) -> str:
    """The response as stored: its JSON under the data key (it repeats personal data)."""
    try:
        # A body already made of JSON types (a model's JSON dump) needs no second walk.
        text = json.dumps(body, ensure_ascii=False)
    except TypeError:
        text = json.dumps(jsonable_encoder(body), ensure_ascii=False)
    return get_cipher().encrypt(text)


# The claim as a data-modifying CTE on PostgreSQL, for a hot path that claims the key in the
# same statement as other work (``FROM claim`` yields no row when the key is taken); its
# parameters are ``claim_params``.
CLAIM_CTE = (
    "claim AS (INSERT INTO idempotency_records (caller, key, request_hash, created_at) "
    "VALUES (:idem_caller, :idem_key, :idem_hash, :idem_at) "
    "ON CONFLICT (caller, key) DO NOTHING RETURNING id)"
)
# Records the response on the claimed record: :func:`response_params` gives its parameters.
RECORD_RESPONSE = _RECORD_RESPONSE


def claim_params(actor: Actor, key: str, fingerprint: str) -> dict[str, Any]:
    return {"idem_caller": actor.key, "idem_key": key, "idem_hash": fingerprint, "idem_at": now()}


def response_params(record_id: int, status: int, body: Any) -> dict[str, Any]:
    """The parameters of :data:`RECORD_RESPONSE`: the response as it is kept for replays."""
    return {"record_id": record_id, "status_code": status, "response": _seal(body)}


async def _claim(session: AsyncSession, caller: str, key: str, fingerprint: str) -> int | None:
    """Insert the record unless the key is taken: its id, or None. A concurrent request with
    the key makes this wait on its row lock until that request commits or rolls back."""
    return await session.scalar(
        _CLAIM[session.get_bind().dialect.name],
        {"caller": caller, "key": key, "hash": fingerprint},
    )


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, Any]:
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch()
    if record.status_code is None:
        raise IdempotencyInProgress()
    sealed = record.response_enc
    return record.status_code, json.loads(get_cipher().decrypt(sealed)) if sealed else None


async def run_once(
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    payload: Any,
    create: Callable[[], Awaitable[tuple[int, Any]]],
) -> tuple[int, Any]:
    """Run ``create`` (returning status and JSON-able body) at most once per caller and key."""
    if key is None:
        return await create()
    caller = actor.key
    fingerprint = request_fingerprint(payload)
    # A new key, the usual case, costs one statement. A taken key is replayed; an expired
    # record (and only an expired one: a live record belongs to a concurrent request with this
    # key) makes way for the new one.
    record_id = await _claim(session, caller, key, fingerprint)
    for _attempt in range(3):
        if record_id is not None:
            break
        existing = await _find(session, caller, key)
        if existing is not None:
            if existing.created_at >= now() - WINDOW:
                return _replay(existing, fingerprint)
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.id == existing.id,
                    IdempotencyRecord.created_at < now() - WINDOW,
                )
            )
        record_id = await _claim(session, caller, key, fingerprint)
    if record_id is None:
        raise IdempotencyInProgress()
    status, body = await create()
    await session.execute(_RECORD_RESPONSE, response_params(record_id, status, body))
    return status, body


__all__ = ["IdempotencyKey", "Invalid", "run_once"]


async def purge_expired(session: AsyncSession) -> int:
    """Delete records past the 24-hour window (for a daily job); returns how many."""
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now() - WINDOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)


SEALED_COLUMNS = [
    EncryptedField("idempotency.response", IdempotencyRecord.id, IdempotencyRecord.response_enc)
]
"""Sealed under the data key, for its rotation (:mod:`app.kit.rotation`)."""
