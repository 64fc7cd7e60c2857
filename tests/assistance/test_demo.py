from __future__ import annotations

import httpx

from app.db.session import session_scope
from app.devtools.demo_assistance import seed_assistance
from tests.assistance.support import district, household, matches, need


async def test_seed_carries_34_projects_once(client: httpx.AsyncClient) -> None:
    async with session_scope() as session:
        first = await seed_assistance(session)
    async with session_scope() as session:
        second = await seed_assistance(session)
    assert first == {"organizations": 12, "projects": 34}
    assert second == {"organizations": 0, "projects": 0}
    officer = await district(client)
    seen = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/staff/projects", params=params, headers=officer)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 34 and len({p["name"] for p in seen}) == 34
    home = await household()
    await need(client, officer, home, service_type="tutoring")
    found = await matches(client, officer, home, on="2026-12-01")
    names = {p["id"]: p["name"] for p in seen}
    assert names[found[0]["project_id"]] == "柳城·光华社区四点半课堂"  # the household's community
