"""Builders for assistance tests: staff, organizations with keys, projects, households."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.helpers import login_staff
from tests.households.builders import Person, insert_household

DISTRICT = "510115000000"  # 温江区
LIUCHENG = "510115001000"  # 柳城街道
GUANGHUA = "510115001001"  # 光华社区, under 柳城
NANJIANG = "510115001002"  # 南江社区, under 柳城
GONGPING = "510115002000"  # 公平街道
GONGPING_COMMUNITY = "510115002001"  # 公平社区
ADULT = date(1980, 5, 1)
START = "2026-01-01"


async def district(client: httpx.AsyncClient) -> dict[str, str]:
    return await login_staff(client, "district1", "district_officer", DISTRICT)


async def station(client: httpx.AsyncClient, name: str = "station1") -> dict[str, str]:
    return await login_staff(client, name, "social_worker", LIUCHENG)


async def organization(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "温江区微光社工服务中心",
        "kind": "social_organization",
        "region_code": DISTRICT,
        "contact_name": "刘老师",
        "contact_phone": "02882600000",
        "issue_key": True,
    }
    body.update(overrides)
    response = await client.post("/staff/organizations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def project(
    client: httpx.AsyncClient, headers: dict[str, str], organization_id: int, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "name": "困境儿童关爱计划",
        "service_types": ["child_care", "tutoring"],
        "target_categories": [],
        "target_groups": ["children_in_difficulty"],
        "region_code": DISTRICT,
        "capacity": 10,
        "starts_on": START,
    }
    body.update(overrides)
    response = await client.post("/staff/projects", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def household(region: str = GUANGHUA, category: str | None = "dibao") -> int:
    return await insert_household(
        region,
        [Person("张大山", ADULT, "600.00"), Person("张小花", date(2015, 3, 1), relation="child")],
        category=category,
    )


async def members(
    client: httpx.AsyncClient, headers: dict[str, str], household_id: int
) -> list[int]:
    response = await client.get(f"/staff/households/{household_id}", headers=headers)
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["members"]]


async def need(
    client: httpx.AsyncClient, headers: dict[str, str], household_id: int, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_type": "child_care",
        "urgency": "high",
        "note": "孩子放学无人照看",
    }
    body.update(overrides)
    response = await client.post(
        f"/staff/households/{household_id}/needs", json=body, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def matches(
    client: httpx.AsyncClient, headers: dict[str, str], household_id: int, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/staff/households/{household_id}/matches", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
