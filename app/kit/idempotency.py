"""``Idempotency-Key`` for creates: the same key from the same caller within 24 hours replays
the first response and creates nothing; the same key with another body is a 422.

The record is inserted in the same transaction as the thing it creates, so concurrent requests
with one key meet on the unique constraint: the loser waits for the winner's commit, then replays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError, Invalid
from app.kit.actor import Actor
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
    raw = json.dumps(jsonable_encoder(payload), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def _find(session: AsyncSession, caller: str, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.caller == caller,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at >= now() - WINDOW,
        )
    )


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, Any]:
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch()
    if record.status_code is None:
        raise IdempotencyInProgress()
    return record.status_code, record.response


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
    existing = await _find(session, caller, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    # An expired record with the same key makes way for the new one. Only an expired one: a
    # record committed since the look-up above belongs to a concurrent request with this key.
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.caller == caller,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < now() - WINDOW,
        )
    )
    record = IdempotencyRecord(caller=caller, key=key, request_hash=fingerprint)
    try:
        async with session.begin_nested():
            session.add(record)
            await session.flush()
    except IntegrityError:
        # Another request with this key committed first (we waited on its row lock).
        winner = await _find(session, caller, key)
        if winner is None:
            raise IdempotencyInProgress() from None
        return _replay(winner, fingerprint)
    status, body = await create()
    record.status_code = status
    record.response = jsonable_encoder(body)
    await session.flush()
    return status, body


__all__ = ["IdempotencyKey", "Invalid", "run_once"]
