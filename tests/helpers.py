"""Builders for test data: staff logins, resident logins, application bodies, ID numbers."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import httpx

from app.kit.idnumber import make_id_number

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)


async def create_staff(username: str, role: str, region_code: str) -> int:
    from app.accounts.service import create_staff as create
    from app.db.session import session_scope

    async with session_scope() as session:
        staff = await create(
            session, username=username, password=PASSWORD, role=role, region_code=region_code
        )
        return staff.id


async def login_staff(
    client: httpx.AsyncClient, username: str, role: str, region_code: str
) -> dict[str, str]:
    """Create a staff account and return its Authorization header."""
    await create_staff(username, role, region_code)
    response = await client.post(
        "/auth/staff/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def staff_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get("/me", headers=headers)
    return int(response.json()["id"])


async def login_resident(client: httpx.AsyncClient, code: str) -> dict[str, str]:
    response = await client.post("/auth/wechat/login", json={"code": code})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def id_number(born: date | None = None, region: str = "510115") -> str:
    return make_id_number(region, born or date(1970, 1, 1), next(_sequence))


def application_body(**overrides: Any) -> dict[str, Any]:
    subject = {
        "name": "张三",
        "id_number": id_number(),
        "phone": "13800001234",
        "region_code": "510115001001",
        "address": "光华大道1号",
        "household_size": 3,
    }
    subject.update(overrides.pop("subject", {}))
    body: dict[str, Any] = {
        "relation": "self",
        "subject": subject,
        "help_types": ["basic_living"],
        "description": "生活困难",
        "consent": True,
    }
    body.update(overrides)
    return body
