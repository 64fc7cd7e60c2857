"""Visit records: sent twice stored once, refused dates, the checklist, notes encrypted."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from app.kit.timeutil import now
from app.models.visit import Visit
from tests.helpers import login_staff
from tests.households.helpers import GUANGHUA, audit_actions, count_rows, street
from tests.visits.helpers import old_household, record, visit_body


async def test_a_visit_sent_twice_is_stored_once(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    household = await old_household(client, worker, days=30)
    # Recorded on the phone three days ago, without network; sent now, and again.
    at = (now() - timedelta(days=3)).isoformat()
    first = await record(client, worker, household["id"], key="visit-1", visited_at=at)
    again = await record(client, worker, household["id"], key="visit-1", visited_at=at)
    assert again == first
    # Its real time is kept (shown in local time, +08:00).
    assert datetime.fromisoformat(first["visited_at"]) == datetime.fromisoformat(at)
    assert first["visited_at"].endswith("+08:00")
    # The same visit under a new key (the first answer lost with the key): still once.
    dup = await client.post(
        f"/staff/households/{household['id']}/visits",
        json=visit_body(visited_at=at),
        headers={**worker, "Idempotency-Key": "visit-1-retry"},
    )
    assert (dup.status_code, dup.json()["code"]) == (409, "visit_already_recorded")
    changed = await client.post(
        f"/staff/households/{household['id']}/visits",
        json=visit_body(visited_at=at, notes="另一段"),
        headers={**worker, "Idempotency-Key": "visit-1"},
    )
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency_key_mismatch")
    assert await count_rows(Visit) == 1
    assert "visit.record" in await audit_actions(household["id"])


async def test_refused_dates(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    household = await old_household(client, worker, days=30)
    future = await client.post(
        f"/staff/households/{household['id']}/visits",
        json=visit_body(at=now() + timedelta(hours=2)),
        headers=worker,
    )
    assert (future.status_code, future.json()["code"]) == (422, "visit_in_future")
    before = await client.post(
        f"/staff/households/{household['id']}/visits",
        json=visit_body(at=now() - timedelta(days=31)),
        headers=worker,
    )
    assert (before.status_code, before.json()["code"]) == (422, "visit_before_household")
    no_offset = visit_body(visited_at="2026-11-01T10:00:00")
    response = await client.post(
        f"/staff/households/{household['id']}/visits", json=no_offset, headers=worker
    )
    assert response.status_code == 422
    # A phone a few minutes fast is fine.
    await record(
        client, worker, household["id"], visited_at=(now() + timedelta(minutes=3)).isoformat()
    )
    assert await count_rows(Visit) == 1


async def test_checklist_coordinates_and_notes(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    auditor = await login_staff(client, "audit", "auditor", "510115000000")
    household = await old_household(client, worker, days=30)
    url = f"/staff/households/{household['id']}/visits"
    for bad in (
        {"checklist": {"housing": "ok", "pets": "ok"}},
        {"checklist": {"housing": "fine"}},
        {"latitude": "91.0", "longitude": "103.8"},
        {"latitude": "30.7"},
        {"need_type": "medical"},
        {"risk_level_after": "extreme"},
        {"recorded_by": 3},
    ):
        response = await client.post(url, json=visit_body(**bad), headers=worker)
        assert response.status_code == 422, bad
    visit = await record(
        client,
        worker,
        household["id"],
        latitude="30.682511",
        longitude="103.856412",
        need_type="medical",
        needs="需要陪同就医",
        notes="老人独居，腿脚不便，冰箱空",
    )
    assert visit["checklist"] == {
        "housing": "ok",
        "food": "ok",
        "health": "concern",
        "urgent_needs": "n/a",
    }
    assert (visit["latitude"], visit["longitude"]) == ("30.682511", "103.856412")
    assert (visit["need_type"], visit["needs"]) == ("medical", "需要陪同就医")
    listed = (await client.get(url, headers=auditor)).json()["items"]
    assert listed[0]["notes"] == "老人独居，腿脚不便，冰箱空"
    refused = await client.post(url, json=visit_body(), headers=auditor)
    assert refused.status_code == 403
    # Notes and needs are stored encrypted.
    from app.db.session import session_scope

    async with session_scope() as session:
        stored = await session.scalar(select(Visit))
    assert stored is not None
    assert "冰箱" not in stored.notes_enc and "就医" not in (stored.needs_enc or "")
    # Exited households are no longer visited; other jurisdictions do not exist.
    other = await login_staff(client, "gongping", "street_officer", "510115002000")
    hidden = await client.post(url, json=visit_body(), headers=other)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "household_not_found")
    assert (await client.get(url, headers=other)).status_code == 404
