"""Referrals made and services delivered in a period (/staff/stats/referrals and its workbook),
against counts worked out by hand: two organizations, four referrals in two streets, services
inside and outside the period."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import update

from app.db.session import session_scope
from app.kit.timeutil import local_today, now
from app.models.assistance import Referral, ServiceRecord
from tests.assistance.support import (
    GONGPING_COMMUNITY,
    LIUCHENG,
    district,
    household,
    organization,
    project,
)
from tests.helpers import login_staff

TODAY = local_today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def refer(
    client: httpx.AsyncClient, worker: dict[str, str], home: int, project_id: int
) -> int:
    response = await client.post(
        "/staff/referrals",
        json={"household_id": home, "project_id": project_id, "note": "请联系"},
        headers=worker,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def serve(client: httpx.AsyncClient, agency: dict[str, str], rid: int, hours: str) -> None:
    body = {"date": TODAY.isoformat(), "hours": hours, "what": "上门服务"}
    response = await client.post(f"/agency/referrals/{rid}/services", json=body, headers=agency)
    assert response.status_code == 201, response.text


async def stats(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/staff/stats/referrals", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_referrals_and_services_delivered(client: httpx.AsyncClient) -> None:
    """r1 (光华, A) accepted, services 2.5 h today and 1.5 h 40 days ago; r2 (光华, A) sent;
    r3 (公平, B) accepted, 4 h today; r4 (光华, B) declined, sent 40 days ago."""
    officer = await district(client)
    org_a = await organization(client, officer, name="微光社工")
    org_b = await organization(client, officer, name="法律援助站")
    agency_a, agency_b = {"X-API-Key": org_a["api_key"]}, {"X-API-Key": org_b["api_key"]}
    care = await project(client, officer, org_a["id"], name="儿童关爱")
    legal = await project(
        client, officer, org_b["id"], name="法律咨询", service_types=["legal_aid"]
    )
    h1, h2, h3 = await household(), await household(), await household(GONGPING_COMMUNITY)

    r1 = await refer(client, officer, h1, care["id"])
    await refer(client, officer, h2, care["id"])
    r3 = await refer(client, officer, h3, legal["id"])
    r4 = await refer(client, officer, h1, legal["id"])
    for rid, agency in ((r1, agency_a), (r3, agency_b)):
        accepted = await client.post(f"/agency/referrals/{rid}/accept", headers=agency)
        assert accepted.status_code == 200, accepted.text
    declined = await client.post(
        f"/agency/referrals/{r4}/decline", json={"reason": "超出服务范围"}, headers=agency_b
    )
    assert declined.status_code == 200, declined.text
    await serve(client, agency_a, r1, "2.5")
    await serve(client, agency_a, r1, "1.5")
    await serve(client, agency_b, r3, "4")
    async with session_scope() as session:
        await session.execute(
            update(Referral).where(Referral.id == r4).values(sent_at=now() - timedelta(days=40))
        )
        await session.execute(
            update(ServiceRecord)
            .where(ServiceRecord.referral_id == r1, ServiceRecord.hours == 1.5)
            .values(date=TODAY - timedelta(days=40))
        )

    recent = await stats(client, officer, **{"from": ago(30), "to": ago(0)})
    assert recent["referrals_made"] == 3
    assert recent["by_status"] == {
        "sent": 1,
        "accepted": 2,
        "declined": 0,
        "completed": 0,
        "cancelled": 0,
    }
    assert (recent["services"], recent["hours"], recent["households_served"]) == (2, "6.50", 2)
    assert recent["referrals_served"] == 2
    assert recent["by_organization"] == [
        {
            "organization_id": org_a["id"],
            "name": "微光社工",
            "referrals_made": 2,
            "services": 1,
            "hours": "2.50",
            "households_served": 1,
        },
        {
            "organization_id": org_b["id"],
            "name": "法律援助站",
            "referrals_made": 1,
            "services": 1,
            "hours": "4.00",
            "households_served": 1,
        },
    ]

    earlier = await stats(client, officer, **{"from": ago(60), "to": ago(31)})
    assert earlier["referrals_made"] == 1 and earlier["by_status"]["declined"] == 1
    assert (earlier["services"], earlier["hours"]) == (1, "1.50")
    by_org = {o["name"]: o for o in earlier["by_organization"]}
    assert by_org["微光社工"]["referrals_made"] == 0 and by_org["微光社工"]["services"] == 1
    assert by_org["法律援助站"]["referrals_made"] == 1 and by_org["法律援助站"]["services"] == 0

    # 柳城街道 sees only 光华's referrals: r1 and r2 (and r4 is out of the period).
    street = await login_staff(client, "liucheng", "street_officer", LIUCHENG)
    mine = await stats(client, street, **{"from": ago(30), "to": ago(0)})
    assert mine["referrals_made"] == 2 and mine["by_status"]["accepted"] == 1
    assert (mine["services"], mine["hours"]) == (1, "2.50")
    assert [o["name"] for o in mine["by_organization"]] == ["微光社工"]
    beyond = await client.get(
        "/staff/stats/referrals", params={"region_code": GONGPING_COMMUNITY}, headers=street
    )
    assert beyond.status_code == 403 and beyond.json()["code"] == "outside_jurisdiction"

    response = await client.get(
        "/staff/stats/referrals.xlsx", params={"from": ago(30), "to": ago(0)}, headers=officer
    )
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按服务组织", "转介状态", "服务合计"]
    sheet = book["按服务组织"]
    assert sheet["A1"].value == "温江区转介与服务统计表（按服务组织）"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("服务组织", "发出转介（件）", "服务（次）", "服务时长（小时）", "服务户数")
    assert rows[1] == ("微光社工", 2, 1, 2.5, 1) and rows[-1] == ("合计", 3, 2, 6.5, 2)
    totals = dict(book["服务合计"].iter_rows(min_row=4, values_only=True))
    assert totals["服务次数"] == 2 and totals["服务户数（去重）"] == 2
