"""HTTP details of registry changes: a create gives the version as ``ETag``, and a member's
removal takes its reason in the query, as clients that send no body with DELETE need."""

from __future__ import annotations

import httpx

from tests.households.helpers import create_household, household_body, member, street


async def test_create_returns_the_version_as_etag_for_the_next_if_match(
    client: httpx.AsyncClient,
) -> None:
    headers = await street(client)
    created = await client.post("/staff/households", json=household_body(), headers=headers)
    assert created.status_code == 201
    assert created.headers["ETag"] == f'"{created.json()["version"]}"'
    patched = await client.patch(
        f"/staff/households/{created.json()['id']}",
        json={"address": "新地址"},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    added = await client.post(
        f"/staff/households/{created.json()['id']}/members",
        json=member(relation="child"),
        headers=headers,
    )
    assert added.status_code == 201
    assert added.headers["ETag"] == f'"{added.json()["version"]}"'
    assert added.json()["version"] == patched.json()["version"] + 1


async def test_removing_a_member_takes_the_reason_in_the_query(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(
        client, headers, members=[member(), member(relation="child"), member(relation="child")]
    )
    base = f"/staff/households/{household['id']}/members"
    first, second = household["members"][1]["id"], household["members"][2]["id"]

    missing = await client.delete(f"{base}/{first}", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (422, "validation_error")
    assert missing.json()["errors"][0]["field"] == "reason"
    short = await client.delete(f"{base}/{first}", params={"reason": "x"}, headers=headers)
    assert short.status_code == 422

    removed = await client.delete(
        f"{base}/{first}", params={"reason": "外出务工"}, headers={**headers, "If-Match": "1"}
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["former_members"][0]["removed_reason"] == "外出务工"
    # A JSON body still works for clients that send one.
    in_body = await client.request(
        "DELETE", f"{base}/{second}", json={"reason": "分户"}, headers={**headers, "If-Match": "2"}
    )
    assert in_body.status_code == 200
    assert {m["removed_reason"] for m in in_body.json()["former_members"]} == {"外出务工", "分户"}
    blind = await client.delete(
        f"{base}/{household['members'][0]['id']}", params={"reason": "迁出"}, headers=headers
    )
    assert (blind.status_code, blind.json()["code"]) == (428, "if_match_required")
