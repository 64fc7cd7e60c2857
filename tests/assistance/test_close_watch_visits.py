"""Groups and key targets drive the visit policy: a key target (重点对象), or a household with a
member in a close-watch group (独居老人, 困境儿童 ...), is visited on the high-risk cycle whatever
its recorded risk level; taken off, it goes back to its own cycle. The SQL and its Python twin
agree."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.assistance.vocabulary import Group
from app.db.session import session_scope
from app.models.household import Household
from app.models.visit import VisitSchedule
from app.schedules.policy import CLOSE_WATCH_GROUPS, DEFAULT_CYCLES, visit_risk
from app.schedules.recompute import recompute
from tests.assistance.support import district, household, members


async def _due(household_id: int) -> tuple[object, object, str]:
    async with session_scope() as session:
        schedule = await session.get(VisitSchedule, household_id)
        home = await session.get(Household, household_id)
        assert schedule is not None and home is not None
        return schedule.next_due_on, home.created_at, home.risk_level


def test_close_watch_groups_are_groups_assistance_knows() -> None:
    assert set(CLOSE_WATCH_GROUPS) <= {g.value for g in Group}
    assert visit_risk("low", key_target=True, groups=[]) == "high"
    assert visit_risk("low", key_target=False, groups=["elderly_alone"]) == "high"
    assert visit_risk("low", key_target=False, groups=["unemployed"]) == "low"
    assert visit_risk("medium", key_target=False, groups=[]) == "medium"


async def test_key_targets_and_close_watch_groups_are_visited_on_the_high_risk_cycle(
    client: httpx.AsyncClient,
) -> None:
    officer = await district(client)
    home = await household(category="dibao")
    async with session_scope() as session:
        await session.execute(
            Household.__table__.update().where(Household.id == home).values(risk_level="low")
        )
        await recompute(session, [home])
    due, created, risk = await _due(home)
    registered = created.date() if hasattr(created, "date") else created  # type: ignore[union-attr]
    low = DEFAULT_CYCLES[("dibao", "low")]
    high = DEFAULT_CYCLES[("dibao", "high")]
    assert low > high and risk == "low"
    assert abs((due - registered).days - low) <= 1  # type: ignore[operator]

    flagged = await client.put(
        f"/staff/households/{home}/key-target",
        json={"key_target": True, "reason": "独居高龄"},
        headers=officer,
    )
    assert flagged.status_code == 200, flagged.text
    due_flagged, _, _ = await _due(home)
    assert due_flagged == due - timedelta(days=low - high)  # type: ignore[operator]

    unflagged = await client.put(
        f"/staff/households/{home}/key-target",
        json={"key_target": False, "reason": "情况好转"},
        headers=officer,
    )
    assert unflagged.status_code == 200, unflagged.text
    assert (await _due(home))[0] == due

    # A member in a close-watch group does the same; a group outside it does not.
    child = (await members(client, officer, home))[1]
    path = f"/staff/households/{home}/members/{child}/tags"
    assert (await client.put(f"{path}/unemployed", headers=officer)).status_code == 200
    assert (await _due(home))[0] == due
    assert (await client.put(f"{path}/children_in_difficulty", headers=officer)).status_code == 200
    assert (await _due(home))[0] == due_flagged
    assert (
        await client.delete(f"{path}/children_in_difficulty", headers=officer)
    ).status_code == 200
    assert (await _due(home))[0] == due
