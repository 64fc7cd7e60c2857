"""Photos on visits: the same rules as application attachments (type by magic bytes, JPEG or PNG
only, at most 10 MB, 9 a visit), staff in the household's jurisdiction only, views audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.models.visit import VisitPhoto
from tests.helpers import login_resident, login_staff
from tests.households.helpers import GUANGHUA, count_rows
from tests.intake.support import ELF, JPEG, PDF, PNG
from tests.visits.helpers import old_household, record

MB = 1024 * 1024


def stored_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.is_file()]


async def photo_audits() -> list[str]:
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.models.audit import AuditEvent

    async with session_scope() as session:
        rows = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("visit_photo.%"))
            .order_by(AuditEvent.id)
        )
        return list(rows)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    visit_id: int,
    content: bytes,
    content_type: str = "image/jpeg",
    key: str | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(
        f"/staff/visits/{visit_id}/photos",
        files={"file": ("photo.jpg", content, content_type)},
        headers={**headers, **extra},
    )


async def a_visit(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    household = await old_household(client, worker, days=30)
    return worker, await record(client, worker, household["id"])


async def test_photos_are_typed_by_content_and_capped(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    worker, visit = await a_visit(client)
    vid = visit["id"]
    jpeg = await upload(client, worker, vid, JPEG, key="p1")
    assert jpeg.status_code == 201, jpeg.text
    assert jpeg.json()["content_type"] == "image/jpeg"
    assert (await upload(client, worker, vid, JPEG, key="p1")).json() == jpeg.json()
    png = await upload(client, worker, vid, PNG, content_type="image/jpeg")
    assert (png.status_code, png.json()["content_type"]) == (201, "image/png")
    for content in (PDF, ELF):  # a PDF is fine for an application, not as a photo
        refused = await upload(client, worker, vid, content)
        assert (refused.status_code, refused.json()["code"]) == (415, "unsupported_file_type")
        assert "JPEG 或 PNG" in refused.json()["message"]
    # A photo larger than the JSON body cap but within 10 MB streams through.
    big = await upload(client, worker, vid, JPEG + b"\x00" * (4 * MB))
    assert (big.status_code, big.json()["size"]) == (201, len(JPEG) + 4 * MB)
    too_big = await upload(client, worker, vid, JPEG + b"\x00" * (10 * MB))
    assert (too_big.status_code, too_big.json()["code"]) == (413, "file_too_large")
    for _ in range(6):
        assert (await upload(client, worker, vid, JPEG)).status_code == 201
    tenth = await upload(client, worker, vid, PNG)
    assert (tenth.status_code, tenth.json()["code"]) == (409, "photo_limit_reached")
    assert await count_rows(VisitPhoto) == 9
    assert len(stored_files(upload_dir)) == 9  # nothing half-kept

    listed = (await client.get(f"/staff/visits/{vid}/photos", headers=worker)).json()
    assert [p["id"] for p in listed][:2] == [jpeg.json()["id"], png.json()["id"]]
    file = await client.get(f"/staff/visits/{vid}/photos/{jpeg.json()['id']}", headers=worker)
    assert (file.status_code, file.content) == (200, JPEG)
    assert file.headers["content-type"] == "image/jpeg"
    assert await photo_audits() == ["visit_photo.upload"] * 9 + ["visit_photo.view"]
    history = (
        await client.get(f"/staff/households/{visit['household_id']}/visits", headers=worker)
    ).json()["items"]
    assert len(history[0]["photos"]) == 9


async def test_only_staff_in_jurisdiction(client: httpx.AsyncClient) -> None:
    worker, visit = await a_visit(client)
    vid = visit["id"]
    photo = (await upload(client, worker, vid, JPEG)).json()
    other = await login_staff(client, "gongping", "street_officer", "510115002000")
    resident = await login_resident(client, "someone")
    auditor = await login_staff(client, "audit", "auditor", "510115000000")
    for headers in (other, resident):
        refused = await upload(client, headers, vid, JPEG)
        assert (refused.status_code, refused.json()["code"]) == (404, "visit_not_found")
    assert (await upload(client, auditor, vid, JPEG)).status_code == 403
    url = f"/staff/visits/{vid}/photos/{photo['id']}"
    assert (await client.get(url, headers=other)).status_code == 404
    # Auditors see that photos exist, not the photos (as with application documents).
    assert len((await client.get(f"/staff/visits/{vid}/photos", headers=auditor)).json()) == 1
    refused = await client.get(url, headers=auditor)
    assert (refused.status_code, refused.json()["code"]) == (403, "photo_reveal_forbidden")
    assert (
        await client.get(f"/staff/visits/{vid}/photos/99999", headers=worker)
    ).status_code == 404
    assert (await client.get("/staff/visits/99999/photos", headers=worker)).status_code == 404
    assert await count_rows(VisitPhoto) == 1
