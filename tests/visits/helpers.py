"""Builders for visit tests: households registered some days ago, visit bodies, worklists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from app.kit.timeutil import local_today, now
from app.models.household import Household
from tests.households.helpers import create_household


async def backdate(household_id: int, days: int) -> None:
    """Pretend the household was registered ``days`` days ago (and recompute its due date, as
    the services do after every change they make)."""
    from app.db.session import session_scope
    from app.schedules.recompute import recompute_household

    async with session_scope() as session:
        await session.execute(
            update(Household)
            .where(Household.id == household_id)
            .values(
                created_at=now() - timedelta(days=days), risk_set_at=now() - timedelta(days=days)
            )
        )
        await recompute_household(session, household_id)


async def old_household(
    client: httpx.AsyncClient, headers: dict[str, str], days: int = 400, **overrides: Any
) -> dict[str, Any]:
    household = await create_household(client, headers, **overrides)
    await backdate(household["id"], days)
    return household


def visit_body(at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "visited_at": (at or now() - timedelta(hours=1)).isoformat(),
        "met": ["户主张大山", "配偶李小花"],
        "checklist": {"housing": "ok", "food": "ok", "health": "concern", "urgent_needs": "n/a"},
        "notes": "户主慢性病加重，需定期复查",
        "risk_level_after": "medium",
    }
    body.update(overrides)
    return body


async def record(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    household_id: int,
    expect: int = 201,
    key: str | None = None,
    **body: Any,
) -> dict[str, Any]:
    extra = {"Idempotency-Key": key} if key else {}
    response = await client.post(
        f"/staff/households/{household_id}/visits",
        json=visit_body(**body),
        headers={**headers, **extra},
    )
    assert response.status_code == expect, response.text
    return dict(response.json())


async def due(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    params.setdefault("until", (local_today() + timedelta(days=800)).isoformat())
    response = await client.get("/staff/visits/due", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def due_on(client: httpx.AsyncClient, headers: dict[str, str], household_id: int) -> str:
    page = await due(client, headers, limit=100)
    (item,) = [i for i in page["items"] if i["household_id"] == household_id]
    return str(item["next_due_on"])


def day(offset: int) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()
