"""Tekun by care arrangement (分散供养 / 集中供养 / 未登记) through HTTP, counted by hand on a small
district: five tekun households and one dibao household in three streets, one of which left
tekun ten days ago (so twenty days ago it counts, its arrangement no longer recorded); the
workbook; the demo seed's arrangements."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.db.session import session_scope
from app.kit.timeutil import local_today, now
from app.models.household import Household
from tests.helpers import id_number, login_staff
from tests.households.helpers import (
    DISTRICT,
    GONGPING,
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    create_household,
    member,
)

YOUQING = "510115007002"  # 友庆村, a village under 和盛镇
HESHENG = "510115007000"
TODAY = local_today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def decide(client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any) -> None:
    body.setdefault("reason", "入户调查核实")
    response = await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def tekun_district(client: httpx.AsyncClient) -> dict[str, str]:
    """柳城街道: T1 dispersed (1 person, 光华), T2 centralized (2, 南江), D1 dibao (3, 光华);
    公平街道: T3 dispersed (1), T4 tekun with no arrangement (1); 和盛镇: T5 centralized (2) until
    it changed to dibao 10 days ago. All registered 90 days ago, enrolled 60 days ago."""
    officer = await login_staff(client, "district", "district_officer", DISTRICT)
    relations = ["head", "spouse", "child"]
    plan = (
        (GUANGHUA, 1, "tekun", "dispersed"),
        (NANJIANG, 2, "tekun", "centralized"),
        (GUANGHUA, 3, "dibao", None),
        (GONGPING_COMMUNITY, 1, "tekun", "dispersed"),
        (GONGPING_COMMUNITY, 1, "tekun", None),
        (YOUQING, 2, "tekun", "centralized"),
    )
    made = []
    for index, (region, size, category, care) in enumerate(plan):
        members = [
            member(
                name=f"成员{index}{i}",
                id_number=id_number(date(1940 + index, 1 + i, 1 + index)),
                relation=relations[i],
            )
            for i in range(size)
        ]
        hid = (await create_household(client, officer, region_code=region, members=members))["id"]
        extra = {"care_arrangement": care} if care else {}
        await decide(
            client, officer, hid, action="enrol", category=category, effective_date=ago(60), **extra
        )
        made.append(hid)
    await decide(
        client, officer, made[5], action="change", category="dibao", effective_date=ago(10)
    )
    async with session_scope() as session:
        await session.execute(update(Household).values(created_at=now() - timedelta(days=90)))
    return officer


def care(dispersed: int, centralized: int, unknown: int) -> dict[str, int]:
    return {"dispersed": dispersed, "centralized": centralized, "unknown": unknown}


async def test_tekun_by_care_arrangement_per_street_today_and_earlier(
    client: httpx.AsyncClient,
) -> None:
    officer = await tekun_district(client)
    response = await client.get("/staff/stats/tekun", headers=officer)
    assert response.status_code == 200, response.text
    figures = response.json()
    assert (figures["on"], figures["region_code"]) == (TODAY.isoformat(), DISTRICT)
    assert figures["households"] == care(2, 1, 1)
    assert figures["people"] == care(2, 2, 1)
    by_code = {a["region_code"]: a for a in figures["areas"]}
    assert (by_code[LIUCHENG]["households"], by_code[LIUCHENG]["people"]) == (
        care(1, 1, 0),
        care(1, 2, 0),
    )
    assert by_code[GONGPING]["households"] == care(1, 0, 1)
    assert by_code[HESHENG]["households"] == care(0, 0, 0)
    assert sum(sum(a["households"].values()) for a in figures["areas"]) == 4

    # Twenty days ago T5 was tekun; it left, and its arrangement with it: 未登记.
    earlier = await client.get("/staff/stats/tekun", params={"on": ago(20)}, headers=officer)
    assert earlier.json()["households"] == care(2, 1, 2)
    assert earlier.json()["people"] == care(2, 2, 3)
    heshung = next(a for a in earlier.json()["areas"] if a["region_code"] == HESHENG)
    assert heshung["people"] == care(0, 0, 2)
    # Seventy days ago no one was enrolled.
    before = await client.get("/staff/stats/tekun", params={"on": ago(70)}, headers=officer)
    assert before.json()["households"] == care(0, 0, 0)

    # Below a street: per community.
    street = await client.get(
        "/staff/stats/tekun", params={"region_code": LIUCHENG}, headers=officer
    )
    communities = {a["region_code"]: a["households"] for a in street.json()["areas"]}
    assert communities[GUANGHUA] == care(1, 0, 0) and communities[NANJIANG] == care(0, 1, 0)

    # A street officer sees their street only.
    gongping = await login_staff(client, "gongping", "street_officer", GONGPING)
    theirs = await client.get("/staff/stats/tekun", headers=gongping)
    assert theirs.json()["households"] == care(1, 0, 1)
    outside = await client.get(
        "/staff/stats/tekun", params={"region_code": LIUCHENG}, headers=gongping
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "outside_jurisdiction")
    bad = await client.get("/staff/stats/tekun", params={"on": "1999-12-31"}, headers=officer)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_date")


async def test_tekun_workbook(client: httpx.AsyncClient) -> None:
    officer = await tekun_district(client)
    response = await client.get("/staff/stats/tekun.xlsx", headers=officer)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "特困人员供养方式统计表" in str(sheet["A1"].value)
    headers = [c.value for c in sheet[3]]
    assert headers[:4] == ["区域", "代码", "分散供养（户）", "分散供养（人）"]
    assert headers[-2:] == ["未登记（户）", "未登记（人）"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows[LIUCHENG][2:] == (1, 1, 1, 2, 0, 0)
    total = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "合计")
    assert total[2:] == (2, 2, 1, 2, 1, 1)


async def test_the_demo_seed_gives_tekun_households_an_arrangement() -> None:
    from app.devtools.demo_registry import seed_registry

    async with session_scope() as session:
        await seed_registry(session, people=400)
    async with session_scope() as session:
        rows = dict(
            (
                await session.execute(
                    select(Household.care_arrangement, func.count())
                    .where(Household.category == "tekun", Household.status == "active")
                    .group_by(Household.care_arrangement)
                )
            ).all()
        )
        others = await session.scalar(
            select(func.count()).where(
                Household.category != "tekun", Household.care_arrangement.is_not(None)
            )
        )
    assert None not in rows and rows["dispersed"] > rows["centralized"] > 0
    assert others == 0
