"""The assistance ledger: one timeline per household, money and goods, idempotent entries."""

from __future__ import annotations

from typing import Any

import httpx

from app.models.household import LedgerEntry
from tests.households.helpers import audit_actions, count_rows, create_household, street


def entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "dibao_payment",
        "date": "2026-11-05",
        "amount": "270.00",
        "giver": "温江区民政局",
        "note": "11月低保金",
        "decision_ref": "温民低〔2026〕12号",
    }
    body.update(overrides)
    return body


async def test_entries_form_one_timeline_by_date(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    path = f"/staff/households/{household['id']}/ledger"
    bodies = [
        entry(),
        entry(
            kind="in_kind",
            date="2026-10-01",
            amount=None,
            quantity="2",
            giver="慈善会",
            note="米面油",
            decision_ref=None,
        ),
        entry(
            kind="service",
            date="2026-11-20",
            amount=None,
            quantity="1.5",
            giver="柳城社工站",
            note="心理疏导（小时）",
            decision_ref=None,
        ),
        entry(kind="medical_aid", date="2026-11-05", amount="1234.56", note="住院救助"),
        entry(kind="temporary_aid", date="2026-09-15", amount="0", note="临时救助（已核销）"),
    ]
    created = []
    for body in bodies:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    assert created[0]["amount"] == "270.00" and created[0]["quantity"] is None
    assert created[1]["amount"] is None and created[1]["quantity"] == "2.00"
    assert created[0]["created_by_id"] is not None and created[0]["created_at"].endswith("+08:00")

    listed = (await client.get(path, headers=headers)).json()
    assert [i["id"] for i in listed["items"]] == [
        created[2]["id"],
        created[3]["id"],
        created[0]["id"],
        created[1]["id"],
        created[4]["id"],
    ]
    first = (await client.get(path, params={"limit": 2}, headers=headers)).json()
    second = (
        await client.get(path, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
    ).json()
    third = (
        await client.get(
            path, params={"limit": 2, "cursor": second["next_cursor"]}, headers=headers
        )
    ).json()
    paged = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert paged == [i["id"] for i in listed["items"]]
    assert third["next_cursor"] is None
    assert (await audit_actions(household["id"])).count("household.ledger_add") == 5
    detail = (await client.get(f"/staff/households/{household['id']}", headers=headers)).json()
    assert detail["version"] == 1  # the ledger is a record of help, not a change of the household


async def test_bad_entries_are_refused(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    path = f"/staff/households/{household['id']}/ledger"
    for body in [
        entry(amount=None),
        entry(amount="-1.00"),
        entry(amount="1.234"),
        entry(amount="abc"),
        entry(kind="in_kind", amount=None, quantity=None),
        entry(kind="in_kind", amount=None, quantity="-2"),
        entry(kind="cash"),
        entry(date="2026-02-30"),
        entry(giver=""),
        entry(created_by_id=1),
    ]:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
    bad_cursor = await client.get(path, params={"cursor": "WyJ4Il0"}, headers=headers)
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "invalid_cursor")
    missing = await client.post("/staff/households/999999/ledger", json=entry(), headers=headers)
    assert missing.status_code == 404
    assert await count_rows(LedgerEntry) == 0


async def test_idempotency_key_on_entries(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    path = f"/staff/households/{household['id']}/ledger"
    keyed = {**headers, "Idempotency-Key": "pay-2026-11"}
    first = await client.post(path, json=entry(), headers=keyed)
    again = await client.post(path, json=entry(), headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    changed = await client.post(path, json=entry(amount="1.00"), headers=keyed)
    assert changed.json()["code"] == "idempotency_key_mismatch"
    assert await count_rows(LedgerEntry) == 1
