from __future__ import annotations

import httpx

from tests.helpers import application_body, login_resident, login_staff


async def test_resident_submits_and_street_sees_it(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "alice")
    created = await client.post("/applications", json=application_body(), headers=resident)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "submitted"
    assert body["subject"]["id_number_masked"].count("*") == 8

    street = await login_staff(client, "liucheng1", "street_officer", "510115001000")
    queue = await client.get("/staff/applications", headers=street)
    assert [item["id"] for item in queue.json()["items"]] == [body["id"]]

    other = await login_staff(client, "gongping1", "street_officer", "510115002000")
    assert (await client.get("/staff/applications", headers=other)).json()["items"] == []
    missing = await client.get(f"/staff/applications/{body['id']}", headers=other)
    assert missing.status_code == 404
