"""Visit figures per community, street, worker and month, in the caller's jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.helpers import login_staff, staff_id
from tests.households.helpers import GONGPING_COMMUNITY, GUANGHUA, NANJIANG, district, street
from tests.visits.helpers import day, old_household, record


async def stats(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    params = {"from": day(-60), "to": day(20), **params}
    response = await client.get("/staff/visits/stats", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def by_key(page: Any) -> dict[str | None, dict[str, Any]]:
    return {item["key"]: item for item in page["items"]}


async def test_figures_per_group(client: httpx.AsyncClient) -> None:
    officer = await street(client)
    chen = await login_staff(client, "chen", "community_worker", "510115001000")
    chen_id = await staff_id(client, chen)
    # Due 40 days ago (visited today: late); due in 10 days (visited today: on time);
    # due 20 days ago and not visited (overdue); due in 80 days (outside the period).
    late = await old_household(client, officer, days=100)
    early = await old_household(client, officer, days=20, risk_level="high")
    overdue = await old_household(client, officer, days=80, region_code=NANJIANG)
    later = await old_household(client, officer, days=10, risk_level="low", region_code=NANJIANG)
    elsewhere = await old_household(
        client, await district(client), days=80, region_code=GONGPING_COMMUNITY
    )
    assigned = await client.put(
        "/staff/visits/assignments",
        json={"household_ids": [late["id"], overdue["id"]], "assignee_id": chen_id},
        headers=officer,
    )
    assert assigned.status_code == 200, assigned.text
    await record(client, chen, late["id"], risk_level_after="medium")
    await record(client, chen, early["id"], risk_level_after="high")
    assert elsewhere and later

    page = await stats(client, officer, group_by="community")
    assert page["group_by"] == "community" and page["from"] == day(-60)
    communities = by_key(page)
    assert set(communities) == {GUANGHUA, NANJIANG}
    guanghua, nanjiang = communities[GUANGHUA], communities[NANJIANG]
    assert (guanghua["due"], guanghua["done_on_time"], guanghua["done_late"]) == (2, 1, 1)
    assert (guanghua["overdue"], guanghua["on_time_share"]) == (0, 0.5)
    assert (guanghua["households"], guanghua["households_within_cycle"]) == (2, 2)
    assert (nanjiang["due"], nanjiang["overdue"], nanjiang["on_time_share"]) == (1, 1, 0.0)
    assert (nanjiang["households"], nanjiang["households_within_cycle"]) == (2, 1)
    assert nanjiang["households_within_cycle_share"] == 0.5
    totals = page["totals"]
    assert (totals["due"], totals["done_on_time"], totals["done_late"], totals["overdue"]) == (
        3,
        1,
        1,
        1,
    )
    assert (totals["households"], totals["households_within_cycle"]) == (4, 3)

    streets = by_key(await stats(client, officer, group_by="street"))
    assert list(streets) == ["510115001000"]
    assert streets["510115001000"]["due"] == 3

    workers = by_key(await stats(client, officer, group_by="worker"))
    mine = workers[str(chen_id)]
    # Chen made both visits and is assigned the late one and the overdue one.
    assert (mine["done_on_time"], mine["done_late"], mine["overdue"], mine["due"]) == (1, 1, 1, 3)
    assert (mine["households"], mine["households_within_cycle"]) == (2, 1)
    assert (workers[None]["households"], workers[None]["due"]) == (2, 0)

    months = by_key(await stats(client, officer, group_by="month"))
    expected: dict[str, int] = {}
    for offset in (-40, 10, -20):
        month = date.fromisoformat(day(offset)).strftime("%Y-%m")
        expected[month] = expected.get(month, 0) + 1
    assert {k: v["due"] for k, v in months.items()} == expected
    assert all(v["households"] is None for v in months.values())

    # The district sees the other street too; another street sees none of this one.
    everything = await stats(client, await district(client, "d2"), group_by="street")
    assert set(by_key(everything)) == {"510115001000", "510115002000"}
    gongping = await login_staff(client, "gongping", "street_officer", "510115002000")
    theirs = await stats(client, gongping, group_by="community")
    assert set(by_key(theirs)) == {GONGPING_COMMUNITY}
    assert theirs["totals"]["done_on_time"] + theirs["totals"]["done_late"] == 0

    refused = await client.get(
        "/staff/visits/stats", params={"from": day(1), "to": day(0)}, headers=officer
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_period")
    for far in ({"to": "0001-01-01"}, {"from": "0001-01-01", "to": "0001-12-31"}):
        refused = await client.get("/staff/visits/stats", params=far, headers=officer)
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_period"), far
    bad = await client.get("/staff/visits/stats", params={"group_by": "x"}, headers=officer)
    assert bad.status_code == 422
