"""Builders for registry tests: household bodies, members, staff in the demo regions."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.helpers import id_number, login_staff

DISTRICT = "510115000000"  # 温江区
LIUCHENG = "510115001000"  # 柳城街道
GUANGHUA = "510115001001"  # 光华社区, under 柳城
NANJIANG = "510115001002"  # 南江社区, under 柳城
GONGPING = "510115002000"  # 公平街道
GONGPING_COMMUNITY = "510115002001"  # 公平社区, under 公平


def member(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "张大山",
        "id_number": id_number(date(1970, 5, 1)),
        "relation": "head",
        "disability_grade": None,
        "severe_illness": False,
        "work_capacity": "full",
        "monthly_income": "600.00",
    }
    body.update(overrides)
    return body


def household_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "region_code": GUANGHUA,
        "address": "光华大道1号",
        "members": [
            member(),
            member(name="李小花", id_number=id_number(date(1972, 3, 8)), relation="spouse"),
        ],
        "monthly_rigid_spending": {"medical": "200.00", "education": "0.00"},
        "causes": ["illness"],
        "risk_level": "medium",
    }
    body.update(overrides)
    return body


async def create_household(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """POST /staff/households and return the created household (asserting 201)."""
    response = await client.post(
        "/staff/households", json=household_body(**overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def street(client: httpx.AsyncClient, username: str = "liucheng") -> dict[str, str]:
    """A street officer of 柳城街道."""
    return await login_staff(client, username, "street_officer", LIUCHENG)


async def district(client: httpx.AsyncClient, username: str = "district") -> dict[str, str]:
    """A district officer (decides categories)."""
    return await login_staff(client, username, "district_officer", DISTRICT)


async def count_rows(model: Any) -> int:
    from app.db.session import session_scope

    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def audit_actions(record_id: int | None = None) -> list[str]:
    """Audit actions on households, oldest first."""
    from app.db.session import session_scope
    from app.models.audit import AuditEvent

    stmt = select(AuditEvent.action).where(AuditEvent.record_type == "household")
    if record_id is not None:
        stmt = stmt.where(AuditEvent.record_id == str(record_id))
    async with session_scope() as session:
        return list(await session.scalars(stmt.order_by(AuditEvent.id)))
