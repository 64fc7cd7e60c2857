"""Reveal of personal data and the audit log: who may, what is recorded, append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.models.audit import AuditEvent
from tests.helpers import id_number, login_resident
from tests.intake.support import DISTRICT, GONGPING, GUANGHUA, LIUCHENG, act, staff, submit

SHANGHAI_OFFSET = "+08:00"


async def _reveal(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    application_id: int,
    reason: str = "入户核实",
) -> httpx.Response:
    return await client.post(
        f"/staff/applications/{application_id}/reveal", json={"reason": reason}, headers=headers
    )


async def _audit(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/staff/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_reveal_gives_clear_values_to_staff_in_scope(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    number = id_number()
    application = await submit(client, alice, subject={"id_number": number, "phone": "13911112222"})
    for username, role, region in (
        ("guanghua1", "community_worker", GUANGHUA),
        ("station1", "social_worker", LIUCHENG),
        ("liucheng1", "street_officer", LIUCHENG),
        ("district1", "district_officer", DISTRICT),
    ):
        headers, _ = await staff(client, username, role, region)
        response = await _reveal(client, headers, application["id"])
        assert response.status_code == 200, (role, response.text)
        assert response.json() == {
            "id_number": number,
            "phone": "13911112222",
            "reporter_phone": None,
        }


async def test_reveal_without_an_id_number_or_phone(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(
        client, alice, relation="neighbor", subject={"id_number": None, "phone": None}
    )
    response = await _reveal(client, street, application["id"])
    assert response.status_code == 200
    assert response.json() == {"id_number": None, "phone": None, "reporter_phone": None}


async def test_reveal_is_refused_outside_scope_and_to_admin_and_auditor(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    number = id_number()
    application = await submit(client, alice, subject={"id_number": number})
    other_street, _ = await staff(client, "gongping1", "street_officer", GONGPING)
    outside = await _reveal(client, other_street, application["id"])
    assert outside.status_code == 404
    assert outside.json()["code"] == "application_not_found"

    for username, role in (("admin1", "admin"), ("auditor1", "auditor")):
        headers, _ = await staff(client, username, role, DISTRICT)
        response = await _reveal(client, headers, application["id"])
        assert response.status_code == 403, role
        assert number not in response.text

    resident = await _reveal(client, alice, application["id"])
    assert resident.status_code == 403
    assert (await _reveal(client, {}, application["id"])).status_code == 401


async def test_reveal_needs_a_reason(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/reveal"
    for body in ({}, {"reason": ""}, {"reason": "x"}, {"reason": "x" * 201}, {"reason": 5}):
        response = await client.post(url, json=body, headers=street)
        assert response.status_code == 422, body


async def test_reveals_transitions_and_logins_are_in_the_audit_log(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    number = id_number()
    application = await submit(client, alice, subject={"id_number": number})
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    auditor, auditor_id = await staff(client, "auditor1", "auditor", DISTRICT)
    assert (await _reveal(client, street, application["id"], "电话回访核对身份")).status_code == 200
    assert (await act(client, street, application["id"], "accept")).status_code == 200

    events = await _audit(client, auditor, limit=100)
    actions = [(e["action"], e["actor_id"]) for e in events]
    assert ("staff.login", street_id) in actions
    assert ("staff.login", auditor_id) in actions
    assert ("application.reveal", street_id) in actions
    assert ("application.accept", street_id) in actions
    reveal = next(e for e in events if e["action"] == "application.reveal")
    assert reveal["record_type"] == "application"
    assert reveal["record_id"] == str(application["id"])
    assert reveal["actor_role"] == "street_officer"
    assert reveal["detail"]["reason"] == "电话回访核对身份"
    assert reveal["client"] == "10.0.0.1"
    assert reveal["at"].endswith(SHANGHAI_OFFSET)
    accept = next(e for e in events if e["action"] == "application.accept")
    assert accept["detail"]["from"] == "submitted"
    assert accept["detail"]["to"] == "accepted"
    # Newest first, and the log never holds the clear ID number.
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    response = await client.get("/staff/audit", params={"limit": 100}, headers=auditor)
    assert number not in response.text


async def test_failed_and_throttled_logins_are_audited(client: httpx.AsyncClient) -> None:
    auditor, _ = await staff(client, "auditor1", "auditor", DISTRICT)
    for _ in range(6):
        await client.post("/auth/staff/login", json={"username": "intruder", "password": "guess"})
    events = await _audit(client, auditor, record_type="staff", limit=100)
    actions = [e["action"] for e in events]
    assert actions.count("staff.login_failed") == 5
    assert actions.count("staff.login_throttled") == 1
    failed = next(e for e in events if e["action"] == "staff.login_failed")
    assert failed["detail"]["username"] == "intruder"
    assert "guess" not in str(events)  # never the password


async def test_audit_filters_and_cursor(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    first = await submit(client, alice)
    second = await submit(client, alice)
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    district, district_id = await staff(client, "district1", "district_officer", DISTRICT)
    await _reveal(client, street, first["id"])
    await _reveal(client, street, second["id"])
    await _reveal(client, district, first["id"])

    by_record = await _audit(
        client, district, record_type="application", record_id=str(first["id"])
    )
    assert {e["record_id"] for e in by_record} == {str(first["id"])}
    assert [e["action"] for e in by_record].count("application.reveal") == 2
    assert "application.submit" in [e["action"] for e in by_record]

    by_actor = await _audit(client, district, actor_id=street_id)
    assert {e["actor_id"] for e in by_actor} == {street_id}
    assert {e["actor_role"] for e in by_actor} == {"street_officer"}
    assert [e["action"] for e in by_actor].count("application.reveal") == 2
    assert await _audit(client, district, record_type="nothing") == []

    # since / until, with an offset other than UTC.
    everything = await _audit(client, district, limit=100)
    newest = datetime.fromisoformat(everything[0]["at"])
    later = (newest + timedelta(minutes=1)).isoformat()
    earlier = (newest - timedelta(hours=1)).isoformat()
    assert await _audit(client, district, since=later) == []
    assert len(await _audit(client, district, since=earlier, limit=100)) == len(everything)
    assert await _audit(client, district, until=earlier) == []
    assert len(await _audit(client, district, until=later, limit=100)) == len(everything)
    in_utc = (newest + timedelta(minutes=1)).astimezone(UTC).isoformat()
    assert await _audit(client, district, since=in_utc) == []

    # Cursor paging walks the whole log once, newest first.
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(50):
        page = (await client.get("/staff/audit", params=params, headers=district)).json()
        seen += [e["id"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [e["id"] for e in everything]
    assert district_id


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "2026-11-29T10:00:00"},  # no offset: ambiguous
        {"until": "2026-13-01T00:00:00+08:00"},
        {"actor_id": "x"},
        {"actor_id": "0"},
        {"actor_id": str(2**63)},
        {"record_id": "x" * 65},
        {"record_type": "a\u0000"},
        {"cursor": "WyJhYmMiXQ"},
        {"cursor": "Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTldIA"},
        {"cursor": "W251bGxd"},
        {"limit": "500"},
    ],
)
async def test_bad_audit_filters_are_422(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    district, _ = await staff(client, "district1", "district_officer", DISTRICT)
    response = await client.get("/staff/audit", params=params, headers=district)
    assert response.status_code == 422, response.text
    assert response.json()["code"]


async def test_only_auditors_and_district_officers_read_the_audit_log(
    client: httpx.AsyncClient,
) -> None:
    for username, role, region in (
        ("liucheng1", "street_officer", LIUCHENG),
        ("guanghua1", "community_worker", GUANGHUA),
        ("station1", "social_worker", LIUCHENG),
        ("admin1", "admin", DISTRICT),
    ):
        headers, _ = await staff(client, username, role, region)
        response = await client.get("/staff/audit", headers=headers)
        assert response.status_code == 403, role
        assert response.json()["code"]
    for username, role in (("auditor1", "auditor"), ("district1", "district_officer")):
        headers, _ = await staff(client, username, role, DISTRICT)
        assert (await client.get("/staff/audit", headers=headers)).status_code == 200
    alice = await login_resident(client, "alice")
    assert (await client.get("/staff/audit", headers=alice)).status_code == 403
    assert (await client.get("/staff/audit")).status_code == 401


async def test_audit_rows_cannot_be_changed_or_deleted(client: httpx.AsyncClient) -> None:
    from app.db.session import get_engine, session_scope

    await staff(client, "liucheng1", "street_officer", LIUCHENG)
    async with session_scope() as session:
        before = [(e.id, e.action) for e in await session.scalars(select(AuditEvent))]
    assert before

    engine = get_engine()
    for statement in (
        "UPDATE audit_events SET action = 'nothing.happened'",
        "UPDATE audit_events SET actor_id = NULL WHERE id = (SELECT MIN(id) FROM audit_events)",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = (SELECT MIN(id) FROM audit_events)",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))

    async with session_scope() as session:
        after = [(e.id, e.action) for e in await session.scalars(select(AuditEvent))]
    assert after == before


async def test_actor_id_means_a_staff_member_not_a_resident_with_the_same_number(
    client: httpx.AsyncClient,
) -> None:
    """Staff and residents are numbered separately; the auditor asking what staff member N did
    must not get resident N's submissions mixed in."""
    alice = await login_resident(client, "alice")
    alice_id = int((await client.get("/me", headers=alice)).json()["id"])
    application = await submit(client, alice)
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    auditor, _ = await staff(client, "auditor1", "auditor", DISTRICT)
    assert street_id == alice_id  # both tables start from 1 in a clean database
    await _reveal(client, street, application["id"])
    events = await _audit(client, auditor, actor_id=street_id, limit=100)
    assert [e["action"] for e in events] == ["application.reveal", "staff.login"]
    assert {e["actor_role"] for e in events} == {"street_officer"}
    assert {e["actor_kind"] for e in events} == {"staff"}
    residents = await _audit(client, auditor, actor_id=alice_id, actor_kind="resident")
    assert [e["action"] for e in residents] == ["application.submit"]
    assert {e["actor_role"] for e in residents} == {"resident"}
