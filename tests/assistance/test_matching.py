from __future__ import annotations

import random
from datetime import date

import httpx
from sqlalchemy import select

from app.assistance.matching.scoring import NeedFacts, ProjectFacts, fit
from app.db.session import session_scope
from app.models.assistance import HouseholdProfile, Need, Project
from app.models.household import Household
from tests.assistance.support import (
    GONGPING,
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    district,
    household,
    matches,
    members,
    need,
    organization,
    project,
)
from tests.helpers import login_staff

ON = "2026-12-01"


async def test_need_to_matches_best_first_with_reasons(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    org = await organization(client, officer)
    wide = await project(client, officer, org["id"], name="全区儿童关爱", target_groups=[])
    near = await project(
        client,
        officer,
        org["id"],
        name="光华儿童之家",
        region_code=GUANGHUA,
        target_categories=["dibao"],
        target_groups=["children_in_difficulty"],
    )
    await project(client, officer, org["id"], name="就业帮扶", service_types=["job_help"])
    await project(client, officer, org["id"], name="公平儿童", region_code=GONGPING)
    full = await project(client, officer, org["id"], name="已满项目", capacity=1)
    ended = await project(client, officer, org["id"], name="已结束", ends_on="2026-06-30")
    later = await project(client, officer, org["id"], name="未开始", starts_on="2027-01-01")
    home = await household()
    child = (await members(client, officer, home))[1]
    tagged = await client.put(
        f"/staff/households/{home}/members/{child}/tags/children_in_difficulty", headers=officer
    )
    assert tagged.status_code == 200 and tagged.json()["groups"] == ["children_in_difficulty"]
    made = await need(client, officer, home, member_id=child)
    assert made["status"] == "open" and made["note"] == "孩子放学无人照看"
    # Fill the full project: a place taken straight in the database.
    async with session_scope() as session:
        row = await session.get(Project, full["id"])
        assert row is not None
        row.in_use = 1

    items = await matches(client, officer, home, on=ON)
    assert [i["project_id"] for i in items] == [near["id"], wide["id"]]
    best = items[0]
    assert best["need_id"] == made["id"]
    assert best["score"] == 35 + 20 + 15 + 15 + 10
    assert "服务区域就是本社区（村）" in best["reasons"]
    assert "面向低保对象" in best["reasons"]
    assert "服务对象包括困境儿童" in best["reasons"]
    assert items[1]["score"] == 35 + 10 + 5 + 0 + 10
    assert "服务范围覆盖全区" in items[1]["reasons"]
    for absent in (full, ended, later):
        assert absent["id"] not in {i["project_id"] for i in items}

    key = await client.put(
        f"/staff/households/{home}/key-target",
        json={"key_target": True, "reason": "困境儿童"},
        headers=officer,
    )
    assert key.status_code == 200 and key.json()["key_target"] is True
    again = await matches(client, officer, home, on=ON)
    assert again[0]["score"] == best["score"] + 5
    groups = await client.get("/staff/groups", headers=officer)
    counted = {g["tag"]: g for g in groups.json()["items"]}
    assert counted["children_in_difficulty"]["members"] == 1
    assert counted["children_in_difficulty"]["key_targets"] == 1
    assert groups.json()["key_target_households"] == 1

    # Another street's staff: the same 404 as the registry gives.
    other = await login_staff(client, "gp_worker", "community_worker", GONGPING_COMMUNITY)
    for path in ("matches", "needs", "groups"):
        hidden = await client.get(f"/staff/households/{home}/{path}", headers=other)
        assert hidden.status_code == 404 and hidden.json()["code"] == "household_not_found"
    refused = await client.post(
        f"/staff/households/{home}/needs",
        json={"service_type": "tutoring", "urgency": "low"},
        headers=other,
    )
    assert refused.status_code == 404
    closed = await client.post(
        f"/staff/households/{home}/needs/{made['id']}/close",
        json={"outcome": "closed", "reason": "已由亲属照看"},
        headers=officer,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert await matches(client, officer, home, on=ON) == []
    twice = await client.post(
        f"/staff/households/{home}/needs/{made['id']}/close",
        json={"outcome": "met", "reason": "再次关闭"},
        headers=officer,
    )
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    bad = await client.post(
        f"/staff/households/{home}/needs",
        json={"service_type": "child_care", "urgency": "asap"},
        headers=officer,
    )
    assert bad.status_code == 422
    assert LIUCHENG and NANJIANG


async def test_sql_agrees_with_the_python_twin(client: httpx.AsyncClient) -> None:
    """Random projects and needs: every (need, project, score) the endpoint gives is what
    :func:`fit` computes from the rows, and nothing it computes is missing."""
    rng = random.Random(20261207)
    officer = await district(client)
    org = await organization(client, officer, issue_key=False)
    services = ["child_care", "tutoring", "elderly_care", "legal_aid", "emotional_support"]
    groups = ["children_in_difficulty", "elderly_alone", "severe_illness", "unemployed"]
    regions = ["510115000000", LIUCHENG, GUANGHUA, NANJIANG, GONGPING, GONGPING_COMMUNITY]
    categories = ["dibao", "tekun", "dibao_edge", "other_special"]
    for index in range(25):
        starts = rng.choice(["2026-01-01", "2026-12-01", "2026-12-02"])
        ends = rng.choice([None, None, "2026-11-30", "2026-12-01", "2026-12-31"])
        body = await project(
            client,
            officer,
            org["id"],
            name=f"项目{index}",
            service_types=rng.sample(services, rng.randint(1, 3)),
            target_categories=rng.sample(categories, rng.choice([0, 0, 1, 2])),
            target_groups=rng.sample(groups, rng.choice([0, 1, 2])),
            region_code=rng.choice(regions),
            capacity=rng.randint(1, 12),
            starts_on=starts,
            ends_on=ends if ends is None or ends >= starts else None,
        )
        async with session_scope() as session:
            row = await session.get(Project, body["id"])
            assert row is not None
            row.in_use = rng.randint(0, row.capacity)
    homes = []
    for _ in range(12):
        home = await household(
            rng.choice([GUANGHUA, NANJIANG, GONGPING_COMMUNITY]), rng.choice([None, *categories])
        )
        homes.append(home)
        ids = await members(client, officer, home)
        for tag in rng.sample(groups, rng.choice([0, 1, 2])):
            await client.put(
                f"/staff/households/{home}/members/{rng.choice(ids)}/tags/{tag}", headers=officer
            )
        if rng.random() < 0.3:
            await client.put(
                f"/staff/households/{home}/key-target", json={"key_target": True}, headers=officer
            )
        for _ in range(rng.randint(1, 3)):
            await need(
                client,
                officer,
                home,
                service_type=rng.choice(services),
                urgency=rng.choice(["high", "medium", "low"]),
            )
    on = date(2026, 12, 1)
    async with session_scope() as session:
        projects = [
            ProjectFacts(
                p.id,
                p.service_mask,
                p.category_mask,
                p.group_mask,
                p.region_code,
                p.region_depth,
                p.capacity,
                p.in_use,
                p.starts_on,
                p.ends_on,
            )
            for p in await session.scalars(select(Project))
        ]
        rows = (
            await session.execute(
                select(Need, Household.region_code, Household.category, HouseholdProfile)
                .join(Household, Household.id == Need.household_id)
                .outerjoin(HouseholdProfile, HouseholdProfile.household_id == Need.household_id)
            )
        ).all()
    expected: dict[int, set[tuple[int, int, int]]] = {h: set() for h in homes}
    for need_row, region, category, prof in rows:
        facts = NeedFacts(
            need_row.id,
            need_row.service_bit,
            need_row.service_type,
            region,
            category,
            prof.group_mask if prof else 0,
            bool(prof and prof.key_target),
        )
        for p in projects:
            found = fit(facts, p, on)
            if found is not None:
                expected[need_row.household_id].add((need_row.id, p.project_id, found.score))
    total = 0
    for home in homes:
        items = await matches(client, officer, home, on=ON, per_need=20)
        got = {(i["need_id"], i["project_id"], i["score"]) for i in items}
        assert got == expected[home], home
        assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
        total += len(got)
    assert total > 20  # the data exercises the scoring, not only its refusals
