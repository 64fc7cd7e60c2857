"""``seed-demo``'s visits: the demo workers get their areas, households get past visits, the
worklists and figures show them, and a second run adds nothing."""

from __future__ import annotations

import httpx

from app.models.visit import Visit
from tests.helpers import login_staff, staff_id
from tests.households.helpers import GONGPING_COMMUNITY, GUANGHUA, NANJIANG, count_rows, district
from tests.visits.helpers import due, old_household


async def test_demo_visits(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope
    from app.devtools.demo_visits import seed_visits

    guanghua = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    station = await login_staff(client, "liucheng_station", "social_worker", "510115001000")
    officer = await district(client)
    ours = [await old_household(client, officer, days=300) for _ in range(3)]
    south = await old_household(client, officer, days=300, region_code=NANJIANG)
    far = [
        await old_household(client, officer, days=300, region_code=GONGPING_COMMUNITY)
        for _ in range(5)
    ]
    async with session_scope() as session:
        added = await seed_visits(session)
    assert added == await count_rows(Visit) > 0
    async with session_scope() as session:
        assert await seed_visits(session) == 0

    mine = await due(client, guanghua, assignee_id=await staff_id(client, guanghua))
    assert {i["household_id"] for i in mine["items"]} == {h["id"] for h in ours}
    assert mine["counts"]["total"] == len(mine["items"])
    rest = await due(client, station, assignee_id=await staff_id(client, station))
    assert [i["household_id"] for i in rest["items"]] == [south["id"]]
    # Every household of the street was visited; the visits show in its history.
    for household in [*ours, south]:
        history = (
            await client.get(f"/staff/households/{household['id']}/visits", headers=station)
        ).json()["items"]
        assert history, household["id"]
    stats = (
        await client.get("/staff/visits/stats", params={"group_by": "street"}, headers=officer)
    ).json()
    assert stats["totals"]["done_on_time"] > 0
    assert stats["totals"]["households"] == len(ours) + 1 + len(far)
