"""A standard that rises: the amounts of every household it governs are recalculated for a
person to confirm (old and new amounts), then confirmed at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from app.db.session import session_scope
from app.households.categories.service import adjust_amount
from app.kit.actor import Actor
from app.kit.timeutil import local_today
from app.models.audit import AuditEvent
from tests.helpers import staff_id
from tests.households.helpers import create_household, district, street

WENJIANG = "510115000000"


async def _standard(
    client: httpx.AsyncClient, headers: dict[str, str], value: str, since: str
) -> int:
    body = {"region_code": WENJIANG, "kind": "dibao", "value": value, "effective_from": since}
    response = await client.post("/staff/standards", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _enrol(
    client: httpx.AsyncClient, headers: dict[str, str], hid: int, category: str, amount: str
) -> None:
    body = {
        "action": "enrol",
        "category": category,
        "effective_date": "2026-12-01",
        "reason": "审批通过",
        "monthly_amount": amount,
    }
    response = await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def _list(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> Any:
    response = await client.get(f"/staff/standards/{sid}/recalculation", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_rising_standard_lists_old_and_new_amounts_and_is_confirmed(
    client: httpx.AsyncClient,
) -> None:
    worker = await street(client)
    officer = await district(client)
    await _standard(client, officer, "870.00", "2022-07-01")
    dibao = (await create_household(client, worker))["id"]  # two members, 1200.00 a month
    await _enrol(client, officer, dibao, "dibao", "540.00")  # 870 x 2 - 1200
    edge = (await create_household(client, worker))["id"]
    await _enrol(client, officer, edge, "dibao_edge", "0.00")

    raised = await _standard(client, officer, "950.00", "2027-01-01")
    listed = await _list(client, officer, raised)
    assert listed["standard"]["value"] == "950.00"
    assert [
        (i["household_id"], i["old_amount"], i["new_amount"], i["confirmed"])
        for i in listed["items"]
    ] == [(dibao, "540.00", "700.00", False)]

    assert (
        await client.get(f"/staff/standards/{raised}/recalculation", headers=worker)
    ).status_code == 403
    confirmed = await client.post(
        f"/staff/standards/{raised}/recalculation/confirm", headers=officer
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"standard_id": raised, "confirmed": 1}
    again = await client.post(f"/staff/standards/{raised}/recalculation/confirm", headers=officer)
    assert again.json()["confirmed"] == 0
    assert (await _list(client, officer, raised))["items"][0]["confirmed"] is True

    # The next rise starts from the amount confirmed under this one.
    later = await _standard(client, officer, "1000.00", "2027-07-01")
    [item] = (await _list(client, officer, later))["items"]
    assert (item["old_amount"], item["new_amount"]) == ("700.00", "800.00")

    # A reduction decided after that confirmation (a procedure's 减发) is what is paid, so
    # the next rise starts from it.
    actor = Actor("staff", await staff_id(client, officer), "district_officer", WENJIANG)
    async with session_scope() as session:
        await adjust_amount(
            session,
            actor,
            dibao,
            monthly_amount=Decimal("650.00"),
            effective_date=local_today(),
            reason="复核减发",
        )
    [item] = (await _list(client, officer, later))["items"]
    assert (item["old_amount"], item["new_amount"]) == ("650.00", "800.00")

    missing = await client.get("/staff/standards/999999/recalculation", headers=officer)
    assert (missing.status_code, missing.json()["code"]) == (404, "standard_not_found")
    async with session_scope() as session:
        from sqlalchemy import select

        entries = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "standard.recalculation_confirm")
            )
        ).all()
    assert [(e.record_id, e.detail["households"]) for e in entries] == [
        (str(raised), 1),
        (str(raised), 0),
    ]
