"""Builders shared by the intake tests: submissions, staff with ids, agencies, file bytes."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select, update

from app.models.application import Application
from tests.helpers import application_body, login_staff, staff_id

LIUCHENG = "510115001000"  # 柳城街道
GUANGHUA = "510115001001"  # 光华社区, under 柳城
NANJIANG = "510115001002"  # 南江社区, under 柳城
GONGPING = "510115002000"  # 公平街道
GONGPING_COMMUNITY = "510115002001"  # 公平社区, under 公平
DISTRICT = "510115000000"  # 温江区

# Smallest files that carry each accepted type's magic bytes, and two executables.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """POST /applications and return the created application (asserting 201)."""
    response = await client.post(
        "/applications", json=application_body(**overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def staff(
    client: httpx.AsyncClient, username: str, role: str, region_code: str
) -> tuple[dict[str, str], int]:
    """A logged-in staff member: (Authorization header, staff id)."""
    headers = await login_staff(client, username, role, region_code)
    return headers, await staff_id(client, headers)


async def agency_headers(name: str = "阳光社工", region_code: str = DISTRICT) -> dict[str, str]:
    """An agency registered the way the CLI does it, as an X-API-Key header."""
    from app.accounts.service import create_agency
    from app.db.session import session_scope

    async with session_scope() as session:
        _agency, key = await create_agency(session, name=name, region_code=region_code)
    return {"X-API-Key": key}


async def count_applications() -> int:
    from app.db.session import session_scope

    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(Application)) or 0)


async def set_application(application_id: int, **values: Any) -> None:
    """Change an application's columns directly in the database."""
    from app.db.session import session_scope

    async with session_scope() as session:
        await session.execute(
            update(Application).where(Application.id == application_id).values(**values)
        )


async def act(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    application_id: int,
    action: str,
    **extra: Any,
) -> httpx.Response:
    """POST a life-cycle transition."""
    return await client.post(
        f"/staff/applications/{application_id}/transitions",
        json={"action": action, **extra},
        headers=headers,
    )
