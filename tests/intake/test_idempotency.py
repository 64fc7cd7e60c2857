"""``Idempotency-Key`` on POST /applications and POST /staff/applications."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.kit.timeutil import now
from app.models.idempotency import IdempotencyRecord
from tests.helpers import application_body, login_resident, login_staff
from tests.intake.support import GUANGHUA, agency_headers, count_applications


async def _post(
    client: httpx.AsyncClient, headers: dict[str, str], key: str, body: dict[str, object]
) -> httpx.Response:
    return await client.post(
        "/applications", json=body, headers={**headers, "Idempotency-Key": key}
    )


async def test_same_key_same_body_replays_the_first_result(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "key-1", body)
    second = await _post(client, alice, "key-1", body)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert await count_applications() == 1
    mine = await client.get("/applications/mine", headers=alice)
    assert [a["id"] for a in mine.json()["items"]] == [first.json()["id"]]


async def test_a_body_that_differs_only_in_spacing_replays(client: httpx.AsyncClient) -> None:
    """The same request, serialised differently, is the same request."""
    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "key-1", body)
    reordered = {k: body[k] for k in reversed(list(body))}
    second = await client.post(
        "/applications",
        content=httpx.Request("POST", "http://x", json=reordered).content.replace(b",", b", "),
        headers={**alice, "Idempotency-Key": "key-1", "Content-Type": "application/json"},
    )
    assert second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]
    assert await count_applications() == 1


async def test_same_key_different_body_is_422(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "key-1", body)
    assert first.status_code == 201
    changed = {**body, "description": "另一件事"}
    response = await _post(client, alice, "key-1", changed)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_mismatch"
    assert await count_applications() == 1


async def test_different_keys_create_different_applications(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "key-1", body)
    second = await _post(client, alice, "key-2", body)
    assert first.json()["id"] != second.json()["id"]
    assert await count_applications() == 2


async def test_different_callers_may_use_the_same_key(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    bob = await login_resident(client, "bob")
    agency = await agency_headers()
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    body = application_body()
    ids = {
        (await _post(client, alice, "shared-key", body)).json()["id"],
        (await _post(client, bob, "shared-key", body)).json()["id"],
        (await _post(client, agency, "shared-key", body)).json()["id"],
    }
    staff_entry = await client.post(
        "/staff/applications", json=body, headers={**worker, "Idempotency-Key": "shared-key"}
    )
    assert staff_entry.status_code == 201
    ids.add(staff_entry.json()["id"])
    assert len(ids) == 4
    assert await count_applications() == 4
    # And bob's replay is bob's application, not alice's.
    replay = await _post(client, bob, "shared-key", body)
    bobs = await client.get("/applications/mine", headers=bob)
    assert replay.json()["id"] == bobs.json()["items"][0]["id"]


async def test_staff_entry_replays_too(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    body = application_body()
    headers = {**worker, "Idempotency-Key": "counter-1"}
    first = await client.post("/staff/applications", json=body, headers=headers)
    second = await client.post("/staff/applications", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert await count_applications() == 1


async def test_a_failed_request_does_not_burn_the_key(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    bad = application_body(subject={"region_code": "510115099099"})
    refused = await _post(client, alice, "key-1", bad)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_region"
    good = await _post(client, alice, "key-1", application_body())
    assert good.status_code == 201
    assert await count_applications() == 1


async def test_a_key_older_than_24_hours_is_forgotten(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope

    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "key-1", body)
    async with session_scope() as session:
        await session.execute(
            update(IdempotencyRecord).values(created_at=now() - timedelta(hours=25))
        )
    second = await _post(client, alice, "key-1", body)
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
    async with session_scope() as session:
        records = await session.scalar(select(func.count()).select_from(IdempotencyRecord))
    assert records == 1


async def test_idempotency_key_header_is_validated(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    response = await _post(client, alice, "k" * 256, application_body())
    assert response.status_code == 422
    assert await count_applications() == 0


async def test_fifty_concurrent_submits_with_one_key_create_one_application(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    body = application_body()
    responses = await asyncio.gather(*(_post(client, alice, "double-tap", body) for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses == [201] * 50, [r.text for r in responses if r.status_code != 201][:3]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    assert await count_applications() == 1


async def test_concurrent_submits_with_different_keys_all_succeed(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    responses = await asyncio.gather(
        *(_post(client, alice, f"key-{n}", application_body()) for n in range(20))
    )
    assert [r.status_code for r in responses] == [201] * 20
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 20
    assert await count_applications() == 20


async def test_a_lookup_that_raced_the_first_commit_still_replays(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with one key: the second looked for the key just before the first
    committed (seen here by hiding the record from its first look-up). It must still meet
    the first on the unique key and replay it, not clear the record away and create again."""
    from app.kit import idempotency

    alice = await login_resident(client, "alice")
    body = application_body()
    first = await _post(client, alice, "raced", body)
    real_find = idempotency._find
    calls = 0

    async def find_after_a_race(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return None if calls == 1 else await real_find(*args, **kwargs)

    monkeypatch.setattr(idempotency, "_find", find_after_a_race)
    second = await _post(client, alice, "raced", body)
    assert second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]
    assert await count_applications() == 1


async def test_purge_deletes_only_records_past_the_window(client: httpx.AsyncClient) -> None:
    from datetime import timedelta

    from sqlalchemy import select, update

    from app.db.session import session_scope
    from app.kit.idempotency import purge_expired
    from app.kit.timeutil import now
    from app.models.idempotency import IdempotencyRecord

    alice = await login_resident(client, "purge-alice")
    for key in ("old", "fresh"):
        response = await client.post(
            "/applications", json=application_body(), headers={**alice, "Idempotency-Key": key}
        )
        assert response.status_code == 201
    async with session_scope() as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "old")
            .values(created_at=now() - timedelta(hours=25))
        )
    async with session_scope() as session:
        assert await purge_expired(session) == 1
    async with session_scope() as session:
        keys = set(await session.scalars(select(IdempotencyRecord.key)))
    assert keys == {"fresh"}
