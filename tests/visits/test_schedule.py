"""Due dates: the policy in force, a risk change after a visit, a visit pulled forward."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.kit.timeutil import local_today, now
from tests.helpers import login_staff
from tests.households.helpers import GUANGHUA, LIUCHENG, NANJIANG, district, street
from tests.visits.helpers import day, due, due_on, old_household, record


async def test_policy_change_moves_due_dates(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    officer = await district(client)
    here = await old_household(client, worker, days=20)
    there = await old_household(client, worker, days=20, region_code=NANJIANG)
    # Never visited, no category, medium risk: the built-in 60 days from registration.
    assert await due_on(client, worker, here["id"]) == day(40)

    policy = (await client.get("/staff/visit-policy", headers=officer)).json()
    assert {
        "category": "none",
        "risk_level": "medium",
        "region_code": None,
        "cycle_days": 60,
        "effective_from": "2000-01-01",
    } in policy
    entries = [
        *policy,  # repeating what is already in force is allowed
        {"category": "none", "risk_level": "medium", "cycle_days": 30, "effective_from": day(0)},
        {
            "category": "none",
            "risk_level": "medium",
            "region_code": GUANGHUA,
            "cycle_days": 25,
            "effective_from": day(0),
        },
        {"category": "none", "risk_level": "medium", "cycle_days": 7, "effective_from": day(1)},
    ]
    put = await client.put("/staff/visit-policy", json=entries, headers=officer)
    assert put.status_code == 200, put.text
    # The community's own rule beats the district's; the district's new rule moves the other.
    assert await due_on(client, worker, here["id"]) == day(5)
    assert await due_on(client, worker, there["id"]) == day(10)

    # A PUT without the community rule removes it (it was only pending from today).
    put = await client.put(
        "/staff/visit-policy",
        json=[
            {"category": "none", "risk_level": "medium", "cycle_days": 15, "effective_from": day(0)}
        ],
        headers=officer,
    )
    assert put.status_code == 200, put.text
    assert await due_on(client, worker, here["id"]) == day(-5)
    overdue = await due(client, worker, overdue="true")
    assert [i["household_id"] for i in overdue["items"]] == [here["id"], there["id"]]
    assert overdue["items"][0]["overdue_days"] == 5
    assert overdue["counts"]["overdue"] == 2


async def test_policy_refuses_the_past_and_other_roles(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    worker = await street(client)
    past = [{"category": "dibao", "risk_level": "low", "cycle_days": 30, "effective_from": day(-1)}]
    refused = await client.put("/staff/visit-policy", json=past, headers=officer)
    assert (refused.status_code, refused.json()["code"]) == (422, "effective_from_in_past")
    changed_default = [
        {"category": "dibao", "risk_level": "low", "cycle_days": 31, "effective_from": "2000-01-01"}
    ]
    refused = await client.put("/staff/visit-policy", json=changed_default, headers=officer)
    assert (refused.status_code, refused.json()["code"]) == (422, "effective_from_in_past")
    twice = [past[0] | {"effective_from": day(3)}] * 2
    refused = await client.put("/staff/visit-policy", json=twice, headers=officer)
    assert (refused.status_code, refused.json()["code"]) == (422, "duplicate_policy_entry")
    bad = [{"category": "dibao", "risk_level": "low", "cycle_days": 0, "effective_from": day(0)}]
    assert (await client.put("/staff/visit-policy", json=bad, headers=officer)).status_code == 422
    unknown = [past[0] | {"effective_from": day(0), "weekday": 3}]
    assert (
        await client.put("/staff/visit-policy", json=unknown, headers=officer)
    ).status_code == 422
    denied = await client.put("/staff/visit-policy", json=[], headers=worker)
    assert (denied.status_code, denied.json()["code"]) == (403, "scope_denied")


async def test_risk_raised_by_a_visit_shortens_the_next_cycle(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    officer = await street(client)
    household = await old_household(client, officer, days=100, risk_level="low")
    visited = now() - timedelta(days=2)
    visit = await record(
        client, worker, household["id"], visited_at=visited.isoformat(), risk_level_after="high"
    )
    assert (visit["risk_level_before"], visit["risk_level_after"]) == ("low", "high")
    assert visit["risk_applied"] is True
    # Low risk waits 90 days after a visit; high risk 30.
    assert await due_on(client, worker, household["id"]) == day(28)
    detail = (await client.get(f"/staff/households/{household['id']}", headers=worker)).json()
    assert detail["risk_level"] == "high"
    changes = (
        await client.get(f"/staff/households/{household['id']}/changes", headers=worker)
    ).json()["items"]
    reason = next(c for c in changes if c["field"] == "risk_reason")
    assert f"走访记录 {visit['id']}" in reason["new_value"]

    # A visit recorded offline earlier, sent later, keeps its time and changes nothing newer.
    late = await record(
        client,
        worker,
        household["id"],
        visited_at=(visited - timedelta(days=3)).isoformat(),
        risk_level_after="low",
    )
    assert late["risk_applied"] is False
    detail = (await client.get(f"/staff/households/{household['id']}", headers=worker)).json()
    assert detail["risk_level"] == "high"
    assert await due_on(client, worker, household["id"]) == day(28)
    history = (
        await client.get(f"/staff/households/{household['id']}/visits", headers=worker)
    ).json()["items"]
    assert [v["id"] for v in history] == [visit["id"], late["id"]]


async def test_confirmed_warning_pulls_the_visit_forward(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope
    from app.schedules.service import pull_forward

    worker = await street(client)
    household = await old_household(client, worker, days=10)
    assert await due_on(client, worker, household["id"]) == day(50)
    async with session_scope() as session:
        await pull_forward(
            session, household["id"], reason="预警核实属实：大额医疗支出", within_days=3
        )
    assert await due_on(client, worker, household["id"]) == day(3)
    async with session_scope() as session:  # a later, looser pull does not push it back
        await pull_forward(session, household["id"], reason="另一条预警", within_days=20)
    assert await due_on(client, worker, household["id"]) == day(3)
    # A visit made before the pull (sent late from a phone) does not settle it.
    await record(
        client,
        worker,
        household["id"],
        risk_level_after="medium",
        visited_at=(now() - timedelta(hours=1)).isoformat(),
    )
    assert await due_on(client, worker, household["id"]) == day(3)
    await record(
        client, worker, household["id"], risk_level_after="medium", visited_at=now().isoformat()
    )
    # Visited after it: the pull is done and the regular cycle runs from the visit.
    assert (
        await due_on(client, worker, household["id"])
        == (local_today() + timedelta(days=60)).isoformat()
    )


async def test_street_sees_only_its_streets_households(client: httpx.AsyncClient) -> None:
    liucheng = await street(client)
    gongping = await login_staff(client, "gongping", "street_officer", "510115002000")
    ours = await old_household(client, liucheng, days=5)
    page = await due(client, gongping)
    assert page["items"] == [] and page["counts"]["total"] == 0
    page = await due(client, liucheng, region_code=LIUCHENG)
    assert [i["household_id"] for i in page["items"]] == [ours["id"]]
