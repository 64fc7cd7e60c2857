"""Worklists per role and jurisdiction; assignment and bulk reassignment."""

from __future__ import annotations

import httpx

from tests.helpers import login_staff, staff_id
from tests.households.helpers import (
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    district,
    street,
)
from tests.visits.helpers import due, old_household


async def assign(
    client: httpx.AsyncClient, headers: dict[str, str], ids: list[int], assignee: int | None
) -> httpx.Response:
    return await client.put(
        "/staff/visits/assignments",
        json={"household_ids": ids, "assignee_id": assignee},
        headers=headers,
    )


def ids(page: dict) -> list[int]:  # type: ignore[type-arg]
    return [item["household_id"] for item in page["items"]]


async def test_worklists_per_role_and_jurisdiction(client: httpx.AsyncClient) -> None:
    officer = await street(client)
    chen = await login_staff(client, "chen", "community_worker", GUANGHUA)
    wang = await login_staff(client, "wang", "community_worker", GUANGHUA)
    nanjiang = await login_staff(client, "nan", "community_worker", NANJIANG)
    station = await login_staff(client, "station", "social_worker", LIUCHENG)
    auditor = await login_staff(client, "audit", "auditor", "510115000000")
    chen_id, wang_id = await staff_id(client, chen), await staff_id(client, wang)
    nanjiang_id = await staff_id(client, nanjiang)

    # Registered 80, 70 and 40 days ago: medium risk falls due after 60 days.
    high = await old_household(client, officer, days=70, risk_level="high")
    old = await old_household(client, officer, days=80)
    fresh = await old_household(client, officer, days=40)
    south = await old_household(client, officer, days=80, region_code=NANJIANG)
    other_street = await old_household(
        client, await district(client), days=80, region_code=GONGPING_COMMUNITY
    )

    # Urgency: most overdue first (high risk: 30 days, 40 overdue), then the rest.
    page = await due(client, officer)
    assert ids(page) == [high["id"], old["id"], south["id"], fresh["id"]]
    assert [i["overdue_days"] for i in page["items"]] == [40, 20, 20, 0]
    assert page["items"][0] | {"last_visit_at": None} == page["items"][0]
    assert page["counts"] == {"total": 4, "overdue": 3, "due_today": 0, "unassigned": 4}
    assert set(page["items"][0]) == {
        "household_id",
        "reference",
        "region_code",
        "category",
        "risk_level",
        "last_visit_at",
        "next_due_on",
        "overdue_days",
        "open_warnings",
        "assignee_id",
    }

    # A community worker sees the community; the station and the auditor their areas.
    assert ids(await due(client, chen)) == [high["id"], old["id"], fresh["id"]]
    assert ids(await due(client, nanjiang)) == [south["id"]]
    assert len(ids(await due(client, station))) == 4
    assert len(ids(await due(client, auditor))) == 5
    assert other_street["id"] in ids(await due(client, auditor))

    # Assignment: the street assigns, community workers may not.
    assert (await assign(client, chen, [old["id"]], chen_id)).status_code == 403
    response = await assign(client, officer, [high["id"], old["id"]], chen_id)
    assert response.status_code == 200, response.text
    assert response.json() == {"households": 2}
    mine = await due(client, chen, assignee_id=chen_id)
    assert ids(mine) == [high["id"], old["id"]]
    assert {i["assignee_id"] for i in mine["items"]} == {chen_id}
    unassigned = await due(client, chen, unassigned="true")
    assert ids(unassigned) == [fresh["id"]]
    assert (await due(client, officer))["counts"]["unassigned"] == 2

    # Someone whose area does not cover the household, or who is not a worker: refused.
    refused = await assign(client, officer, [south["id"]], chen_id)
    assert (refused.status_code, refused.json()["code"]) == (422, "assignee_out_of_jurisdiction")
    officer_id = await staff_id(client, officer)
    refused = await assign(client, officer, [old["id"]], officer_id)
    assert (refused.status_code, refused.json()["code"]) == (422, "assignee_not_eligible")
    # Outside the assigner's jurisdiction: as if it did not exist.
    refused = await assign(client, officer, [other_street["id"]], chen_id)
    assert (refused.status_code, refused.json()["code"]) == (404, "household_not_found")

    # Chen leaves: all of Chen's households go to Wang in one go.
    moved = await client.post(
        "/staff/visits/reassign",
        json={"from_assignee_id": chen_id, "to_assignee_id": wang_id},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"households": 2}
    assert ids(await due(client, officer, assignee_id=chen_id)) == []
    assert ids(await due(client, officer, assignee_id=wang_id)) == [high["id"], old["id"]]
    refused = await client.post(
        "/staff/visits/reassign",
        json={"from_assignee_id": wang_id, "to_assignee_id": nanjiang_id},
        headers=officer,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "assignee_out_of_jurisdiction")
    assert ids(await due(client, officer, assignee_id=wang_id)) == [high["id"], old["id"]]
    gone = await client.post(
        "/staff/visits/reassign",
        json={"from_assignee_id": wang_id, "to_assignee_id": None},
        headers=officer,
    )
    assert gone.json() == {"households": 2}
    assert (await due(client, officer))["counts"]["unassigned"] == 4


async def test_window_overdue_and_paging(client: httpx.AsyncClient) -> None:
    officer = await street(client)
    made = [await old_household(client, officer, days=days) for days in (90, 75, 61, 50, 10)]
    # Due 30, 15 and 1 days ago, in 10 days and in 50 days.
    near = await due(client, officer, until=(await _today_plus(20)))
    assert ids(near) == [h["id"] for h in made[:4]]
    assert near["counts"]["total"] == 4
    late = await due(client, officer, overdue="true")
    assert ids(late) == [h["id"] for h in made[:3]]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await due(client, officer, **params)
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [h["id"] for h in made]
    bad = await client.get("/staff/visits/due", params={"cursor": "xyz"}, headers=officer)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")


async def _today_plus(days: int) -> str:
    from tests.visits.helpers import day

    return day(days)
