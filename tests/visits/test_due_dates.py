"""Stored due dates follow every change that moves them, made anywhere: the registry (a
household registered, its risk level or community changed, a category decided), an approval's
enrolment, and the nightly recompute that applies policy entries taking effect that day."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select, update

from app.kit.timeutil import local_today
from app.models.visit import VisitPolicy, VisitSchedule
from tests.helpers import application_body, id_number, login_resident, login_staff
from tests.households.helpers import NANJIANG, create_household, district, street
from tests.visits.helpers import day, due_on


async def patch(
    client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any
) -> dict[str, Any]:
    current = (await client.get(f"/staff/households/{hid}", headers=headers)).json()
    response = await client.patch(
        f"/staff/households/{hid}",
        json=body,
        headers={**headers, "If-Match": str(current["version"])},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_registry_changes_move_the_due_date(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    officer = await district(client)
    # Registered today, low risk, no category yet: the built-in 90 days.
    household = await create_household(client, worker, risk_level="low")
    hid = household["id"]
    assert await due_on(client, worker, hid) == day(90)

    await patch(client, worker, hid, risk_level="high", risk_reason="户主住院")
    assert await due_on(client, worker, hid) == day(30)

    decided = await client.post(
        f"/staff/households/{hid}/category",
        json={
            "action": "enrol",
            "category": "dibao_edge",
            "effective_date": local_today().isoformat(),
            "reason": "入户调查核实",
        },
        headers=officer,
    )
    assert decided.status_code == 200, decided.text
    await patch(client, worker, hid, risk_level="low", risk_reason="病情稳定")
    assert await due_on(client, worker, hid) == day(180)  # edge households, low risk

    # A community with its own cycle: moving there moves the date.
    policy = [
        {
            "category": "dibao_edge",
            "risk_level": "low",
            "region_code": NANJIANG,
            "cycle_days": 120,
            "effective_from": day(0),
        }
    ]
    put = await client.put("/staff/visit-policy", json=policy, headers=officer)
    assert put.status_code == 200, put.text
    assert await due_on(client, worker, hid) == day(180)
    await patch(client, worker, hid, region_code=NANJIANG)
    assert await due_on(client, worker, hid) == day(120)


async def test_an_approval_enrols_the_household_with_its_due_date(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "due-applicant")
    person = id_number()
    submitted = await client.post(
        "/applications",
        json=application_body(subject={"name": "孙九", "id_number": person}),
        headers=resident,
    )
    assert submitted.status_code == 201, submitted.text
    application_id = submitted.json()["id"]
    worker = await login_staff(client, "due-worker", "street_officer", "510115001000")
    path = f"/staff/applications/{application_id}/transitions"
    for action in ("accept", "start_investigation", "submit_review"):
        response = await client.post(path, json={"action": action}, headers=worker)
        assert response.status_code == 200, response.text
    officer = await district(client)
    approved = await client.post(
        path,
        json={"action": "approve", "decision": {"category": "tekun", "monthly_amount": "900.00"}},
        headers=officer,
    )
    assert approved.status_code == 200, approved.text
    found = (await client.get("/staff/households", params={"q": person}, headers=worker)).json()
    (household,) = found["items"]
    assert household["category"] == "tekun"
    # Special hardship: monthly, from the day it was registered.
    assert await due_on(client, worker, household["id"]) == day(30)


async def test_the_nightly_job_applies_entries_taking_effect(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope
    from app.visits.tasks import recompute_due_dates

    worker = await street(client)
    officer = await district(client)
    household = await create_household(client, worker, risk_level="medium")
    assert await due_on(client, worker, household["id"]) == day(60)
    tomorrow = [
        {"category": "none", "risk_level": "medium", "cycle_days": 7, "effective_from": day(1)}
    ]
    put = await client.put("/staff/visit-policy", json=tomorrow, headers=officer)
    assert put.status_code == 200, put.text
    assert await due_on(client, worker, household["id"]) == day(60)  # not yet in force
    # The job run just after midnight: pretend it is tomorrow by backdating the entry.
    async with session_scope() as session:
        await session.execute(update(VisitPolicy).values(effective_from=local_today()))
    async with session_scope() as session:
        await recompute_due_dates(session, {})
    assert await due_on(client, worker, household["id"]) == day(7)
    async with session_scope() as session:
        stored = await session.scalar(
            select(VisitSchedule.next_due_on).where(VisitSchedule.household_id == household["id"])
        )
    assert stored is not None and stored.isoformat() == day(7)
