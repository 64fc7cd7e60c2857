"""The submit hot path (app/intake/submission.py): two statements on PostgreSQL, the resident
taken from the token, and what the lookup it replaced used to answer still answered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, select

from app.db.session import get_engine, session_scope
from app.models.account import Resident
from app.models.audit import AuditEvent
from app.models.idempotency import IdempotencyRecord
from app.models.job import Job
from app.models.notification import ContentCheck
from app.notifications.service import CONTENT_CHECK_JOB
from tests.helpers import application_body, login_resident
from tests.intake.support import count_applications


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the application sends while the block runs."""
    seen: list[str] = []
    engine = get_engine().sync_engine

    def _record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _record)


async def test_a_submission_is_two_statements_with_its_queued_check_on_postgresql(
    client: httpx.AsyncClient, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("the unit of work makes SQLite's submissions")
    alice = await login_resident(client, "alice")
    # The first one also learns that the community exists (remembered in-process).
    first = await client.post(
        "/applications", json=application_body(), headers={**alice, "Idempotency-Key": "k1"}
    )
    assert first.status_code == 201, first.text
    with statements() as seen:
        second = await client.post(
            "/applications", json=application_body(), headers={**alice, "Idempotency-Key": "k2"}
        )
    assert second.status_code == 201, second.text
    # Two statements make the application; the content check of its description (its row and
    # its job) is queued in the second one, never blocking the submission.
    assert len(seen) == 2, seen
    assert "idempotency_records" in seen[0] and "nextval" in seen[0]
    tables = ("applications", "application_events", "audit_events", "content_checks", "jobs")
    assert all(f"INSERT INTO {t} " in seen[1] for t in tables), seen[1]
    # All of it was written: the application and its first event, the audit entry, the
    # response kept for a replay, the check and its job as check_content writes them.
    assert second.json()["timeline"][0]["status"] == "submitted"
    async with session_scope() as session:
        check = await session.scalar(
            select(ContentCheck).where(ContentCheck.record_id == second.json()["id"])
        )
        assert check is not None
        assert (check.record_type, check.field, check.status) == (
            "application",
            "description",
            "pending",
        )
        assert check.region_code == application_body()["subject"]["region_code"]
        job = await session.scalar(select(Job).where(Job.key == f"{CONTENT_CHECK_JOB}:{check.id}"))
        assert job is not None
        assert (job.kind, job.payload, job.max_attempts) == (CONTENT_CHECK_JOB, {"id": check.id}, 6)
        assert job.created_at is not None and job.run_at is not None
    async with session_scope() as session:
        audited = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "application.submit",
                AuditEvent.record_id == str(second.json()["id"]),
            )
        )
        record = await session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.key == "k2")
        )
    assert audited is not None and audited.actor_kind == "resident"
    assert record is not None and record.status_code == 201
    other = await client.post(
        "/applications", json=application_body(), headers={**alice, "Idempotency-Key": "k2"}
    )
    assert other.status_code == 422  # another body under the same key
    assert other.json()["code"] == "idempotency_key_mismatch"


async def test_a_token_for_a_resident_who_is_gone_is_401(client: httpx.AsyncClient) -> None:
    """The resident comes from the token's claims; a resident who no longer exists is refused
    as the lookup refused them, and nothing is stored."""
    bob = await login_resident(client, "bob")
    async with session_scope() as session:
        await session.execute(delete(Resident).where(Resident.openid == "fake-bob"))
    response = await client.post(
        "/applications", json=application_body(), headers={**bob, "Idempotency-Key": "gone"}
    )
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_token"
    assert await count_applications() == 0
    async with session_scope() as session:
        assert await session.scalar(select(IdempotencyRecord)) is None
    without_key = await client.post("/applications", json=application_body(), headers=bob)
    assert without_key.status_code == 401
