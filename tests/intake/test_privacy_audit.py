"""Looks at personal data are audited like household views: a case's detail, a search by a full
ID number (applications and households), and a household's eligibility."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.helpers import id_number, login_resident, login_staff
from tests.households.builders import Person, add_standard, insert_household
from tests.intake.support import DISTRICT, GUANGHUA, LIUCHENG, staff, submit


async def _audit(
    client: httpx.AsyncClient, auditor: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    """The audit log as an auditor reads it."""
    response = await client.get("/staff/audit", params=params, headers=auditor)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_case_detail_views_are_audited(client: httpx.AsyncClient) -> None:
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    alice = await login_resident(client, "alice")
    case = await submit(client, alice)
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    assert (
        await client.get(f"/staff/applications/{case['id']}", headers=street)
    ).status_code == 200
    views = [
        e
        for e in await _audit(client, auditor, record_type="application", record_id=str(case["id"]))
        if e["action"] == "application.view"
    ]
    assert [(e["actor_id"], e["actor_role"]) for e in views] == [(street_id, "street_officer")]
    # A case outside the caller's jurisdiction is 404 and leaves no view behind.
    other, _ = await staff(client, "gongping1", "street_officer", "510115002000")
    assert (await client.get(f"/staff/applications/{case['id']}", headers=other)).status_code == 404
    again = await _audit(client, auditor, record_type="application", record_id=str(case["id"]))
    assert len([e for e in again if e["action"] == "application.view"]) == 1


async def test_searching_applications_by_a_full_id_number_is_audited(
    client: httpx.AsyncClient,
) -> None:
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    alice = await login_resident(client, "alice")
    number = id_number()
    await submit(client, alice, subject={"name": "张三", "id_number": number})
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    found = await client.get("/staff/applications", params={"q": number}, headers=street)
    assert len(found.json()["items"]) == 1
    # A name search is not a look-up of one person by identifier.
    await client.get("/staff/applications", params={"q": "张"}, headers=street)
    searches = [
        e
        for e in await _audit(client, auditor, record_type="application")
        if e["action"] == "application.search_id_number"
    ]
    assert len(searches) == 1
    assert searches[0]["actor_id"] == street_id
    assert searches[0]["detail"] == {"q": number[:6] + "********" + number[-4:], "results": 1}
    assert number not in str(searches)


async def test_searching_households_by_a_full_id_number_is_audited(
    client: httpx.AsyncClient,
) -> None:
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    number = id_number(date(1970, 5, 1))
    await insert_household(GUANGHUA, [Person("李四", date(1970, 5, 1), id_number=number)])
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    found = await client.get("/staff/households", params={"q": number}, headers=worker)
    assert found.status_code == 200
    assert len(found.json()["items"]) == 1
    await client.get("/staff/households", params={"q": "李"}, headers=worker)
    searches = [
        e
        for e in await _audit(client, auditor, record_type="household")
        if e["action"] == "household.search_id_number"
    ]
    assert len(searches) == 1
    assert searches[0]["actor_id"] == worker_id
    assert searches[0]["detail"] == {"q": number[:6] + "********" + number[-4:], "results": 1}


async def test_eligibility_reads_are_audited(client: httpx.AsyncClient) -> None:
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    await add_standard(DISTRICT, "dibao", "870.00", date(2022, 7, 1))
    household = await insert_household(GUANGHUA, [Person("王五", date(1960, 1, 1), "300.00")])
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    read = await client.get(
        f"/staff/households/{household}/eligibility", params={"on": "2026-11-01"}, headers=worker
    )
    assert read.status_code == 200, read.text
    reads = [
        e
        for e in await _audit(client, auditor, record_type="household", record_id=str(household))
        if e["action"] == "household.eligibility_view"
    ]
    assert [(e["actor_id"], e["detail"]) for e in reads] == [(worker_id, {"on": "2026-11-01"})]
